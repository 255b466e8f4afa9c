"""Admission rules at the service layer: preconditions, roles, scope, states, one open application per outlet,
the rejection, return-and-resubmit and failed-inspection paths. A refused action changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from ssc.accounts.choices import Role
from ssc.admission import services
from ssc.admission.models import Application
from ssc.audit.models import AuditEvent
from ssc.core.errors import InvalidState, NotAllowed, NotFound, StaleVersion, ValidationFailed
from ssc.deadlines.models import Deadline
from ssc.notifications.models import Notification
from ssc.registry.models import Outlet
from ssc.workflow.models import CaseEvent

from .conftest import READINESS_CHECKLIST, at, payloads, pdf, walk


def step(world, action: str):
    """The scenario's (role, day, data, files) for ``action``."""
    for a, role, day, data, files in payloads(world):
        if a == action:
            return role, day, data, files
    raise KeyError(action)


def do(world, app, action: str, *, role=None, data=None, files=None, day=None, actor=None):
    r, d, default_data, default_files = step(world, action)
    return services.perform(
        app.pk,
        action,
        actor=actor or world.users[role or r],
        data=default_data if data is None else data,
        files=default_files if files is None else files,
        at=at(day or d),
    )


def nothing_recorded_since(app, events: int, audits: int):
    assert CaseEvent.objects.filter(case_type="application", case_id=app.pk).count() == events
    assert AuditEvent.objects.count() == audits


@pytest.mark.django_db
def test_submit_with_incomplete_outlet_data_is_refused(world, draft):
    Outlet.objects.filter(pk=draft.outlet_id).update(complaint_phone="", weekday_hours="", weekend_hours="")
    draft.outlet.services.clear()
    audits = AuditEvent.objects.count()
    with pytest.raises(InvalidState) as exc:
        do(world, draft, "submit")
    assert exc.value.status == 409
    message = str(exc.value.detail)
    assert "营业时间" in message and "投诉电话" in message and "服务项目" in message
    assert "地址" not in message
    draft.refresh_from_db()
    assert draft.state == "draft" and draft.version == 1
    nothing_recorded_since(draft, 0, audits)


@pytest.mark.django_db
def test_submit_without_consent_letter_is_a_field_error(world, draft):
    with pytest.raises(ValidationFailed) as exc:
        do(world, draft, "submit", files={})
    assert "consent_letter" in exc.value.errors


@pytest.mark.django_db
def test_apply_go_live_with_incomplete_preparation_is_refused(world, draft):
    app = walk(world, draft, until="update_preparation")
    _role, _day, data, _files = step(world, "update_preparation")
    partial = {**data, "hardware_done": False, "trained_staff": []}
    app = do(world, app, "update_preparation", data=partial)
    assert app.state == "preparing"
    with pytest.raises(InvalidState) as exc:
        do(world, app, "apply_go_live")
    assert "软硬件准备" in str(exc.value.detail) and "人员培训" in str(exc.value.detail)
    assert "系统对接" not in str(exc.value.detail)
    app = do(world, app, "update_preparation")  # now complete
    assert do(world, app, "apply_go_live").state == "go_live_applied"


