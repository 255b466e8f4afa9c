"""The daily job (SCENARIOS D): an agreement ending 2026-12-31 is reminded on 2026-10-02 (90 days) and 2026-12-01
(30 days), once each, in-app and by e-mail, to the district officers and the outlet's bank applicant; unrenewed, it
is listed for Art 9(4) exit on 2027-01-01. The job runs from ``sweep_deadlines`` (``DAILY_JOBS``)."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from ssc.accounts.choices import Role
from ssc.agreements import selectors, services
from ssc.agreements.models import Agreement
from ssc.deadlines.services import DAILY_JOBS
from ssc.notifications.models import Notification
from ssc.registry.models import Outlet
from ssc.workflow.models import CaseEvent

from .conftest import at, pdf, register, renew_payload

R = Role
pytestmark = pytest.mark.django_db


def _kinds(user):
    return list(Notification.objects.filter(user=user, case_type="agreement").values_list("kind", flat=True))


def test_scenario_d_reminders_once_each_then_art_9_4(world, agreement, django_capture_on_commit_callbacks):
    for u in (*world.users.values(), *world.other.values()):
        u.email = f"{u.username}@example.invalid"
        u.save(update_fields=["email"])
    officer, applicant = world.users[R.DISTRICT_OFFICER], world.users[R.BANK_APPLICANT]
    sent: dict[date, tuple[list, list]] = {}
    day = date(2026, 9, 1)
    while day <= date(2027, 1, 3):
        with django_capture_on_commit_callbacks(execute=True):
            result = services.daily(today=day)
        if result.reminded[90] or result.reminded[30]:
            sent[day] = (result.reminded[90], result.reminded[30])
        day += timedelta(days=1)
    assert sent == {date(2026, 10, 2): ([agreement.pk], []), date(2026, 12, 1): ([], [agreement.pk])}
    reminders = ["agreement.expiry_reminder_90", "agreement.expiry_reminder_30"]
    assert _kinds(officer)[::-1][:2] == reminders
    assert _kinds(applicant)[::-1] == [*reminders, "agreement.expired"]
    for user in (world.users[R.OUTLET_STAFF], world.other[R.DISTRICT_OFFICER], world.other[R.BANK_APPLICANT]):
        assert not [k for k in _kinds(user) if "reminder" in k]
    title = Notification.objects.get(user=officer, kind="agreement.expiry_reminder_90").title
    assert "2026-12-31" in title and "90 天" in title
    to = {m.to[0] for m in mail.outbox if "将于 2026-12-31 到期" in m.subject}
    assert to == {officer.email, applicant.email}
    assert sum(1 for m in mail.outbox if m.subject.startswith(world.outlets["A"].name)) >= 4
    agreement.refresh_from_db()
    assert (agreement.reminded_90_on, agreement.reminded_30_on) == (date(2026, 10, 2), date(2026, 12, 1))
    # 2027-01-01: ended without renewal → expired, flagged for Art 9(4), the district and the bank told once.
    assert agreement.status == "expired" and agreement.ended_on == date(2027, 1, 1)
    assert CaseEvent.objects.filter(case_type="agreement", case_id=agreement.pk, action="expire").count() == 1
    assert not selectors.agreements_expired_unrenewed(today=date(2026, 12, 31)).exists()
    assert list(selectors.agreements_expired_unrenewed(today=date(2027, 1, 1))) == [agreement]
    for role in (R.DISTRICT_OFFICER, R.DISTRICT_LEADER, R.BANK_APPLICANT, R.BANK_HEAD_OFFICE):
        assert _kinds(world.users[role]).count("agreement.expired") == 1, role
    assert "agreement.expired" not in _kinds(world.other[R.DISTRICT_OFFICER])


def test_late_start_gets_only_the_reminder_that_still_applies(world):
    a = register(world, "AB", number="沙社卡合〔2024〕9号", end="2027-01-20")
    r = services.daily(today=date(2026, 12, 3))  # 48 days left: the 90-day reminder, late
    assert r.reminded[90] == [a.pk]
    r = services.daily(today=date(2026, 12, 25))  # 26 days left
    assert r.reminded[30] == [a.pk]
    b = register(world, "B", number="沙社卡合〔2024〕10号", end="2026-12-20")
    r = services.daily(today=date(2026, 12, 3))  # 17 days left: only the 30-day one
    assert r.reminded == {90: [], 30: [b.pk]}
    assert services.daily(today=date(2026, 12, 4)).reminded == {90: [], 30: []}
    b.refresh_from_db()
    assert b.reminded_90_on is None and b.reminded_30_on == date(2026, 12, 3)


def test_renewed_agreements_and_exited_outlets_get_no_reminder(world, agreement):
    services.perform(
        agreement.pk,
        "renew",
        actor=world.users[R.DISTRICT_OFFICER],
        data=renew_payload(),
        files={"signed_copy": pdf()},
        at=at("2026-11-20"),
    )
    other = register(world, "AB", number="沙社卡合〔2024〕2号")
    Outlet.objects.filter(pk=world.outlets["AB"].pk).update(status="terminated")
    result = services.daily(today=date(2026, 12, 1))
    assert result.reminded == {90: [], 30: []}
    # At the end of the term: the renewed one is superseded, the exited outlet's one expires without notices.
    result = services.daily(today=date(2027, 1, 1))
    assert sorted(result.expired) == [other.pk] and result.renewed == [agreement.pk]
    assert not Notification.objects.filter(kind="agreement.expired").exists()
    assert not selectors.agreements_expired_unrenewed(today=date(2027, 1, 1)).exists()


def test_selector_scoping_and_notice_period(world, agreement):
    other = register(world, "AB", number="沙社卡合〔2024〕2号", end="2026-11-30")
    today = date(2026, 12, 5)
    assert set(selectors.agreements_expired_unrenewed(today=today)) == {other}
    assert set(selectors.agreements_expired_unrenewed(today=today, notice_days=30)) == {other, agreement}
    assert set(selectors.agreements_expired_unrenewed(world.users[R.DISTRICT_OFFICER], today=today)) == set()
    assert set(selectors.agreements_expired_unrenewed(world.other[R.DISTRICT_OFFICER], today=today)) == {other}
    assert set(selectors.agreements_expired_unrenewed(world.users[R.BANK_HEAD_OFFICE], today=today)) == {other}
    assert set(selectors.agreements_expired_unrenewed(world.users[R.HOTLINE_OPERATOR], today=today)) == set()
    assert selectors.expired_unrenewed_for_outlet(world.outlets["AB"].pk, today=today) == other
    assert selectors.expired_unrenewed_for_outlet(world.outlets["A"].pk, today=today) is None
    assert selectors.expired_unrenewed_for_outlet(world.outlets["A"].pk, today=today, notice_days=30) == agreement


def test_sweep_deadlines_runs_the_job_once_a_day(world, agreement):
    assert services.daily_job in DAILY_JOBS
    out = StringIO()
    call_command("sweep_deadlines", "--today", "2026-10-02", "--quiet", stdout=out, stderr=StringIO())
    assert "2026-10-02 合作协议巡检" in out.getvalue() and "到期前90天提醒 1 份" in out.getvalue()
    out = StringIO()
    call_command("sweep_deadlines", "--today", "2026-10-02", "--quiet", stdout=out, stderr=StringIO())
    assert "到期前90天提醒 0 份" in out.getvalue()
    # SCENARIOS D: on 2027-01-01 there is no 2027 calendar; the sweep says so, the agreement job still runs.
    out, err = StringIO(), StringIO()
    call_command("sweep_deadlines", "--today", "2027-01-01", "--quiet", stdout=out, stderr=err)
    assert "到期未续签 1 份" in out.getvalue()
    assert Agreement.objects.get(pk=agreement.pk).status == "expired"
