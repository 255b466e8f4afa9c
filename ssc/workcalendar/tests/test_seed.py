"""Seeding from chinesecalendar, cross-checked with the independent ``holidays`` package."""

from __future__ import annotations

from datetime import date
from io import StringIO

import chinese_calendar
import holidays
import pytest
from django.core.management import CommandError, call_command

from ssc.audit.models import AuditEvent
from ssc.core.errors import ValidationFailed
from ssc.workcalendar import services, yeardata
from ssc.workcalendar.management.commands.load_calendar import parse_years
from ssc.workcalendar.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

# Build the holidays object once (STACK.md: constructions are slow).
CHINA = holidays.China(years=[2025, 2026])


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_holiday_the_holidays_package_lists_is_a_rest_day(year):
    listed = [d for d in CHINA if d.year == year]
    assert len(listed) >= 15
    for d in listed:
        assert not services.is_workday(d), (d, CHINA.get(d))
        assert CalendarDay.objects.get(date=d).is_holiday, d


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_table_equals_chinesecalendar(year):
    for day in CalendarDay.objects.filter(calendar_year_id=year):
        assert day.is_workday == chinese_calendar.is_workday(day.date), day.date


def test_library_names_are_chinese():
    names = set(CalendarDay.objects.exclude(holiday_name="").values_list("holiday_name", flat=True))
    assert names == {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"}


def test_compose_refuses_text_dates():
    with pytest.raises(ValidationFailed) as exc:
        yeardata.compose_year(2027, [("2027-01-01", "2027-01-03", "元旦")], ["2027-02-07"])
    assert set(exc.value.errors) == {"holidays", "makeup_workdays"}


def test_library_refuses_2027():
    with pytest.raises(yeardata.LibraryYearUnavailable):
        yeardata.library_year(2027)
    assert yeardata.library_year_span() == (2004, 2026)


def test_parse_years():
    assert parse_years("2024-2026") == [2024, 2025, 2026]
    assert parse_years("2025") == [2025]
    assert parse_years("2024,2026，2026") == [2024, 2026]
    for bad in ("", "abc", "2026-2024"):
        with pytest.raises(CommandError):
            parse_years(bad)


def test_load_calendar_command():
    out = StringIO()
    call_command("load_calendar", "--years", "2022-2024", stdout=out)
    text = out.getvalue()
    assert "2022: 已载入" in text and "2024: 已存在" in text
    assert services.covered_years() == (2022, 2023, 2024, 2025, 2026)
    assert CalendarDay.objects.filter(calendar_year_id=2023).count() == 365
    event = AuditEvent.objects.filter(action="calendar_year.load", object_id="2022").get()
    assert event.actor_id is None and event.source == "command"
    # 2023 is now there: a period issued in late 2023 counts from the library's data
    assert services.add_workdays(date(2023, 12, 29), 1) == date(2024, 1, 2)


def test_load_calendar_replace_overwrites_a_manual_year(world):
    from ssc.accounts.choices import Role

    services.calendar_year_enter(
        actor=world.users[Role.CENTER_OFFICER],
        year=2025,
        holidays=[(date(2025, 1, 1), date(2025, 1, 1), "元旦")],
        makeup_workdays=[],
        notice="错误录入",
    )
    assert services.is_workday(date(2025, 10, 2))
    call_command("load_calendar", "--years", "2025", stdout=StringIO())
    assert CalendarYear.objects.get(year=2025).notice == "错误录入"  # not replaced without --replace
    call_command("load_calendar", "--years", "2025", "--replace", stdout=StringIO())
    row = CalendarYear.objects.get(year=2025)
    assert row.source == "chinesecalendar" and row.notice == "国办发明电〔2024〕12号" and row.revision == 3
    assert not services.is_workday(date(2025, 10, 2))


def test_load_calendar_refuses_a_year_the_library_lacks():
    with pytest.raises(CommandError, match="2027"):
        call_command("load_calendar", "--years", "2026-2027", stdout=StringIO())
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_summary_round_trip():
    rows = list(CalendarDay.objects.filter(calendar_year_id=2026))
    summary = yeardata.summarise(rows)
    assert ["2026-02-15", "2026-02-23", "春节"] in summary["holidays"]
    assert [d for d, _n in summary["makeup_workdays"]] == [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ]
    # entering the summary again gives the same days
    recomposed, _r, _m = yeardata.compose_year(
        2026,
        [(date.fromisoformat(s), date.fromisoformat(e), n) for s, e, n in summary["holidays"]],
        [(date.fromisoformat(d), n) for d, n in summary["makeup_workdays"]],
    )
    assert [(r.date, r.is_workday, r.is_holiday) for r in recomposed] == [
        (r.date, r.is_workday, r.is_holiday) for r in rows
    ]
