"""Property tests: the engine against a plain day-by-day count over the stored days (the oracle)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssc.core.errors import CalendarMissing
from ssc.workcalendar import services
from ssc.workcalendar.models import CalendarDay

pytestmark = pytest.mark.django_db
PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
FIRST, LAST = date(2024, 1, 1), date(2026, 12, 31)


@pytest.fixture
def workday_map():
    return dict(CalendarDay.objects.values_list("date", "is_workday"))


def oracle_add(days: dict[date, bool], start: date, n: int) -> date | None:
    d, counted = start, 0
    while counted < n:
        d += timedelta(days=1)
        if d not in days:
            return None
        counted += days[d]
    return d


@PROPERTY_SETTINGS
@given(start=st.dates(FIRST - timedelta(days=1), LAST), n=st.integers(1, 400))
def test_add_workdays_matches_the_day_by_day_count(workday_map, start, n):
    expected = oracle_add(workday_map, start, n)
    if expected is None:
        with pytest.raises(CalendarMissing) as exc:
            services.add_workdays(start, n)
        assert exc.value.year == 2027
        return
    result = services.add_workdays(start, n)
    assert result == expected
    # the result is a working day, and (start, result] holds exactly n working days
    assert services.is_workday(result)
    assert services.workdays_between(start, result) == n
    assert sum(workday_map[start + timedelta(days=i)] for i in range(1, (result - start).days + 1)) == n
    # and it is the first such day: one day earlier there were only n - 1
    assert services.workdays_between(start, result - timedelta(days=1)) == n - 1


@PROPERTY_SETTINGS
@given(a=st.dates(FIRST - timedelta(days=1), LAST), b=st.dates(FIRST - timedelta(days=1), LAST))
def test_workdays_between_matches_the_count(workday_map, a, b):
    lo, hi = min(a, b), max(a, b)
    count = sum(workday_map[lo + timedelta(days=i)] for i in range(1, (hi - lo).days + 1))
    assert services.workdays_between(a, b) == (count if b >= a else -count)


@PROPERTY_SETTINGS
@given(d=st.dates(FIRST, LAST))
def test_next_workday(workday_map, d):
    expected = d
    while expected in workday_map and not workday_map[expected]:
        expected += timedelta(days=1)
    if expected not in workday_map:
        with pytest.raises(CalendarMissing):
            services.next_workday(d)
        return
    result = services.next_workday(d)
    assert result == expected and services.is_workday(result)
    assert all(not workday_map[d + timedelta(days=i)] for i in range((result - d).days))


@PROPERTY_SETTINGS
@given(start=st.dates(date(2023, 1, 1), LAST), months=st.integers(1, 36))
def test_months_period(workday_map, start, months):
    nominal = services.add_months(start, months)
    # Art 202: the same day of the month, or the month's last day when it has none
    assert (nominal.year * 12 + nominal.month) - (start.year * 12 + start.month) == months
    assert nominal.day == start.day or (nominal.day < start.day and (nominal + timedelta(days=1)).day == 1)
    try:
        due = services.add_months_period(start, months)
    except CalendarMissing as exc:
        # only the years of the end (or the rest days right after it) are needed, and they are missing
        assert exc.year in (nominal.year, nominal.year + 1)
        assert exc.year not in services.covered_years()
        return
    # Art 203: the first working day on or after the nominal end
    assert due >= nominal and workday_map[due]
    assert all(not workday_map[nominal + timedelta(days=i)] for i in range((due - nominal).days))
