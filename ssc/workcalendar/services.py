"""The deadline engine (期限计算) over the working-day calendar (工作日历), and the calendar's writes.

Every date computation of the platform goes through here (STYLE.md: one deadline engine). The counting
rules are those of the Civil Code (民法典):

- Art 201: the day a period starts is not counted; ``add_workdays(start, n)`` is the n-th working day
  *after* ``start``. Make-up working weekends (调休上班日) count as working days; statutory holidays and
  ordinary weekends do not.
- Art 202: a period of months ends on the corresponding day of the last month, or on that month's last day
  when it has no such day (``add_months``: 2025-11-30 + 3 months → 2026-02-28).
- Art 203: when the last day is a rest day, the period ends on the first working day after the rest
  (``add_months_period``).

A computation that needs a year for which no calendar was entered raises ``CalendarMissing`` naming the
year; nothing is ever guessed (REGULATION.md).

Speed (PERFORMANCE.md P5): the calendar is compiled once per process into flat lists indexed by the day's
ordinal, so ``add_workdays`` is two list look-ups. The compiled table is rebuilt when the calendar changes:
at once after a write through this module (and again when the write commits), and otherwise when a cheap
fingerprint query (count, sum of revisions, last change of ``CalendarYear``) — run at most every
``SSC_CALENDAR_RECHECK_SECONDS`` (default 5) — shows that another process changed it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ssc.accounts.choices import Role
from ssc.audit import services as audit
from ssc.core.errors import CalendarMissing, NotAllowed, ValidationFailed

from . import yeardata
from .choices import CalendarSource
from .models import CalendarDay, CalendarYear

# Who may enter or change the calendar (PRODUCT.md: the center sets the holiday calendar city-wide).
CALENDAR_EDITOR_ROLES = frozenset({Role.CENTER_OFFICER, Role.CENTER_LEADER, Role.SYSTEM_ADMIN})
MAX_MONTHS = 1200
NOTICE_MAX = 200
REASON_MAX = 200

_UNCOVERED, _WORK, _REST = 0, 1, 2
_fromordinal = dt.date.fromordinal
_monotonic = time.monotonic
_MAX_ORDINAL = dt.date.max.toordinal()


# --- the compiled calendar ------------------------------------------------------------------------------


class _Table:
    """The covered years compiled for look-ups by day ordinal.

    Offset ``i`` stands for the day with ordinal ``base + i``; ``base`` is the day before the first covered
    day. ``kinds[i]`` is uncovered / working / rest. ``entries[i] = (k, lim, seg_last)``: ``k`` working days
    on or before that day (so ``workdays[k]`` is the first working day after it), ``seg_last`` the last day
    of the contiguous covered stretch that starts the day after it, and ``lim`` the number of working days
    up to ``seg_last`` — a result must stay below ``lim`` or it would fall into a year without calendar.
    """

    __slots__ = ("base", "check_at", "entries", "fingerprint", "kinds", "size", "workdays", "years")

    def __init__(self, covered: dict[int, list[tuple[int, bool]]], fingerprint: Any, check_at: float):
        self.fingerprint = fingerprint
        self.check_at = check_at
        self.years = tuple(sorted(covered))
        self.workdays: list[int] = []
        if not self.years:
            self.base, self.size, self.kinds, self.entries = 0, 0, bytearray(), []
            return
        self.base = dt.date(self.years[0], 1, 1).toordinal() - 1
        last = dt.date(self.years[-1], 12, 31).toordinal()
        size = self.size = last - self.base + 1
        kinds = self.kinds = bytearray(size)
        for year in self.years:
            for ordinal, is_workday in covered[year]:
                kinds[ordinal - self.base] = _WORK if is_workday else _REST
        counts = [0] * size
        k = 0
        for i in range(size):
            if kinds[i] == _WORK:
                self.workdays.append(self.base + i)
                k += 1
            counts[i] = k
        seg_last = [0] * size
        current = None
        for i in range(size - 1, -1, -1):
            if kinds[i]:
                if current is None:
                    current = self.base + i
                seg_last[i] = current
            else:
                current = None
        entries = []
        for i in range(size):
            j = i + 1
            if j < size and kinds[j]:
                end = seg_last[j]
                entries.append((counts[i], counts[end - self.base], end))
            else:
                entries.append((counts[i], counts[i], self.base + i))
        self.entries = entries

    def kind(self, ordinal: int) -> int:
        i = ordinal - self.base
        return self.kinds[i] if 0 <= i < self.size else _UNCOVERED

    def first_gap_after(self, ordinal: int) -> int:
        """The first day after ``ordinal`` that has no calendar (the stretch after it runs out there)."""
        nxt = ordinal + 1
        if self.kind(nxt) == _UNCOVERED:
            return nxt
        return self.entries[ordinal - self.base][2] + 1


_table: _Table | None = None


def _recheck_seconds() -> float:
    return float(getattr(settings, "SSC_CALENDAR_RECHECK_SECONDS", 5.0))


def _fingerprint() -> tuple:
    agg = CalendarYear.objects.aggregate(n=Count("year"), r=Sum("revision"), t=Max("updated_at"))
    return agg["n"], agg["r"], agg["t"]


def _build(fingerprint: tuple) -> _Table:
    expected = {y: len(yeardata.year_dates(y)) for y in CalendarYear.objects.values_list("year", flat=True)}
    days: dict[int, list[tuple[int, bool]]] = {y: [] for y in expected}
    for d, is_workday in CalendarDay.objects.order_by("date").values_list("date", "is_workday").iterator(2000):
        days.setdefault(d.year, []).append((d.toordinal(), is_workday))
    # A year counts only when complete: a partly stored year is treated as absent, never filled in.
    covered = {y: rows for y, rows in days.items() if y in expected and len(rows) == expected[y]}
    return _Table(covered, fingerprint, _monotonic() + _recheck_seconds())


def _current_table() -> _Table:
    """The compiled calendar, checked against the database when the recheck interval has passed."""
    global _table
    fingerprint = _fingerprint()
    table = _table
    if table is not None and table.fingerprint == fingerprint:
        table.check_at = _monotonic() + _recheck_seconds()
        return table
    table = _table = _build(fingerprint)
    return table


def invalidate() -> None:
    """Forget the compiled calendar; the next computation reloads it."""
    global _table
    _table = None


def _invalidate_after_write() -> None:
    invalidate()
    # Again at commit: a reload by another thread between the write and the commit saw the old rows.
    transaction.on_commit(invalidate)


def covered_years() -> tuple[int, ...]:
    """The years that have a complete calendar, ascending."""
    table = _table
    if table is None or _monotonic() >= table.check_at:
        table = _current_table()
    return table.years


# --- errors ---------------------------------------------------------------------------------------------


def calendar_missing(year: int) -> CalendarMissing:
    exc = CalendarMissing(
        _("尚未录入%(year)s年工作日历，请市社保卡服务中心先录入该年度国务院节假日安排。") % {"year": year}
    )
    exc.year = year  # type: ignore[attr-defined]
    return exc


def _missing_at(ordinal: int) -> CalendarMissing:
    return calendar_missing(_fromordinal(min(max(ordinal, 1), _MAX_ORDINAL)).year)


def _check_date(value: Any, field: str) -> dt.date:
    if not isinstance(value, dt.date):
        raise ValidationFailed(errors={field: [_("请输入有效的日期。")]})
    return value


def _check_count(value: Any, field: str, maximum: int | None = None) -> int:
    if type(value) is not int or value < 1:
        raise ValidationFailed(errors={field: [_("必须是不小于1的整数。")]})
    if maximum is not None and value > maximum:
        raise ValidationFailed(errors={field: [_("不能大于%(max)s。") % {"max": maximum}]})
    return value


# --- the arithmetic -------------------------------------------------------------------------------------


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day after ``start`` (Art 201: ``start`` itself is not counted); ``n`` ≥ 1.

    ``add_workdays(date(2026, 2, 13), 5) == date(2026, 2, 27)``: 02-14 is a make-up working Saturday,
    02-15..23 the Spring Festival, then 02-24..27.
    """
    table = _table
    if table is None or _monotonic() >= table.check_at:
        table = _current_table()
    try:
        i = start.toordinal() - table.base
    except AttributeError:
        i = -1
    if 0 <= i < table.size and type(n) is int and n > 0:
        k, lim, _last = table.entries[i]
        k += n - 1
        if k < lim:
            return _fromordinal(table.workdays[k])
    _check_date(start, "start")
    _check_count(n, "n")
    raise _missing_at(table.first_gap_after(start.toordinal()))


