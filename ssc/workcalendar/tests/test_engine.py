"""The deadline engine against the real 2024–2026 State Council holiday arrangements (seeded by migration)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import F

from ssc.core.errors import CalendarMissing, ValidationFailed
from ssc.workcalendar import services
from ssc.workcalendar.models import CalendarDay, CalendarYear
from ssc.workcalendar.services import (
    add_months,
    add_months_period,
    add_workdays,
    is_workday,
    next_workday,
    workdays_between,
)

pytestmark = pytest.mark.django_db


def test_the_migration_seeded_2024_to_2026_completely():
    assert services.covered_years() == (2024, 2025, 2026)
    assert CalendarDay.objects.filter(calendar_year_id=2024).count() == 366
    for year in (2025, 2026):
        assert CalendarDay.objects.filter(calendar_year_id=year).count() == 365
    row = CalendarYear.objects.get(year=2025)
    assert row.source == "chinesecalendar"
    assert row.notice == "国办发明电〔2024〕12号"


# --- the real holiday weeks ----------------------------------------------------------------------------


def test_2025_national_day_and_mid_autumn():
    # 国办发明电〔2024〕12号: 10-01..10-08 off; 09-28 (Sun) and 10-11 (Sat) worked.
    for day in range(1, 9):
        d = date(2025, 10, day)
        assert not is_workday(d), d
        assert CalendarDay.objects.get(date=d).is_holiday
    assert is_workday(date(2025, 9, 28))
    assert is_workday(date(2025, 10, 11))
    assert CalendarDay.objects.get(date=date(2025, 9, 28)).kind == "makeup_workday"
    assert is_workday(date(2025, 10, 9))
    assert not is_workday(date(2025, 10, 12))  # an ordinary Sunday


def test_2025_spring_festival():
    # 01-28 (除夕) .. 02-04 off; 01-26 (Sun) and 02-08 (Sat) worked.
    assert [is_workday(date(2025, 1, d)) for d in range(26, 32)] == [True, True, False, False, False, False]
    assert [is_workday(date(2025, 2, d)) for d in range(1, 9)] == [False] * 4 + [True] * 4
    assert CalendarDay.objects.get(date=date(2025, 1, 29)).holiday_name == "春节"


def test_2026_spring_festival():
    # 02-15 .. 02-23 off (9 days); 02-14 (Sat) and 02-28 (Sat) worked.
    assert is_workday(date(2026, 2, 14))
    assert all(not is_workday(date(2026, 2, d)) for d in range(15, 24))
    assert is_workday(date(2026, 2, 24))
    assert is_workday(date(2026, 2, 28))
    assert not is_workday(date(2026, 3, 1))


def test_2026_new_year_and_national_day():
    assert [is_workday(date(2026, 1, d)) for d in range(1, 6)] == [False, False, False, True, True]
    assert all(not is_workday(date(2026, 10, d)) for d in range(1, 8))
    assert is_workday(date(2026, 9, 20)) and is_workday(date(2026, 10, 10))


# --- add_workdays (Art 201: the start day is not counted) ------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (date(2026, 2, 13), 5, date(2026, 2, 27)),  # Friday before Spring Festival; 02-14 is a make-up day
        (date(2026, 3, 27), 5, date(2026, 4, 3)),  # Qingming 04-04..06 comes after the 5th day
        (date(2026, 10, 12), 5, date(2026, 10, 19)),  # an ordinary week
        (date(2025, 9, 26), 5, date(2025, 10, 10)),  # Friday before National Day: 09-28 (Sun) counts
        (date(2025, 1, 24), 5, date(2025, 2, 7)),  # Friday before the 2025 Spring Festival
        (date(2026, 9, 18), 5, date(2026, 9, 24)),  # Friday; Sunday 09-20 is a make-up working day
        (date(2026, 9, 30), 5, date(2026, 10, 13)),  # eve of National Day; 10-10 (Sat) counts
        (date(2026, 10, 3), 1, date(2026, 10, 8)),  # a request made during the holiday
        (date(2026, 2, 14), 1, date(2026, 2, 24)),  # made on a make-up Saturday: that day is not counted
        (date(2026, 4, 30), 1, date(2026, 5, 6)),  # Labour Day 05-01..05
        (date(2026, 12, 24), 5, date(2026, 12, 31)),  # ends on the last covered day
        (date(2024, 12, 27), 5, date(2025, 1, 6)),  # across a year boundary (2025-01-01 off)
    ],
)
def test_add_workdays(start, n, due):
    assert add_workdays(start, n) == due


def test_add_workdays_accepts_a_datetime_and_returns_a_date():
    from datetime import datetime

    assert add_workdays(datetime(2026, 2, 13, 23, 59), 5) == date(2026, 2, 27)
    assert type(add_workdays(date(2026, 2, 13), 5)) is date


@pytest.mark.parametrize("n", [0, -1, 1.5, "5", None, True])
def test_add_workdays_rejects_a_bad_count(n):
    # bool is an int subclass, but True is not a count of days
    with pytest.raises(ValidationFailed) as exc:
        add_workdays(date(2026, 2, 13), n)
    assert "n" in exc.value.errors


def test_add_workdays_rejects_a_bad_start():
    with pytest.raises(ValidationFailed) as exc:
        add_workdays("2026-02-13", 5)
    assert "start" in exc.value.errors


# --- next_workday, is_workday, workdays_between ----------------------------------------------------------


def test_next_workday():
    assert next_workday(date(2026, 2, 13)) == date(2026, 2, 13)  # a working day is its own next working day
    assert next_workday(date(2026, 2, 15)) == date(2026, 2, 24)
    assert next_workday(date(2026, 1, 1)) == date(2026, 1, 4)  # Sunday make-up day
    assert next_workday(date(2026, 3, 7)) == date(2026, 3, 9)  # Saturday → Monday


def test_workdays_between():
    assert workdays_between(date(2026, 2, 13), date(2026, 2, 27)) == 5
    assert workdays_between(date(2026, 2, 27), date(2026, 2, 13)) == -5
    assert workdays_between(date(2026, 2, 13), date(2026, 2, 13)) == 0
    assert workdays_between(date(2026, 2, 14), date(2026, 2, 23)) == 0  # the holiday itself
    for year in (2025, 2026):
        expected = CalendarDay.objects.filter(calendar_year_id=year, is_workday=True).count()
        assert workdays_between(date(year - 1, 12, 31), date(year, 12, 31)) == expected
    assert workdays_between(date(2024, 12, 31), date(2025, 12, 31)) == 248


# --- periods of months (Art 202, 203) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "nominal", "due"),
    [
        # 2026-02-28 is a Saturday but a Spring Festival make-up working day: it stays.
        (date(2025, 11, 30), 3, date(2026, 2, 28), date(2026, 2, 28)),
        # 2026-07-05 is a Sunday → Monday.
        (date(2026, 4, 5), 3, date(2026, 7, 5), date(2026, 7, 6)),
        # 2026-01-01 New Year (01-01..03 off) → Sunday 01-04, a make-up working day.
        (date(2025, 10, 1), 3, date(2026, 1, 1), date(2026, 1, 4)),
        # leap year clamp: 30 Nov + 3 months → 29 Feb, a Thursday.
        (date(2023, 11, 30), 3, date(2024, 2, 29), date(2024, 2, 29)),
        (date(2024, 11, 30), 3, date(2025, 2, 28), date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29), date(2024, 2, 29)),
        (date(2026, 1, 31), 1, date(2026, 2, 28), date(2026, 2, 28)),
        (date(2025, 8, 31), 1, date(2025, 9, 30), date(2025, 9, 30)),
        # ends inside National Day 2025 → 10-09.
        (date(2025, 7, 3), 3, date(2025, 10, 3), date(2025, 10, 9)),
    ],
)
def test_months_period(start, months, nominal, due):
    assert add_months(start, months) == nominal
    assert add_months_period(start, months) == due


def test_months_period_only_needs_the_years_of_its_end():
    # 2023 has no calendar, but a period issued then and ending in 2024 is computed.
    assert 2023 not in services.covered_years()
    assert add_months_period(date(2023, 12, 1), 3) == date(2024, 3, 1)


@pytest.mark.parametrize("n", [0, -3, 1201, "3"])
def test_months_rejects_a_bad_count(n):
    with pytest.raises(ValidationFailed):
        add_months_period(date(2026, 1, 1), n)


# --- a year without calendar is never guessed ------------------------------------------------------------


def _missing_year(fn, *args):
    with pytest.raises(CalendarMissing) as exc:
        fn(*args)
    assert exc.value.status == 422
    return exc.value


def test_missing_year_raises_naming_it():
    exc = _missing_year(add_workdays, date(2026, 12, 25), 5)
    assert exc.year == 2027
    assert "2027年" in str(exc.detail)
    assert "尚未录入2027年工作日历" in str(exc.detail)


def test_missing_year_for_every_operation():
    assert _missing_year(is_workday, date(2027, 1, 4)).year == 2027
    assert _missing_year(next_workday, date(2027, 1, 1)).year == 2027
    assert _missing_year(add_months_period, date(2026, 10, 31), 3).year == 2027
    assert _missing_year(workdays_between, date(2026, 12, 1), date(2027, 1, 10)).year == 2027
    # before the first covered year: the first counted day (2023-12-30) has no calendar
    assert _missing_year(add_workdays, date(2023, 12, 29), 1).year == 2023
    assert _missing_year(add_workdays, date(1999, 1, 1), 1).year == 1999
    # a huge count runs past the end of the calendar
    assert _missing_year(add_workdays, date(2024, 1, 1), 100_000).year == 2027


def test_next_workday_at_year_end_needs_next_year():
    # 2026-12-31 is a Thursday and a working day: fine. A Saturday at the end would need 2027.
    assert next_workday(date(2026, 12, 31)) == date(2026, 12, 31)
    CalendarDay.objects.filter(date=date(2026, 12, 31)).update(is_workday=False)
    CalendarYear.objects.filter(year=2026).update(revision=F("revision") + 1)
    services.invalidate()
    assert _missing_year(next_workday, date(2026, 12, 31)).year == 2027


def test_no_calendar_at_all():
    CalendarYear.objects.all().delete()
    services.invalidate()
    assert services.covered_years() == ()
    assert _missing_year(add_workdays, date(2026, 2, 13), 5).year == 2026


# --- cache: compiled once, refreshed when the calendar changes -------------------------------------------


def test_an_incomplete_year_counts_as_absent():
    CalendarDay.objects.filter(date=date(2025, 7, 1)).delete()
    CalendarYear.objects.filter(year=2025).update(revision=F("revision") + 1)
    services.invalidate()
    assert services.covered_years() == (2024, 2026)
    assert _missing_year(add_workdays, date(2025, 3, 3), 1).year == 2025
    # 2024 and 2026 still work, each on its own
    assert add_workdays(date(2026, 2, 13), 5) == date(2026, 2, 27)
    assert _missing_year(add_workdays, date(2024, 12, 30), 5).year == 2025


def test_changes_by_another_process_are_seen_after_the_recheck_interval():
    assert is_workday(date(2026, 3, 2))
    # Another process changes the table directly (as through its own services) ...
    CalendarDay.objects.filter(date=date(2026, 3, 2)).update(is_workday=False)
    CalendarYear.objects.filter(year=2026).update(revision=F("revision") + 1)
    # ... within the recheck interval this process still uses its compiled table ...
    assert is_workday(date(2026, 3, 2))
    # ... and once the interval has passed, the fingerprint differs and the table is rebuilt.
    services._table.check_at = 0
    assert not is_workday(date(2026, 3, 2))
    assert add_workdays(date(2026, 2, 27), 1) == date(2026, 2, 28)
    assert add_workdays(date(2026, 2, 28), 1) == date(2026, 3, 3)


def test_the_compiled_table_is_reused_while_unchanged(django_assert_num_queries):
    add_workdays(date(2026, 2, 13), 5)
    with django_assert_num_queries(0):
        for _ in range(100):
            add_workdays(date(2026, 2, 13), 5)
    services._table.check_at = 0
    with django_assert_num_queries(1):  # only the fingerprint
        add_workdays(date(2026, 2, 13), 5)
