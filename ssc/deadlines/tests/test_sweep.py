"""The daily sweep: missed exactly when the last day has passed, reminders one working day before (调休
included, real 2026 dates), escalation digests and per-case notices, and nothing twice."""

from __future__ import annotations

from datetime import date

import pytest

from ssc.accounts.choices import Role
from ssc.core.testing import make_user
from ssc.deadlines import escalation, services
from ssc.deadlines.models import Deadline, DeadlineStatus
from ssc.deadlines.tasks import sweep_deadlines_task
from ssc.notifications.models import Notification
from ssc.workcalendar import services as cal
from ssc.workcalendar.models import CalendarDay, CalendarYear


def deadline(due: date, *, responsible: str = "center", kind: str = "center_open_accounts", **extra) -> Deadline:
    """A deadline whose last day is ``due`` (stored directly: the sweep only looks at ``due_on``)."""
    values = {
        "case_type": "application",
        "case_id": 999_000 + Deadline.objects.count(),
        "kind": kind,
        "label": "市社保卡服务中心开通账户、更新名单（5个工作日）",
        "article": "7(5)",
        "responsible": responsible,
        "started_on": date(2026, 1, 5),
        "due_on": due,
    }
    values.update(extra)
    return Deadline.objects.create(**values)


def sweep(day: str) -> services.SweepResult:
    return services.sweep(today=date.fromisoformat(day), notify=escalation.notify_sweep)


def kinds_for(user) -> list[str]:
    return sorted(Notification.objects.filter(user=user).values_list("kind", flat=True))


@pytest.mark.django_db
def test_missed_exactly_those_past_their_last_day(world):
    yesterday = deadline(date(2026, 3, 4))
    today = deadline(date(2026, 3, 5))
    done = deadline(date(2026, 3, 2), completed_on=date(2026, 3, 2), status=DeadlineStatus.MET)
    result = services.sweep(today=date(2026, 3, 5))
    assert [d.pk for d in result.missed] == [yesterday.pk]
    yesterday.refresh_from_db()
    today.refresh_from_db()
    done.refresh_from_db()
    assert yesterday.status == "missed" and yesterday.escalated_at is not None and yesterday.completed_on is None
    assert today.status == "pending"  # an act is on time until the end of the last day (Civil Code Art 203)
    assert done.status == "met" and done.escalated_at is None


@pytest.mark.django_db
def test_the_issue_case_due_on_the_27th_missed_on_march_2(world):
    """Requested 2026-02-13 (Fri): 02-14 is a make-up working Saturday, 02-15..23 Spring Festival → due 02-27."""
    d = services.start(
        case_type="application",
        case_id=1,
        kind="center_open_accounts",
        started_on=date(2026, 2, 13),
        workdays=5,
        responsible="center",
    )
    assert d.due_on == date(2026, 2, 27)
    assert services.sweep(today=date(2026, 2, 27)).missed == []
    result = services.sweep(today=date(2026, 3, 2))
    assert [x.pk for x in result.missed] == [d.pk]
    d.refresh_from_db()
    assert d.status == "missed"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("due", "not_on", "reminded_on"),
    [
        ("2026-03-09", "2026-03-05", "2026-03-06"),  # due Monday → the Friday before
        ("2026-03-02", "2026-02-27", "2026-02-28"),  # due Monday after a make-up working Saturday (调休)
        ("2026-04-07", "2026-04-02", "2026-04-03"),  # due Tuesday after Qingming (04-04..06 off)
        ("2026-02-24", "2026-02-13", "2026-02-14"),  # first day after Spring Festival → the make-up Saturday
        ("2026-05-06", "2026-04-29", "2026-04-30"),  # after Labour Day (05-01..05 off)
    ],
)
def test_reminder_one_working_day_before(world, due, not_on, reminded_on):
    d = deadline(date.fromisoformat(due))
    assert sweep(not_on).reminded == []
    result = sweep(reminded_on)
    assert [x.pk for x in result.reminded] == [d.pk]
    d.refresh_from_db()
    assert d.reminded_at is not None and d.status == "pending"
    officer = world.users[Role.CENTER_OFFICER]
    n = Notification.objects.get(user=officer, kind="deadline.reminder")
    assert due in n.title
    assert n.case_type == "application" and n.case_id == d.case_id


