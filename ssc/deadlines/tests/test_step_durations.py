"""Time per step against the center's targets: ``step_durations`` over scenario A, and setting targets."""

from __future__ import annotations

from datetime import date

import pytest

from ssc.accounts.choices import Role
from ssc.admission.tests.conftest import draft, walk  # noqa: F401 - the fixture is used by name
from ssc.admission.workflow import ADMISSION
from ssc.audit.models import AuditEvent
from ssc.core.errors import NotAllowed, ValidationFailed
from ssc.deadlines import selectors, services
from ssc.deadlines.models import StepTarget
from ssc.workflow.models import CaseEvent

# Working days each step of scenario A took since the previous one (the draft itself was created "now").
SCENARIO_A = {
    "record_site_verification": 3,  # 03-02 → 03-05
    "decide": 3,  # 03-05 → 03-10 (03-06, 09, 10)
    "file_with_center": 0,
    "acknowledge_filing": 1,
    "notify_outlet": 1,
    "sign_agreement": 2,  # 03-12 → 03-16
    "update_preparation": 4,  # 03-16 → 03-20
    "apply_go_live": 1,
    "inspect_readiness": 4,  # 03-23 → 03-27
    "request_system_opening": 0,
    "open_accounts": 3,  # 03-27 → 04-01 (03-30, 31, 04-01)
}


@pytest.fixture
def walked(world, draft):  # noqa: F811
    return walk(world, draft)


@pytest.mark.django_db
def test_engine_records_elapsed_workdays(world, walked):
    got = dict(
        CaseEvent.objects.filter(case_type="application", case_id=walked.pk)
        .exclude(action="submit")
        .values_list("action", "elapsed_workdays")
    )
    assert got == SCENARIO_A


@pytest.mark.django_db
def test_step_durations_with_targets(world, walked):
    StepTarget.objects.create(case_type="application", action="record_site_verification", workdays=2)
    StepTarget.objects.create(case_type="application", action="decide", workdays=5)
    rows = {r.action: r for r in selectors.step_durations("application")}
    assert list(rows) == ADMISSION.actions  # the table's order
    site = rows["record_site_verification"]
    assert (site.count, site.average, site.maximum, site.target, site.over_target) == (1, 3.0, 3, 2, 1)
    assert site.district_step and site.over_share == 1.0
    decide = rows["decide"]
    assert (decide.count, decide.target, decide.over_target) == (1, 5, 0)
    assert rows["update_preparation"].target is None and not rows["update_preparation"].district_step
    assert rows["return"].count == 0 and rows["return"].average is None


@pytest.mark.django_db
def test_step_durations_average_and_max_over_several_cases(world, walked):
    # A second case in district A whose site visit took 7 working days.
    CaseEvent.objects.create(
        case_type="application",
        case_id=walked.pk,
        action="record_site_verification",
        from_state="submitted",
        to_state="site_verified",
        at=walked.created_at,
        article="7(2)",
        elapsed_workdays=7,
    )
    StepTarget.objects.create(case_type="application", action="record_site_verification", workdays=5)
    site = next(r for r in selectors.step_durations("application") if r.action == "record_site_verification")
    assert (site.count, site.average, site.maximum, site.over_target) == (2, 5.0, 7, 1)


@pytest.mark.django_db
def test_step_durations_by_district_and_period(world, walked):
    in_b = selectors.step_durations("application", world.districts["B"])
    assert all(r.count == 0 for r in in_b)
    in_a = selectors.step_durations("application", world.districts["A"].pk)
    assert next(r for r in in_a if r.action == "decide").count == 1
    march = selectors.step_durations("application", since=date(2026, 3, 1), until=date(2026, 3, 31))
    assert next(r for r in march if r.action == "open_accounts").count == 0  # done on 04-01
    assert next(r for r in march if r.action == "decide").count == 1


@pytest.mark.django_db
def test_step_target_set_by_the_center_is_audited(world):
    officer = world.users[Role.CENTER_OFFICER]
    t = services.step_target_set(actor=officer, case_type="application", action="decide", workdays=5)
    assert t.workdays == 5
    services.step_target_set(actor=officer, case_type="application", action="decide", workdays=3)
    assert StepTarget.objects.get(action="decide").workdays == 3
    services.step_target_set(actor=officer, case_type="application", action="decide", workdays=None)
    assert not StepTarget.objects.exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="steptarget.").order_by("seq").values_list("action", flat=True)
    )
    assert actions == ["steptarget.set", "steptarget.set", "steptarget.delete"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "kwargs", "error"),
    [
        (Role.DISTRICT_LEADER, {"action": "decide", "workdays": 5}, NotAllowed),
        (Role.REGULATOR, {"action": "decide", "workdays": 5}, NotAllowed),
        (Role.CENTER_LEADER, {"action": "no_such_step", "workdays": 5}, ValidationFailed),
        (Role.CENTER_LEADER, {"action": "decide", "workdays": 0}, ValidationFailed),
        (Role.CENTER_LEADER, {"action": "decide", "workdays": 251}, ValidationFailed),
    ],
)
def test_step_target_set_refused(world, role, kwargs, error):
    with pytest.raises(error):
        services.step_target_set(actor=world.users[role], case_type="application", **kwargs)
    with pytest.raises(ValidationFailed):
        services.step_target_set(
            actor=world.users[Role.CENTER_LEADER], case_type="nonexistent", action="decide", workdays=3
        )
    assert not StepTarget.objects.exists()
