"""Rectification (Art 8(3)) at the service layer: Civil Code deadlines, report cycle, overdue via the sweep."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ssc.accounts.choices import Role
from ssc.core.errors import InvalidState, NotAllowed, NotFound
from ssc.deadlines import services as deadlines
from ssc.deadlines.models import Deadline
from ssc.rectification import services
from ssc.rectification.models import Rectification
from ssc.registry.models import Outlet
from ssc.workflow.models import CaseEvent

TZ = ZoneInfo("Asia/Shanghai")


def _issue(world, issued_on: str, **kw):
    return services.issue(
        actor=world.users[Role.DISTRICT_OFFICER],
        outlet_id=world.outlets["A"].pk,
        data={"items": ["补充公示投诉电话", "即时制卡设备维修"], "issued_on": issued_on, "source": "evaluation"},
        at=datetime.fromisoformat(issued_on).replace(hour=10, tzinfo=TZ),
        **kw,
    )


@pytest.mark.parametrize(
    ("issued", "due"),
    [
        ("2025-11-30", date(2026, 2, 28)),  # month-end clamp; 2026-02-28 is a Saturday but a 调休 working day
        ("2026-04-05", date(2026, 7, 6)),  # 2026-07-05 is a Sunday → next Monday
        ("2025-10-01", date(2026, 1, 4)),  # 2026-01-01 New Year holiday → 2026-01-04, a 调休 working Sunday
        ("2026-06-30", date(2026, 9, 30)),  # scenario B
        ("2025-08-31", date(2025, 12, 1)),  # 2025-11-30 is a Sunday → Monday 12-01
    ],
)
def test_deadline_follows_civil_code(world, issued, due):
    case = _issue(world, issued)
    assert case.state == "open"
    assert case.due_on == due
    d = Deadline.objects.get(case_type="rectification", case_id=case.pk)
    assert d.due_on == due
    assert d.started_on == date.fromisoformat(issued)
    assert Outlet.objects.get(pk=world.outlets["A"].pk).status == "under_rectification"


def test_report_cycle_and_close(world):
    case = _issue(world, "2026-06-30")
    staff, officer = world.users[Role.OUTLET_STAFF], world.users[Role.DISTRICT_OFFICER]
    case = services.perform(case.pk, "submit_report", actor=staff, data={"report": "已整改"})
    case = services.perform(case.pk, "reject_report", actor=officer, data={"reasons": "缺少证明材料"})
    assert case.state == "report_rejected"
    case = services.perform(case.pk, "submit_report", actor=staff, data={"report": "补充材料"})
    case = services.perform(
        case.pk, "verify", actor=officer, data={"verified_on": "2026-08-01"}, at=datetime(2026, 8, 1, 10, tzinfo=TZ)
    )
    assert case.state == "closed"
    assert Deadline.objects.get(case_type="rectification", case_id=case.pk).status == "met"
    assert Outlet.objects.get(pk=world.outlets["A"].pk).status == "active"


def test_sweep_marks_overdue_and_history(world):
    case = _issue(world, "2026-06-30")
    services.perform(case.pk, "submit_report", actor=world.users[Role.OUTLET_STAFF], data={"report": "x"})
    services.perform(case.pk, "reject_report", actor=world.users[Role.DISTRICT_OFFICER], data={"reasons": "缺证据"})
    deadlines.sweep(today=date(2026, 9, 30))  # the last day itself: still on time
    assert Rectification.objects.get(pk=case.pk).state == "report_rejected"
    deadlines.sweep(today=date(2026, 10, 1))
    case.refresh_from_db()
    assert case.state == "overdue"
    assert CaseEvent.objects.filter(case_type="rectification", case_id=case.pk, action="overdue").exists()
    assert services.overdue_for_outlet(world.outlets["A"].pk) == [case]
    assert Outlet.objects.get(pk=world.outlets["A"].pk).status == "under_rectification"


def test_only_district_officer_in_scope_issues(world):
    with pytest.raises(NotAllowed):
        services.issue(
            actor=world.users[Role.DISTRICT_LEADER],
            outlet_id=world.outlets["A"].pk,
            data={"items": ["x"], "issued_on": "2026-06-30", "source": "other"},
        )
    with pytest.raises(NotFound):
        services.issue(
            actor=world.other[Role.DISTRICT_OFFICER],
            outlet_id=world.outlets["A"].pk,
            data={"items": ["x"], "issued_on": "2026-06-30", "source": "other"},
        )
    assert not Rectification.objects.exists()


def test_cannot_rectify_an_outlet_not_cooperating(world):
    Outlet.objects.filter(pk=world.outlets["A"].pk).update(status="applying")
    with pytest.raises(InvalidState):
        _issue(world, "2026-06-30")