def next_workday(d: dt.date) -> dt.date:
    """The first working day on or after ``d``."""
    _check_date(d, "date")
    if d.toordinal() <= 1:
        raise _missing_at(1)
    return add_workdays(_fromordinal(d.toordinal() - 1), 1)


def is_workday(d: dt.date) -> bool:
    """Whether ``d`` is a working day (a make-up working weekend is; a holiday or weekend rest is not)."""
    table = _table
    if table is None or _monotonic() >= table.check_at:
        table = _current_table()
    _check_date(d, "date")
    kind = table.kind(d.toordinal())
    if kind == _UNCOVERED:
        raise calendar_missing(d.year)
    return kind == _WORK


def workdays_between(a: dt.date, b: dt.date) -> int:
    """The number of working days in ``(a, b]`` (``a`` not counted, ``b`` counted); negative when b < a.

    E.g. how many working days a deadline is overdue: ``workdays_between(due_on, today)``.
    """
    _check_date(a, "a")
    _check_date(b, "b")
    if b < a:
        return -workdays_between(b, a)
    if a == b:
        return 0
    table = _table
    if table is None or _monotonic() >= table.check_at:
        table = _current_table()
    oa, ob = a.toordinal(), b.toordinal()
    i = oa - table.base
    if 0 <= i < table.size:
        k, _lim, seg_last = table.entries[i]
        if seg_last >= ob:
            return table.entries[ob - table.base][0] - k
    raise _missing_at(table.first_gap_after(oa))