@pytest.mark.django_db
def test_due_today_and_not_reminded_yet_is_reminded(world):
    d = deadline(date(2026, 3, 6))
    result = sweep("2026-03-06")
    assert [x.pk for x in result.reminded] == [d.pk]
    assert "今天到期" in Notification.objects.get(user=world.users[Role.CENTER_OFFICER]).title


@pytest.mark.django_db
def test_escalation_digest_to_center_leader_and_regulators_and_notice_to_center_officers(world):
    nfra = make_user("regulator_nfra", Role.REGULATOR, world.orgs["nfra"])
    second_leader = make_user("center_leader_2", Role.CENTER_LEADER, world.orgs["center"])
    make_user("inactive_leader", Role.CENTER_LEADER, world.orgs["center"], is_active=False)
    a = deadline(date(2026, 3, 3), district=world.districts["A"])
    b = deadline(date(2026, 3, 4), district=world.districts["B"])
    result = sweep("2026-03-05")
    assert {d.pk for d in result.escalated} == {a.pk, b.pk}
    for user in (world.users[Role.CENTER_LEADER], second_leader, world.users[Role.REGULATOR], nfra):
        digests = Notification.objects.filter(user=user, kind="deadline.escalation")
        assert digests.count() == 1, user.username  # one digest per recipient per sweep
        digest = digests.get()
        assert "2 项法定期限已超期" in digest.title
        assert "渝中区" in digest.body and "沙坪坝区" in digest.body
        assert digest.url == "/deadlines/?status=missed"
    assert not Notification.objects.filter(user__username="inactive_leader").exists()
    officer = world.users[Role.CENTER_OFFICER]
    per_case = Notification.objects.filter(user=officer, kind="deadline.missed")
    assert sorted(per_case.values_list("case_id", flat=True)) == sorted([a.case_id, b.case_id])
    # District users, banks and the others are not told about the center's deadlines.
    for role in (Role.DISTRICT_OFFICER, Role.DISTRICT_LEADER, Role.BANK_APPLICANT, Role.OUTLET_STAFF):
        assert not Notification.objects.filter(user=world.users[role]).exists()
    assert result.notifications == Notification.objects.count()


@pytest.mark.django_db
def test_district_deadline_notice_goes_to_that_districts_officers(world):
    d = deadline(date(2026, 3, 3), responsible="district_agency", kind="district_step", district=world.districts["A"])
    sweep("2026-03-05")
    assert kinds_for(world.users[Role.DISTRICT_OFFICER]) == ["deadline.missed"]
    assert Notification.objects.get(user=world.users[Role.DISTRICT_OFFICER]).case_id == d.case_id
    assert kinds_for(world.other[Role.DISTRICT_OFFICER]) == []
    assert kinds_for(world.users[Role.CENTER_OFFICER]) == []


@pytest.mark.django_db
def test_second_sweep_tells_nobody_again(world):
    deadline(date(2026, 3, 3))
    deadline(date(2026, 3, 9))  # reminded on Friday 03-06
    first = sweep("2026-03-06")
    assert len(first.missed) == 1 and len(first.reminded) == 1
    count = Notification.objects.count()
    assert count > 0
    again = sweep("2026-03-06")
    assert again.missed == [] and again.escalated == [] and again.reminded == []
    assert again.notifications == 0
    later = sweep("2026-03-07")  # the next day: the reminded deadline is not reminded again
    assert later.reminded == [] and later.escalated == []
    assert Notification.objects.count() == count


@pytest.mark.django_db
def test_completed_late_is_escalated_once_without_a_per_case_notice(world):
    d = deadline(date(2026, 3, 3))
    done = services.complete(case_type=d.case_type, case_id=d.case_id, kinds=(d.kind,), on=date(2026, 3, 4))
    assert done[0].status == "missed"
    result = sweep("2026-03-05")
    assert result.missed == [] and [x.pk for x in result.escalated] == [d.pk]
    assert kinds_for(world.users[Role.CENTER_LEADER]) == ["deadline.escalation"]
    assert kinds_for(world.users[Role.CENTER_OFFICER]) == []  # already done: nothing left to urge
    assert sweep("2026-03-06").escalated == []


