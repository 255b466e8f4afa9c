"""Reads of the calendar for pages and API: the years list and month grids."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .choices import DAY_BADGE_COLOURS, DAY_MARKS, DayKind
from .models import CalendarDay, CalendarYear, day_kind

WEEKDAY_HEADERS = [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")]
WEEKDAY_NAMES = [_("星期一"), _("星期二"), _("星期三"), _("星期四"), _("星期五"), _("星期六"), _("星期日")]


def years_overview() -> QuerySet[CalendarYear]:
    """Every entered year with counts of working days, rest days, holidays and make-up working days."""
    weekend = Q(days__date__week_day__in=[1, 7])  # Django: 1 = Sunday, 7 = Saturday
    return (
        CalendarYear.objects.select_related("entered_by")
        .annotate(
            workday_count=Count("days", filter=Q(days__is_workday=True)),
            rest_day_count=Count("days", filter=Q(days__is_workday=False)),
            holiday_count=Count("days", filter=Q(days__is_holiday=True)),
            makeup_workday_count=Count("days", filter=Q(days__is_workday=True) & weekend),
        )
        .order_by("year")
    )


def year_days(year: int) -> list[CalendarDay]:
    return list(CalendarDay.objects.filter(calendar_year_id=year).order_by("date"))


def _cell(day: Any) -> dict[str, Any]:
    kind = day_kind(day.date, day.is_workday, day.is_holiday)
    label = str(DayKind(kind).label)
    title = f"{day.date.isoformat()} {WEEKDAY_NAMES[day.date.weekday()]} {label}"
    if day.holiday_name:
        title += f"（{day.holiday_name}）"
    return {
        "date": day.date,
        "day": day.date.day,
        "kind": kind,
        "label": label,
        "mark": DAY_MARKS[kind],
        "colour": DAY_BADGE_COLOURS[kind],
        "name": day.holiday_name if kind != DayKind.WORKDAY else "",
        "title": title,
    }


def month_grids(days: Iterable[Any]) -> list[dict[str, Any]]:
    """Days (rows with ``date``, ``is_workday``, ``is_holiday``, ``holiday_name``) as month grids of weeks
    starting on Monday; blank cells are ``None``."""
    by_month: dict[tuple[int, int], list[Any]] = {}
    for d in days:
        by_month.setdefault((d.date.year, d.date.month), []).append(d)
    grids = []
    for (year, month), rows in sorted(by_month.items()):
        lead = calendar.monthrange(year, month)[0]  # weekday of the 1st, Monday = 0
        cells: list[dict[str, Any] | None] = [None] * lead + [_cell(d) for d in rows]
        cells += [None] * (-len(cells) % 7)
        weeks = [cells[i : i + 7] for i in range(0, len(cells), 7)]
        counts = dict.fromkeys(DayKind.values, 0)
        for c in cells:
            if c is not None:
                counts[c["kind"]] += 1
        grids.append({"year": year, "month": month, "weeks": weeks, "counts": counts})
    return grids