@pytest.mark.django_db
def test_failed_readiness_inspection_returns_to_preparation_then_passes(world, draft):
    """SCENARIOS.md A.5: 03-25 one finding (queue sign missing) → back to preparation; 03-27 fixed, applies
    again, passes, and the system opening is requested the same day (due 04-03)."""
    app = walk(world, draft, until="inspect_readiness")
    assert app.state == "go_live_applied"
    failed = {
        "inspected_on": "2026-03-25",
        "result": "preparing",
        "checklist": {**READINESS_CHECKLIST, "signage": False},
        "findings": "排队指引标识缺失",
    }
    app = do(world, app, "inspect_readiness", data=failed, day="2026-03-25")
    assert app.state == "preparing"
    assert app.facts["inspections"][0]["findings"] == "排队指引标识缺失"
    assert app.facts["inspections"][0]["result"] == "preparing"
    ev = CaseEvent.objects.filter(case_id=app.pk, action="inspect_readiness").get()
    assert (ev.from_state, ev.to_state) == ("go_live_applied", "preparing")
    assert Outlet.objects.get(pk=app.outlet_id).status == "preparing"
    # A finding without a written description is refused.
    app = do(world, app, "apply_go_live", day="2026-03-27")
    with pytest.raises(ValidationFailed) as exc:
        do(world, app, "inspect_readiness", data={**failed, "findings": ""}, day="2026-03-27")
    assert "findings" in exc.value.errors
    # Passing with an unmet checklist item is refused too.
    with pytest.raises(ValidationFailed):
        do(world, app, "inspect_readiness", data={**failed, "result": "readiness_passed"}, day="2026-03-27")
    app = do(world, app, "inspect_readiness", day="2026-03-27")
    assert app.state == "readiness_passed"
    assert len(app.facts["inspections"]) == 2
    app = do(world, app, "request_system_opening", day="2026-03-27")
    d = Deadline.objects.get(case_type="application", case_id=app.pk)
    assert d.due_on == date(2026, 4, 3)


@pytest.mark.django_db
def test_decide_by_an_officer_is_refused_and_other_districts_leader_cannot_see_it(world, draft):
    app = walk(world, draft, until="decide")
    audits = AuditEvent.objects.count()
    events = CaseEvent.objects.filter(case_id=app.pk).count()
    with pytest.raises(NotAllowed) as exc:
        do(world, app, "decide", role=Role.DISTRICT_OFFICER)
    assert exc.value.status == 403
    with pytest.raises(NotFound):
        do(world, app, "decide", actor=world.other[Role.DISTRICT_LEADER])
    with pytest.raises(NotFound):
        do(world, app, "record_site_verification", actor=world.other[Role.DISTRICT_OFFICER])
    nothing_recorded_since(app, events, audits)
    assert do(world, app, "decide").state == "approved"


@pytest.mark.django_db
@pytest.mark.parametrize("until", ["submit", "record_site_verification", "decide", "file_with_center"])
def test_withdraw_before_filing(world, draft, until):
    app = walk(world, draft, until=until)
    app = services.perform(
        app.pk, "withdraw", actor=world.users[Role.BANK_APPLICANT], data={"reason": "网点装修推迟"}, at=at("2026-03-12")
    )
    assert app.state == "withdrawn" and app.completed_at is not None
    assert Outlet.objects.get(pk=app.outlet_id).status == "withdrawn"


@pytest.mark.django_db
@pytest.mark.parametrize("until", ["acknowledge_filing", "sign_agreement", "open_accounts"])
def test_withdraw_after_filing_is_refused(world, draft, until):
    app = walk(world, draft, until=until)
    with pytest.raises(InvalidState):
        services.perform(app.pk, "withdraw", actor=world.users[Role.BANK_APPLICANT], data={"reason": "不再需要"})


@pytest.mark.django_db
def test_withdraw_needs_a_reason_and_the_applicant(world, draft):
    with pytest.raises(ValidationFailed) as exc:
        services.perform(draft.pk, "withdraw", actor=world.users[Role.BANK_APPLICANT], data={})
    assert "reason" in exc.value.errors
    with pytest.raises(NotAllowed):
        services.perform(draft.pk, "withdraw", actor=world.users[Role.DISTRICT_OFFICER], data={"reason": "x"})


@pytest.mark.django_db
def test_one_open_application_per_outlet(world, draft):
    applicant = world.users[Role.BANK_APPLICANT]
    Outlet.objects.filter(pk=draft.outlet_id).update(status="applying")
    with pytest.raises(InvalidState):
        services.application_create(actor=applicant, outlet_id=draft.outlet_id)
    services.perform(draft.pk, "withdraw", actor=applicant, data={"reason": "重新申请"})
    again = services.application_create(actor=applicant, outlet_id=draft.outlet_id)
    assert again.state == "draft" and again.pk != draft.pk
    assert Application.objects.filter(outlet_id=draft.outlet_id).count() == 2


