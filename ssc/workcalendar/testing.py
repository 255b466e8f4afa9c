"""Test helpers for other apps: make sure the seeded calendar (2024–2026) is there and the engine is fresh.

A transactional test (``transaction=True``) ends with a flush that empties every table, including the
calendar seeded by migration ``0002``; tests that compute deadlines afterwards call ``ensure_seeded()``
(or use the ``calendar_seeded`` fixture of ``ssc/workcalendar/tests/conftest.py``).
"""

from __future__ import annotations

from . import services, yeardata
from .models import CalendarDay, CalendarYear

SEEDED_YEARS = (2024, 2025, 2026)


def ensure_seeded(years: tuple[int, ...] = SEEDED_YEARS) -> None:
    """(Re)create the library years that are missing, without audit (as the migration does)."""
    for year in years:
        if CalendarYear.objects.filter(year=year).exists():
            continue
        row = CalendarYear.objects.create(year=year, source="chinesecalendar", notice=yeardata.library_notice(year))
        CalendarDay.objects.bulk_create(
            CalendarDay(
                date=r.date,
                calendar_year=row,
                is_workday=r.is_workday,
                is_holiday=r.is_holiday,
                holiday_name=r.holiday_name,
            )
            for r in yeardata.library_year(year)
        )
    services.invalidate()
