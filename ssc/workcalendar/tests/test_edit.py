"""The center enters a year's State Council notice, or adjusts one day; both audited, both role-checked."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ssc.accounts.choices import Role
from ssc.audit.models import AuditEvent
from ssc.core.errors import CalendarMissing, NotAllowed, ValidationFailed
from ssc.workcalendar import services
from ssc.workcalendar.models import CalendarDay, CalendarYear
from ssc.workcalendar.services import add_months_period, add_workdays, calendar_day_set, calendar_year_enter

pytestmark = pytest.mark.django_db

# A made-up notice for a future year (the real 2027/2028 notices are not published yet).
HOLIDAYS_2027 = [
    (date(2027, 1, 1), date(2027, 1, 3), "元旦"),
    (date(2027, 2, 5), date(2027, 2, 13), "春节"),
    (date(2027, 10, 1), date(2027, 10, 7), "国庆节"),
]
MAKEUP_2027 = [(date(2027, 2, 20), "春节"), date(2027, 9, 26), date(2027, 10, 9)]
HOLIDAYS_2028 = [
    (date(2028, 1, 1), date(2028, 1, 3), "元旦"),
    (date(2028, 1, 25), date(2028, 2, 1), "春节"),
]
MAKEUP_2028 = [date(2028, 1, 22), date(2028, 2, 5)]


def enter_2027(actor, **overrides):
    kwargs = {
        "actor": actor,
        "year": 2027,
        "holidays": HOLIDAYS_2027,
        "makeup_workdays": MAKEUP_2027,
        "notice": "测试用通知（2027）",
    }
    kwargs.update(overrides)
    return calendar_year_enter(**kwargs)


def test_entering_a_new_year_makes_it_computable_at_once(center):
    with pytest.raises(CalendarMissing):
        add_workdays(date(2026, 12, 25), 5)  # compiles the table without 2027
    row = enter_2027(center)
    assert row.source == "manual" and row.entered_by == center and row.revision == 1
    assert CalendarDay.objects.filter(calendar_year=row).count() == 365
    # no explicit invalidate: the service refreshed the engine
    assert services.covered_years() == (2024, 2025, 2026, 2027)
    # 12-28..31 (4), 2027-01-01..03 holiday, 01-04 Monday is the 5th
    assert add_workdays(date(2026, 12, 25), 5) == date(2027, 1, 4)
    # Friday before the made-up Spring Festival: 02-05..13 off, make-up Saturday 02-20 counts
    assert add_workdays(date(2027, 2, 4), 6) == date(2027, 2, 20)
    assert add_months_period(date(2026, 10, 31), 3) == date(2027, 2, 1)
    assert add_months_period(date(2026, 11, 5), 3) == date(2027, 2, 15)  # 02-05 falls in the holiday


def test_day_kinds_of_an_entered_year(center):
    enter_2027(center)
    day = {d.date: d for d in CalendarDay.objects.filter(calendar_year_id=2027)}
    assert day[date(2027, 1, 2)].is_holiday and day[date(2027, 1, 2)].holiday_name == "元旦"  # a Saturday
    assert day[date(2027, 2, 20)].kind == "makeup_workday" and day[date(2027, 2, 20)].holiday_name == "春节"
    assert day[date(2027, 9, 26)].kind == "makeup_workday" and day[date(2027, 9, 26)].holiday_name == ""
    assert day[date(2027, 3, 6)].kind == "rest"  # an ordinary Saturday
    assert day[date(2027, 3, 8)].kind == "workday"
    assert sum(d.is_holiday for d in day.values()) == 3 + 9 + 7


def test_entering_is_audited_with_the_arrangement(center):
    enter_2027(center)
    event = AuditEvent.objects.get(action="calendar_year.enter")
    assert event.actor_id == center.pk
    assert event.object_id == "2027"
    assert event.before_json == ""
    after = json.loads(event.after_json)
    assert after["notice"] == "测试用通知（2027）"
    assert after["holidays"][1] == ["2027-02-05", "2027-02-13", "春节"]
    assert after["makeup_workdays"] == [["2027-02-20", "春节"], ["2027-09-26", ""], ["2027-10-09", ""]]
    assert after["holidays"] and after["day_count"] == 365


def test_re_entering_replaces_the_whole_year(center):
    enter_2027(center)
    row = enter_2027(center, holidays=HOLIDAYS_2027[:1], makeup_workdays=[], notice="更正")
    assert row.revision == 2 and row.notice == "更正"
    assert CalendarDay.objects.filter(calendar_year_id=2027).count() == 365
    assert CalendarDay.objects.filter(calendar_year_id=2027, is_holiday=True).count() == 3
    assert services.is_workday(date(2027, 2, 8))  # no longer a holiday
    assert not services.is_workday(date(2027, 2, 20))  # no longer a make-up day
    event = AuditEvent.objects.filter(action="calendar_year.enter").order_by("-seq").first()
    assert json.loads(event.before_json)["notice"] == "测试用通知（2027）"


def test_a_library_year_can_be_overridden_by_the_center(center):
    row = calendar_year_enter(
        actor=center, year=2026, holidays=[(date(2026, 1, 1), date(2026, 1, 1), "元旦")], makeup_workdays=[], notice="x"
    )
    assert row.source == "manual"
    assert services.is_workday(date(2026, 2, 16))


def test_leap_year_month_end_clamp_in_a_manually_entered_year(center):
    calendar_year_enter(actor=center, year=2028, holidays=HOLIDAYS_2028, makeup_workdays=MAKEUP_2028, notice="t")
    assert services.covered_years() == (2024, 2025, 2026, 2028)  # 2027 is still missing
    assert services.add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months_period(date(2027, 11, 30), 3) == date(2028, 2, 29)  # a Tuesday
    assert add_months_period(date(2027, 12, 31), 2) == date(2028, 2, 29)
    assert add_months_period(date(2027, 10, 1), 3) == date(2028, 1, 4)  # 元旦 01-01..03
    # counting working days through the gap year is refused
    with pytest.raises(CalendarMissing) as exc:
        add_workdays(date(2026, 12, 30), 5)
    assert exc.value.year == 2027
    # but a start on the last day of 2027 only needs 2028
    assert add_workdays(date(2027, 12, 31), 1) == date(2028, 1, 4)
    with pytest.raises(CalendarMissing):
        services.workdays_between(date(2026, 12, 1), date(2028, 1, 10))


@pytest.mark.parametrize("role", list(Role))
def test_only_center_and_system_admin_may_enter(world, role):
    user = world.users[role]
    allowed = role in {Role.CENTER_OFFICER, Role.CENTER_LEADER, Role.SYSTEM_ADMIN}
    if allowed:
        assert enter_2027(user).year == 2027
    else:
        with pytest.raises(NotAllowed):
            enter_2027(user)
        assert not CalendarYear.objects.filter(year=2027).exists()
        with pytest.raises(NotAllowed):
            calendar_day_set(actor=user, day=date(2026, 3, 2), is_workday=False, reason="x")


def test_nobody_is_not_an_editor():
    with pytest.raises(NotAllowed):
        enter_2027(None)


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"notice": " "}, "notice", "通知"),
        ({"holidays": []}, "holidays", "至少"),
        ({"holidays": [(date(2027, 1, 3), date(2027, 1, 1), "元旦")]}, "holidays", "早于"),
        ({"holidays": [(date(2027, 1, 1), date(2027, 1, 3), "")]}, "holidays", "名称"),
        ({"holidays": [(date(2026, 12, 31), date(2027, 1, 2), "元旦")]}, "holidays", "2027年内"),
        (
            {"holidays": [(date(2027, 1, 1), date(2027, 1, 3), "元旦"), (date(2027, 1, 3), date(2027, 1, 4), "x")]},
            "holidays",
            "重叠",
        ),
        ({"makeup_workdays": [date(2027, 3, 3)]}, "makeup_workdays", "周六或周日"),
        ({"makeup_workdays": [date(2027, 1, 2)]}, "makeup_workdays", "之内"),
        ({"makeup_workdays": [date(2028, 1, 8)]}, "makeup_workdays", "2027年内"),
        ({"makeup_workdays": [date(2027, 2, 20), date(2027, 2, 20)]}, "makeup_workdays", "重复"),
        ({"year": 1999}, "year", "2000"),
        ({"year": "2027"}, "year", "整数"),
    ],
)
def test_entry_validation_names_the_field(center, overrides, field, fragment):
    with pytest.raises(ValidationFailed) as exc:
        enter_2027(center, **overrides)
    assert field in exc.value.errors, exc.value.errors
    assert any(fragment in str(m) for m in exc.value.errors[field]), exc.value.errors
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not AuditEvent.objects.filter(action="calendar_year.enter").exists()


def test_set_one_day(center):
    assert services.is_workday(date(2026, 3, 2))
    row = calendar_day_set(actor=center, day=date(2026, 3, 2), is_workday=False, holiday_name="临时", reason="测试")
    assert row.is_holiday and row.kind == "holiday"
    assert not services.is_workday(date(2026, 3, 2))  # immediate
    assert add_workdays(date(2026, 2, 27), 2) == date(2026, 3, 3)
    assert CalendarYear.objects.get(year=2026).revision == 2
    event = AuditEvent.objects.get(action="calendar_day.set")
    assert json.loads(event.before_json) == {"is_workday": True, "is_holiday": False, "holiday_name": ""}
    assert json.loads(event.after_json)["reason"] == "测试"
    # a cross-year holiday: a Saturday of the previous year made a working day
    calendar_day_set(actor=center, day=date(2026, 3, 7), is_workday=True, holiday_name="春节", reason="测试")
    assert services.is_workday(date(2026, 3, 7))
    assert CalendarDay.objects.get(date=date(2026, 3, 7)).kind == "makeup_workday"


def test_set_one_day_needs_a_reason_and_an_entered_year(center):
    with pytest.raises(ValidationFailed) as exc:
        calendar_day_set(actor=center, day=date(2026, 3, 2), is_workday=False, reason="")
    assert "reason" in exc.value.errors
    with pytest.raises(CalendarMissing):
        calendar_day_set(actor=center, day=date(2027, 3, 2), is_workday=False, reason="x")
    with pytest.raises(ValidationFailed) as exc:
        calendar_day_set(actor=center, day="2026-03-02", is_workday=False, reason="x")
    assert "day" in exc.value.errors


def test_rest_day_without_name_is_not_a_holiday(center):
    row = calendar_day_set(actor=center, day=date(2026, 3, 2), is_workday=False, reason="x")
    assert not row.is_holiday and row.kind == "rest"
