"""The demo's working-day calendar (演示用工作日历).

The seeded calendar ends with the last year ``chinesecalendar`` knows (2026); in production the center enters the
next year from the State Council's notice, and until then a deadline reaching into that year is refused
(``CalendarMissing``, SCENARIOS D). A demo started in the last weeks of a year would fail on exactly that, so this
first demo step enters the next year — only when a deadline from today could reach it — with the fixed-date
statutory holidays only (元旦, 劳动节, 国庆节; no lunar holidays, no make-up days) and a notice that says it is demo
data. Outside those weeks it does nothing, so the demo still shows the missing-year refusal for later years.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ssc.accounts.choices import Role
from ssc.core.errors import CalendarMissing

from . import services

# Demo deadlines run up to this many working days from "today" (the center's 5 days, with margin).
HORIZON_WORKDAYS = 10
DEMO_NOTICE = "演示数据：仅含固定日期的法定节假日，非国务院正式安排，生产环境须按正式通知录入"


def demo_holidays(year: int) -> list[tuple[dt.date, dt.date, str]]:
    return [
        (dt.date(year, 1, 1), dt.date(year, 1, 1), "元旦"),
        (dt.date(year, 5, 1), dt.date(year, 5, 5), "劳动节"),
        (dt.date(year, 10, 1), dt.date(year, 10, 7), "国庆节"),
    ]


def ensure_calendar(today: dt.date | None = None, actor: Any = None) -> int | None:
    """Enter the next year's demo calendar when a deadline from ``today`` could need it; the year entered, or None."""
    today = today or timezone.localdate()
    try:
        services.add_workdays(today, HORIZON_WORKDAYS)
        return None
    except CalendarMissing:
        pass
    year = max(services.covered_years()) + 1
    if actor is None:
        from ssc.accounts.models import User

        actor = User.objects.filter(role=Role.CENTER_OFFICER, is_active=True).order_by("pk").first()
    services.calendar_year_enter(
        actor=actor, year=year, holidays=demo_holidays(year), makeup_workdays=[], notice=DEMO_NOTICE
    )
    return year


def demo_step(rng: random.Random) -> str:
    year = ensure_calendar()
    if year is None:
        return _("工作日历：已覆盖演示所需日期。")
    message = _("工作日历：已录入 %(year)s 年演示日历（仅固定日期节假日，生产环境须按国务院正式通知录入）。")
    return message % {"year": year}
