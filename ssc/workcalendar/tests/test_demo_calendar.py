"""The demo's calendar step (``ssc.workcalendar.demo``): the demo works on any day of the year without guessing a
production calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from ssc.accounts.choices import Role
from ssc.core.errors import CalendarMissing
from ssc.workcalendar import demo, services
from ssc.workcalendar.models import CalendarYear

pytestmark = pytest.mark.django_db


def test_nothing_is_entered_while_the_demo_deadlines_fit_the_calendar(world):
    assert demo.ensure_calendar(dt.date(2026, 12, 3)) is None
    assert not CalendarYear.objects.filter(year=2027).exists()
    with pytest.raises(CalendarMissing):
        services.add_workdays(dt.date(2026, 12, 29), 5)


def test_late_december_enters_the_next_year_as_labelled_demo_data(world):
    assert demo.ensure_calendar(dt.date(2026, 12, 29), actor=world.users[Role.CENTER_OFFICER]) == 2027
    row = CalendarYear.objects.get(year=2027)
    assert "演示数据" in row.notice and "非国务院正式安排" in row.notice
    # 2026-12-29 (Tue) + 5 working days: 30, 31, (1 Jan holiday, 2-3 weekend), 4, 5, 6 → 2027-01-06.
    assert services.add_workdays(dt.date(2026, 12, 29), 5) == dt.date(2027, 1, 6)
    assert not services.is_workday(dt.date(2027, 10, 7)) and services.is_workday(dt.date(2027, 10, 8))
    # Entered once: the next call finds the horizon covered.
    assert demo.ensure_calendar(dt.date(2026, 12, 29)) is None