@pytest.mark.django_db
def test_on_missed_hooks_get_the_newly_missed_of_their_kind(world, monkeypatch):
    seen = []
    monkeypatch.setitem(services.ON_MISSED, "rectification", lambda items, today: seen.append((items, today)))
    r = deadline(date(2026, 3, 3), kind="rectification", responsible="outlet")
    deadline(date(2026, 3, 3))
    services.sweep(today=date(2026, 3, 5))
    assert len(seen) == 1
    assert [d.pk for d in seen[0][0]] == [r.pk] and seen[0][1] == date(2026, 3, 5)


@pytest.mark.django_db
def test_a_failing_notifier_rolls_the_sweep_back(world):
    d = deadline(date(2026, 3, 3))

    def boom(result):
        raise RuntimeError("mail server down")

    with pytest.raises(RuntimeError):
        services.sweep(today=date(2026, 3, 5), notify=boom)
    d.refresh_from_db()
    assert d.status == "pending" and d.escalated_at is None


@pytest.mark.django_db
def test_missing_calendar_year_still_sweeps_and_says_so(world):
    """On 2026-12-31 the next working day lies in 2027, which has no calendar: deadlines due today are still
    reminded, missed ones still escalated, and the result asks for the calendar."""
    CalendarDay.objects.filter(date__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()
    cal.invalidate()
    due_today = deadline(date(2026, 12, 31))
    late = deadline(date(2026, 12, 30))
    result = sweep("2026-12-31")
    assert [d.pk for d in result.reminded] == [due_today.pk]
    assert [d.pk for d in result.missed] == [late.pk]
    assert "2027" in result.calendar_missing


@pytest.mark.django_db
def test_task_runs_the_sweep_with_notifications(world):
    deadline(date(2026, 3, 3))
    summary = sweep_deadlines_task("2026-03-05")
    jobs = summary.pop("jobs")  # the other apps' daily work (services.DAILY_JOBS), run after the sweep
    assert len(jobs) == len(services.DAILY_JOBS) and all(isinstance(j, str) for j in jobs)
    assert summary == {
        "today": "2026-03-05",
        "missed": 1,
        "escalated": 1,
        "reminded": 0,
        "notifications": summary["notifications"],
        "calendar_missing": "",
    }
    assert summary["notifications"] == Notification.objects.count() > 0
    assert sweep_deadlines_task("2026-03-05")["notifications"] == 0


@pytest.mark.django_db
def test_overdue_workdays(world):
    assert services.overdue_workdays(date(2026, 2, 27), date(2026, 3, 2)) == 2  # 02-28 (调休) and 03-02
    assert services.overdue_workdays(date(2026, 3, 2), date(2026, 3, 2)) == 0


@pytest.mark.django_db
def test_per_case_notices_are_capped_then_summarised(world, settings):
    settings.SSC_SWEEP_PER_CASE_LIMIT = 2
    for day in (2, 3, 4, 5, 6):
        deadline(date(2026, 3, day))
    for _ in range(3):
        deadline(date(2026, 3, 10))  # reminded on 03-09
    result = sweep("2026-03-09")
    assert len(result.missed) == 5 and len(result.reminded) == 3
    officer = world.users[Role.CENTER_OFFICER]
    missed = Notification.objects.filter(user=officer, kind="deadline.missed")
    assert missed.filter(case_id__isnull=False).count() == 2
    overflow = missed.get(case_id__isnull=True)
    assert "另有 3 项" in overflow.title and overflow.url == "/deadlines/?status=overdue"
    reminders = Notification.objects.filter(user=officer, kind="deadline.reminder")
    assert reminders.filter(case_id__isnull=False).count() == 2
    assert "另有 1 项" in reminders.get(case_id__isnull=True).title
    digest = Notification.objects.get(user=world.users[Role.CENTER_LEADER], kind="deadline.escalation")
    assert "5 项法定期限已超期" in digest.title  # the digest always counts every one


@pytest.mark.django_db
def test_case_pages_of_every_workflow(world):
    from ssc.deadlines.cases import CaseIndex
    from ssc.workflow import engine

    index = CaseIndex()
    assert index.url(Deadline(case_type="application", case_id=5)) == "/applications/5/"
    for name in engine._bindings:  # found by the app's route naming, never an error
        url = index.url(Deadline(case_type=name, case_id=5))
        assert url == "" or url.endswith("/5/"), (name, url)
    assert index.url(Deadline(case_type="unknown", case_id=5)) == ""
    assert index.name(Deadline(case_type="unknown", case_id=5)) == "unknown #5"