def add_months(start: dt.date, n: int) -> dt.date:
    """The nominal end of a period of ``n`` months (Art 202): the same day ``n`` months later, or the last
    day of that month when it has no such day (2025-11-30 + 3 → 2026-02-28; 2023-11-30 + 3 → 2024-02-29)."""
    _check_date(start, "start")
    _check_count(n, "n", MAX_MONTHS)
    return start + relativedelta(months=n)


def add_months_period(start: dt.date, n: int) -> dt.date:
    """The last day of a period of ``n`` months (Art 202 + 203): ``add_months``, moved to the next working
    day when it falls on a rest day (2026-04-05 + 3 → 2026-07-05, a Sunday → 2026-07-06)."""
    return next_workday(add_months(start, n))


# --- reads for pages and API ----------------------------------------------------------------------------


def require_year(year: int) -> CalendarYear:
    """The calendar year, or ``CalendarMissing`` when it was never entered."""
    row = CalendarYear.objects.filter(year=year).select_related("entered_by").first()
    if row is None:
        raise calendar_missing(year)
    return row


# --- writes (the center enters the State Council's notice) ----------------------------------------------


def can_edit_calendar(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.role in CALENDAR_EDITOR_ROLES)


def _require_editor(actor: Any) -> None:
    if not can_edit_calendar(actor):
        raise NotAllowed(_("只有市社保卡服务中心或系统管理员可以维护工作日历。"))


def _year_state(row: CalendarYear, days: Sequence[Any] | None = None) -> dict[str, Any]:
    if days is None:
        days = list(row.days.order_by("date"))
    return {"source": row.source, "notice": row.notice, "revision": row.revision, **yeardata.summarise(days)}


def _write_year(
    year: int,
    rows: list[yeardata.DayRow],
    *,
    source: str,
    notice: str,
    entered_by: Any,
    existing: CalendarYear | None,
) -> CalendarYear:
    if existing is None:
        row = CalendarYear.objects.create(year=year, source=source, notice=notice, entered_by=entered_by)
    else:
        row = existing
        row.source, row.notice, row.entered_by = source, notice, entered_by
        row.entered_at = timezone.now()
        row.revision += 1
        row.save()
        CalendarDay.objects.filter(calendar_year=row).delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(
            date=r.date,
            calendar_year=row,
            is_workday=r.is_workday,
            is_holiday=r.is_holiday,
            holiday_name=r.holiday_name,
        )
        for r in rows
    )
    return row


