"""Evaluation periods: a calendar year (``2026``) or a half-year (``2026H1`` January–June, ``2026H2`` July–December)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from ssc.core.errors import ValidationFailed

from .models import PeriodKind

_PERIOD = re.compile(r"^\s*(?P<y>\d{4})\s*(?:-?\s*[Hh](?P<h>[12]))?\s*$")
MIN_YEAR = 2000


@dataclass(frozen=True)
class Period:
    code: str  # "2026" | "2026H1" | "2026H2"
    kind: str  # PeriodKind
    year: int
    start: date
    end: date


def parse_period(value: object, *, field: str = "period") -> Period:
    """``2026`` / ``2026H1`` / ``2026H2`` (also ``2026-h1``) → the period; anything else → 400 naming ``field``."""
    m = _PERIOD.match(str(value or ""))
    if not m:
        raise ValidationFailed(errors={field: [_("评价期格式应为“2026”（年度）或“2026H1”“2026H2”（半年度）。")]})
    year = int(m["y"])
    if year < MIN_YEAR or year > 2100:
        raise ValidationFailed(errors={field: [_("评价年度应在 %(a)d 至 2100 年之间。") % {"a": MIN_YEAR}]})
    if m["h"] is None:
        return Period(str(year), PeriodKind.YEAR, year, date(year, 1, 1), date(year, 12, 31))
    if m["h"] == "1":
        return Period(f"{year}H1", PeriodKind.HALF_YEAR, year, date(year, 1, 1), date(year, 6, 30))
    return Period(f"{year}H2", PeriodKind.HALF_YEAR, year, date(year, 7, 1), date(year, 12, 31))


def recent_periods(today: date, count: int = 3) -> list[str]:
    """Period codes a district would evaluate around ``today``, newest first (for the page's suggestions)."""
    out: list[str] = []
    for y in range(today.year, today.year - count, -1):
        half = [f"{y}H2", f"{y}H1"] if today >= date(y, 7, 1) else [f"{y}H1"]
        out += [str(y), *half]
    return out
