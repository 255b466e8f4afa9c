"""A year's days as plain rows: composed from a State Council notice, or read from ``chinesecalendar``.

Pure functions (no database), shared by the services, the seeding migration and the entry form's preview.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from ssc.core.errors import ValidationFailed

from .choices import MAX_YEAR, MIN_YEAR

# chinesecalendar names its holidays in English; the calendar shows the names of the State Council notice.
LIBRARY_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
# The notices behind the library's data for the years seeded by default (checked against the published text).
LIBRARY_NOTICES = {
    2024: "国办发明电〔2023〕7号",
    2025: "国办发明电〔2024〕12号",
    2026: "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）",
}
HOLIDAY_NAME_MAX = 50


@dataclass(frozen=True)
class DayRow:
    date: dt.date
    is_workday: bool
    is_holiday: bool = False
    holiday_name: str = ""


@dataclass(frozen=True)
class HolidayRange:
    """放假安排 — one holiday period of the notice (both ends included)."""

    start: dt.date
    end: dt.date
    name: str

    def days(self) -> Iterable[dt.date]:
        d = self.start
        while d <= self.end:
            yield d
            d += dt.timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.start}~{self.end} {self.name}"


def year_dates(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    n = (dt.date(year + 1, 1, 1) - first).days
    return [first + dt.timedelta(days=i) for i in range(n)]


def check_year(year: Any, field: str = "year") -> int:
    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(
            errors={field: [_("年度必须是%(min)s至%(max)s之间的整数。") % {"min": MIN_YEAR, "max": MAX_YEAR}]}
        )
    return year


def _as_range(item: Any) -> HolidayRange:
    if isinstance(item, HolidayRange):
        return item
    if isinstance(item, tuple | list) and len(item) == 3:
        start, end, name = item
        return HolidayRange(start, end, str(name or "").strip())
    return HolidayRange(item, item, "")  # reported as an invalid date below


def _as_makeup(item: Any) -> tuple[dt.date, str]:
    if isinstance(item, tuple | list) and len(item) == 2:
        day, name = item
        return day, str(name or "").strip()
    return item, ""


def compose_year(
    year: int, holidays: Sequence[Any], makeup_workdays: Sequence[Any]
) -> tuple[list[DayRow], list[HolidayRange], list[tuple[dt.date, str]]]:
    """The days of ``year`` from a notice: Saturdays and Sundays rest, every day of each holiday range a
    statutory holiday (rest), each make-up day (调休上班日) a working day.

    ``holidays``: ``(start, end, name)`` triples or ``HolidayRange``; ``makeup_workdays``: dates or
    ``(date, name)`` pairs. Raises ``ValidationFailed`` naming ``holidays`` / ``makeup_workdays``.
    """
    check_year(year)
    ranges = [_as_range(h) for h in holidays]
    makeups = [_as_makeup(m) for m in makeup_workdays]
    errors: dict[str, list[str]] = {}

    def bad(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    seen: dict[dt.date, HolidayRange] = {}
    for r in ranges:
        if not isinstance(r.start, dt.date) or not isinstance(r.end, dt.date):
            bad("holidays", _("%(item)s：日期无效。") % {"item": r})
            continue
        if not r.name:
            bad("holidays", _("%(item)s：请填写节日名称。") % {"item": r})
        elif len(r.name) > HOLIDAY_NAME_MAX:
            bad("holidays", _("%(item)s：节日名称不能超过%(n)s个字。") % {"item": r, "n": HOLIDAY_NAME_MAX})
        if r.end < r.start:
            bad("holidays", _("%(item)s：结束日期早于开始日期。") % {"item": r})
            continue
        if r.start.year != year or r.end.year != year:
            bad(
                "holidays",
                _("%(item)s：日期必须在%(year)s年内；跨年的假期请在相邻年度的日历中调整单日。")
                % {"item": r, "year": year},
            )
            continue
        for d in r.days():
            if d in seen:
                bad("holidays", _("%(item)s：与“%(other)s”重叠。") % {"item": r, "other": seen[d]})
                break
            seen[d] = r
    makeup_seen: set[dt.date] = set()
    for day, name in makeups:
        if not isinstance(day, dt.date):
            bad("makeup_workdays", _("调休上班日“%(day)s”不是有效日期。") % {"day": day})
            continue
        label = day.isoformat()
        if day.year != year:
            bad("makeup_workdays", _("%(day)s：日期必须在%(year)s年内。") % {"day": label, "year": year})
        elif day.weekday() < 5:
            bad("makeup_workdays", _("%(day)s：不是周六或周日，本来就是工作日，无需设为调休上班日。") % {"day": label})
        elif day in seen:
            bad("makeup_workdays", _("%(day)s：已在放假安排“%(other)s”之内。") % {"day": label, "other": seen[day]})
        elif day in makeup_seen:
            bad("makeup_workdays", _("%(day)s：重复填写。") % {"day": label})
        if len(name) > HOLIDAY_NAME_MAX:
            bad("makeup_workdays", _("%(day)s：节日名称不能超过%(n)s个字。") % {"day": label, "n": HOLIDAY_NAME_MAX})
        makeup_seen.add(day)
    if errors:
        raise ValidationFailed(errors=errors)

    makeup_names = dict(makeups)
    rows = []
    for d in year_dates(year):
        if d in seen:
            rows.append(DayRow(d, False, True, seen[d].name))
        elif d in makeup_names:
            rows.append(DayRow(d, True, False, makeup_names[d]))
        else:
            rows.append(DayRow(d, d.weekday() < 5))
    return rows, sorted(ranges, key=lambda r: r.start), sorted(makeups)


# --- chinesecalendar ------------------------------------------------------------------------------------


class LibraryYearUnavailable(Exception):
    """chinesecalendar has no data for the year (it covers 2004–2026 in version 1.11)."""


def library_year_span() -> tuple[int, int]:
    import chinese_calendar

    return min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year


def library_notice(year: int) -> str:
    import chinese_calendar

    version = getattr(chinese_calendar, "__version__", "")
    return LIBRARY_NOTICES.get(year, f"chinesecalendar {version}".strip())


def library_year(year: int) -> list[DayRow]:
    """Every day of ``year`` as chinesecalendar knows it (its holiday periods and make-up working days)."""
    import chinese_calendar

    first, last = library_year_span()
    if not first <= year <= last:
        raise LibraryYearUnavailable(year)
    rows = []
    for d in year_dates(year):
        try:
            on_holiday, name = chinese_calendar.get_holiday_detail(d)
        except NotImplementedError as exc:  # the library's own refusal for unknown years
            raise LibraryYearUnavailable(year) from exc
        label = LIBRARY_HOLIDAY_NAMES.get(name or "", name or "")
        if on_holiday:
            rows.append(DayRow(d, False, bool(name), label))
        else:
            rows.append(DayRow(d, True, False, label))
    return rows


def summarise(rows: Iterable[DayRow | Any]) -> dict[str, Any]:
    """A year's arrangement as the notice states it: holiday ranges (contiguous days with one name) and
    make-up working days; plus counts. Used for the audit trail, the years list and re-entry."""
    holidays: list[list[str]] = []
    makeups: list[list[str]] = []
    extra_rest: list[str] = []
    counts = {"day_count": 0, "workday_count": 0, "rest_day_count": 0, "holiday_count": 0, "makeup_workday_count": 0}
    prev: Any = None
    for r in rows:
        counts["day_count"] += 1
        weekend = r.date.weekday() >= 5
        if r.is_workday:
            counts["workday_count"] += 1
            if weekend:
                counts["makeup_workday_count"] += 1
                makeups.append([r.date.isoformat(), r.holiday_name])
        else:
            counts["rest_day_count"] += 1
            if r.is_holiday:
                counts["holiday_count"] += 1
                if (
                    prev is not None
                    and prev.is_holiday
                    and prev.holiday_name == r.holiday_name
                    and prev.date + dt.timedelta(days=1) == r.date
                ):
                    holidays[-1][1] = r.date.isoformat()
                else:
                    holidays.append([r.date.isoformat(), r.date.isoformat(), r.holiday_name])
            elif not weekend:
                extra_rest.append(r.date.isoformat())
        prev = r
    out: dict[str, Any] = {"holidays": holidays, "makeup_workdays": makeups, **counts}
    if extra_rest:
        out["other_rest_days"] = extra_rest
    return out