@transaction.atomic
def calendar_year_enter(
    *,
    actor: Any,
    year: int,
    holidays: Sequence[Any],
    makeup_workdays: Sequence[Any],
    notice: str,
) -> CalendarYear:
    """录入年度工作日历 — (re)write a whole year from the State Council's holiday notice.

    Saturdays and Sundays rest; each ``(start, end, name)`` holiday range rests; each make-up day (a date,
    or ``(date, name)``) works. Replaces every day of the year in one transaction, audited.
    """
    _require_editor(actor)
    errors: dict[str, list[str]] = {}
    notice = (notice or "").strip()
    if not notice:
        errors["notice"] = [_("请填写国务院节假日安排通知的名称或文号。")]
    elif len(notice) > NOTICE_MAX:
        errors["notice"] = [_("不能超过%(n)s个字。") % {"n": NOTICE_MAX}]
    if not holidays:
        errors["holidays"] = [_("请至少填写一项放假安排。")]
    try:
        rows, _ranges, _makeups = yeardata.compose_year(year, holidays, makeup_workdays)
    except ValidationFailed as exc:
        for field, messages in exc.errors.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationFailed(errors=errors)
    existing = CalendarYear.objects.select_for_update().filter(year=year).first()
    before = _year_state(existing) if existing else None
    row = _write_year(year, rows, source=CalendarSource.MANUAL, notice=notice, entered_by=actor, existing=existing)
    audit.record(action="calendar_year.enter", obj=row, before=before, after=_year_state(row, rows), actor=actor)
    _invalidate_after_write()
    return row


@transaction.atomic
def calendar_year_load(*, actor: Any = None, year: int, replace: bool = False) -> CalendarYear | None:
    """Load a year from ``chinesecalendar`` (audited). Returns ``None`` when the year exists and
    ``replace`` is false. Raises ``ValidationFailed`` when the library has no data for the year."""
    if actor is not None:
        _require_editor(actor)
    yeardata.check_year(year)
    try:
        rows = yeardata.library_year(year)
    except yeardata.LibraryYearUnavailable as exc:
        first, last = yeardata.library_year_span()
        raise ValidationFailed(
            errors={
                "year": [
                    _("chinesecalendar 程序库没有%(year)s年的数据（只有%(first)s—%(last)s年），请人工录入。")
                    % {"year": year, "first": first, "last": last}
                ]
            }
        ) from exc
    existing = CalendarYear.objects.select_for_update().filter(year=year).first()
    if existing is not None and not replace:
        return None
    before = _year_state(existing) if existing else None
    row = _write_year(
        year,
        rows,
        source=CalendarSource.CHINESECALENDAR,
        notice=yeardata.library_notice(year),
        entered_by=actor,
        existing=existing,
    )
    audit.record(action="calendar_year.load", obj=row, before=before, after=_year_state(row, rows), actor=actor)
    _invalidate_after_write()
    return row


@transaction.atomic
def calendar_day_set(
    *, actor: Any, day: dt.date, is_workday: bool, holiday_name: str = "", reason: str = ""
) -> CalendarDay:
    """调整单日 — make one day a working day or a rest day (a statutory holiday when it has a name).

    For corrections and for holiday periods that cross a year boundary. Audited with the reason.
    """
    _require_editor(actor)
    _check_date(day, "day")
    holiday_name = (holiday_name or "").strip()
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if len(holiday_name) > yeardata.HOLIDAY_NAME_MAX:
        errors["holiday_name"] = [_("不能超过%(n)s个字。") % {"n": yeardata.HOLIDAY_NAME_MAX}]
    if not reason:
        errors["reason"] = [_("请说明调整依据（如通知文号）。")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("不能超过%(n)s个字。") % {"n": REASON_MAX}]
    if errors:
        raise ValidationFailed(errors=errors)
    row = CalendarDay.objects.select_for_update().filter(date=day).first()
    if row is None:
        raise calendar_missing(day.year)
    fields = ["is_workday", "is_holiday", "holiday_name"]
    before = audit.snapshot(row, fields)
    row.is_workday = bool(is_workday)
    row.is_holiday = not row.is_workday and bool(holiday_name)
    row.holiday_name = holiday_name
    row.save(update_fields=fields)
    year_row = CalendarYear.objects.select_for_update().get(year=day.year)
    year_row.revision += 1
    year_row.save(update_fields=["revision", "updated_at"])
    audit.record(
        action="calendar_day.set",
        obj=row,
        before=before,
        after={**audit.snapshot(row, fields), "reason": reason},
        actor=actor,
    )
    _invalidate_after_write()
    return row
