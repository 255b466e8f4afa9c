"""Reading a State Council notice typed as lines: ``2027-01-01~2027-01-03 元旦`` and ``2027-02-07 春节``."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from .yeardata import HolidayRange

_DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_SEP = r"[\s,，、:：]*"
_HOLIDAY_LINE = re.compile(rf"^{_DATE}\s*(?:[~～至—–]\s*{_DATE})?{_SEP}(.*?)\s*$")
_MAKEUP_LINE = re.compile(rf"^{_DATE}{_SEP}(.*?)\s*$")


class LineErrors(Exception):
    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


def _lines(text: str) -> list[tuple[int, str]]:
    out = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.replace("\u3000", " ").strip()
        if line and not line.startswith("#"):
            out.append((number, line))
    return out


def _date(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None


def parse_holiday_lines(text: str) -> list[HolidayRange]:
    """One holiday range per line: ``开始日期~结束日期 名称`` or ``日期 名称`` for a single day."""
    ranges: list[HolidayRange] = []
    errors: list[str] = []
    for number, line in _lines(text):
        m = _HOLIDAY_LINE.match(line)
        if not m:
            errors.append(
                _("第%(n)s行“%(line)s”：格式应为“2027-01-01~2027-01-03 元旦”。") % {"n": number, "line": line}
            )
            continue
        start = _date(*m.group(1, 2, 3))
        end = _date(*m.group(4, 5, 6)) if m.group(4) else start
        name = m.group(7).strip()
        if start is None or end is None:
            errors.append(_("第%(n)s行“%(line)s”：日期不存在。") % {"n": number, "line": line})
            continue
        if not name:
            errors.append(_("第%(n)s行“%(line)s”：请在日期后填写节日名称。") % {"n": number, "line": line})
            continue
        ranges.append(HolidayRange(start, end, name))
    if errors:
        raise LineErrors(errors)
    return ranges


def parse_makeup_lines(text: str) -> list[tuple[dt.date, str]]:
    """One make-up working day (调休上班日) per line: ``日期`` or ``日期 节日名称``."""
    days: list[tuple[dt.date, str]] = []
    errors: list[str] = []
    for number, line in _lines(text):
        m = _MAKEUP_LINE.match(line)
        day = _date(*m.group(1, 2, 3)) if m else None
        if m is None:
            message = _("第%(n)s行“%(line)s”：格式应为“2027-02-07”或“2027-02-07 春节”。")
            errors.append(message % {"n": number, "line": line})
        elif day is None:
            errors.append(_("第%(n)s行“%(line)s”：日期不存在。") % {"n": number, "line": line})
        else:
            days.append((day, m.group(4).strip()))
    if errors:
        raise LineErrors(errors)
    return days


def holiday_lines(holidays: list[list[str]]) -> str:
    """The textarea text for holiday ranges ``[[start, end, name], ...]`` (as in a year summary)."""
    return "\n".join(f"{s} {n}" if s == e else f"{s}~{e} {n}" for s, e, n in holidays)


def makeup_lines(makeups: list[list[str]]) -> str:
    return "\n".join(f"{d} {n}".strip() for d, n in makeups)
