"""The center's 5-working-day deadline of an application, through the real workflow and the daily sweep."""

from __future__ import annotations

from datetime import date

import pytest

from ssc.accounts.choices import Role
from ssc.admission import services
from ssc.deadlines import escalation
from ssc.deadlines import services as deadlines
from ssc.deadlines.models import Deadline
from ssc.notifications.models import Notification

from .conftest import at, payloads, walk


def center_deadline(app) -> Deadline:
    return Deadline.objects.get(case_type="application", case_id=app.pk, kind="center_open_accounts")


def sweep(day: str) -> deadlines.SweepResult:
    return deadlines.sweep(today=date.fromisoformat(day), notify=escalation.notify_sweep)


def walk_to_request(world, app, requested_on: str):
    """Every step up to readiness on the same earlier day, then the system-opening request on ``requested_on``."""
    for action, role, _day, data, files in payloads(world):
        if action == "open_accounts":
            break
        day = requested_on if action == "request_system_opening" else "2026-02-02"
        app = services.perform(app.pk, action, actor=world.users[role], data=data, files=files, at=at(day))
    return app


@pytest.mark.django_db
def test_issue_case_requested_0213_due_0227_missed_on_0302(world, draft):
    app = walk_to_request(world, draft, "2026-02-13")
    assert app.state == "system_opening_requested"
    d = center_deadline(app)
    assert (d.started_on, d.due_on, d.responsible, d.district_id) == (
        date(2026, 2, 13),
        date(2026, 2, 27),
        "center",
        world.districts["A"].pk,
    )
    assert sweep("2026-02-26").reminded == [d]  # one working day before the last day
    assert sweep("2026-02-27").missed == []  # the last day itself: still on time
    result = sweep("2026-03-02")
    assert [x.pk for x in result.missed] == [d.pk]
    d.refresh_from_db()
    assert d.status == "missed" and d.completed_on is None
    officer = world.users[Role.CENTER_OFFICER]
    notice = Notification.objects.get(user=officer, kind="deadline.missed")
    assert notice.url == f"/applications/{app.pk}/"
    assert world.outlets["A"].name in notice.title
    assert Notification.objects.filter(user=world.users[Role.CENTER_LEADER], kind="deadline.escalation").count() == 1
    assert Notification.objects.filter(user=world.users[Role.REGULATOR], kind="deadline.escalation").count() == 1
    # Opening the accounts afterwards completes it; it stays missed (done after the last day).
    step = payloads(world)[-1]
    services.perform(app.pk, "open_accounts", actor=officer, data=step[3], at=at("2026-03-03"))
    d.refresh_from_db()
    assert d.status == "missed" and d.completed_on == date(2026, 3, 3)
    assert sweep("2026-03-04").escalated == []  # escalated once already


@pytest.mark.django_db
def test_scenario_a_requested_0327_due_0403_opened_0401_met(world, draft):
    app = walk(world, draft, until="open_accounts")
    d = center_deadline(app)
    assert (d.started_on, d.due_on) == (date(2026, 3, 27), date(2026, 4, 3))  # 03-28/29 is a weekend
    assert sweep("2026-04-01").reminded == []  # 04-03 is two working days away
    step = payloads(world)[-1]
    services.perform(app.pk, "open_accounts", actor=world.users[Role.CENTER_OFFICER], data=step[3], at=at("2026-04-01"))
    d.refresh_from_db()
    assert (d.status, d.completed_on) == ("met", date(2026, 4, 1))
    result = sweep("2026-04-07")
    assert result.missed == [] and result.escalated == [] and result.reminded == []
    assert not Notification.objects.filter(kind__startswith="deadline.").exists()


@pytest.mark.django_db
def test_scenario_a_not_opened_reminded_on_0402_missed_after_qingming(world, draft):
    app = walk(world, draft, until="open_accounts")
    d = center_deadline(app)
    assert [x.pk for x in sweep("2026-04-02").reminded] == [d.pk]
    reminder = Notification.objects.get(user=world.users[Role.CENTER_OFFICER], kind="deadline.reminder")
    assert "2026-04-03" in reminder.title
    assert sweep("2026-04-03").missed == []
    assert [x.pk for x in sweep("2026-04-04").missed] == [d.pk]  # the day after the last day, a holiday
    assert sweep("2026-04-07").missed == []