@pytest.mark.django_db
def test_only_the_outlets_sub_branch_applies(world):
    Outlet.objects.filter(pk=world.outlets["B"].pk).update(status="applying")
    with pytest.raises((NotFound, NotAllowed)):
        services.application_create(actor=world.users[Role.BANK_APPLICANT], outlet_id=world.outlets["B"].pk)
    with pytest.raises(NotAllowed):
        services.application_create(actor=world.users[Role.DISTRICT_OFFICER], outlet_id=world.outlets["A"].pk)
    with pytest.raises(InvalidState):  # an active outlet does not apply again
        services.application_create(actor=world.users[Role.BANK_APPLICANT], outlet_id=world.outlets["AB"].pk)


@pytest.mark.django_db
def test_rejection_path(world, draft):
    app = walk(world, draft, until="decide")
    _role, _day, data, _files = step(world, "decide")
    with pytest.raises(ValidationFailed) as exc:
        do(world, app, "decide", data={**data, "decision": "rejected", "reasons": ""}, files={"minutes": pdf()})
    assert "reasons" in exc.value.errors
    app = do(
        world,
        app,
        "decide",
        data={**data, "decision": "rejected", "reasons": "选址与现有网点过近"},
        files={"minutes": pdf()},
    )
    assert app.state == "rejected" and app.completed_at is not None
    assert app.facts["decide"]["reasons"] == "选址与现有网点过近"
    assert Outlet.objects.get(pk=app.outlet_id).status == "rejected"
    assert Notification.objects.filter(user=world.users[Role.BANK_APPLICANT], case_id=app.pk).exists()
    with pytest.raises(InvalidState):
        do(world, app, "file_with_center")
    with pytest.raises(InvalidState):
        services.perform(app.pk, "withdraw", actor=world.users[Role.BANK_APPLICANT], data={"reason": "x"})
    # A rejected outlet may apply again later.
    new = services.application_create(actor=world.users[Role.BANK_APPLICANT], outlet_id=app.outlet_id)
    assert new.state == "draft"


@pytest.mark.django_db
def test_return_and_resubmit(world, draft):
    app = walk(world, draft, until="record_site_verification")
    assert app.state == "submitted"
    with pytest.raises(ValidationFailed):
        services.perform(app.pk, "return", actor=world.users[Role.DISTRICT_OFFICER], data={"reasons": ""})
    app = services.perform(
        app.pk,
        "return",
        actor=world.users[Role.DISTRICT_OFFICER],
        data={"reasons": "投诉电话与营业执照登记不一致，请更正"},
        at=at("2026-03-04"),
    )
    assert app.state == "returned"
    assert Notification.objects.filter(user=world.users[Role.BANK_APPLICANT], kind="application.return").exists()
    # The district cannot verify a returned application; the applicant resubmits, reusing the consent letter.
    with pytest.raises(InvalidState):
        do(world, app, "record_site_verification")
    _role, _day, data, _files = step(world, "submit")
    app = do(world, app, "submit", data=data, files={}, day="2026-03-05")
    assert app.state == "submitted"
    history = list(CaseEvent.objects.filter(case_id=app.pk).values_list("action", "from_state", "to_state"))
    assert history == [
        ("submit", "draft", "submitted"),
        ("return", "submitted", "returned"),
        ("submit", "returned", "submitted"),
    ]
    assert do(world, app, "record_site_verification").state == "site_verified"


@pytest.mark.django_db
def test_stale_version_is_refused(world, draft):
    r, _day, data, files = step(world, "submit")
    with pytest.raises(StaleVersion):
        services.perform(draft.pk, "submit", actor=world.users[r], data=data, files=files, expected_version=99)
    app = services.perform(draft.pk, "submit", actor=world.users[r], data=data, files=files, expected_version=1)
    assert app.version == 2


@pytest.mark.django_db
def test_unknown_action_is_not_found(world, draft):
    with pytest.raises(NotFound):
        services.perform(draft.pk, "approve_everything", actor=world.users[Role.BANK_APPLICANT])
