"""Fixtures for evaluation tests: the default indicator sets, complaints logged through the ticket service, and
evaluations put in any state through the service layer."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ssc.accounts.choices import Role
from ssc.evaluations import services
from ssc.evaluations.models import Evaluation, IndicatorSet

TZ = ZoneInfo("Asia/Shanghai")

# The default set's manual indicators with their maximum (complaints: automatic, 15, −5 each).
MANUAL_MAX = {
    "premises": 10,
    "disclosure": 5,
    "compliance": 10,
    "efficiency": 15,
    "satisfaction": 15,
    "security": 10,
    "volume": 10,
    "cooperation": 10,
}
FULL = dict(MANUAL_MAX)
# Scenario B.2: 55 points (差) with two complaints (complaints scores 15 − 2×5 = 5): manual points total 50.
SCENARIO_B = {
    "premises": 6,
    "disclosure": 3,
    "compliance": 6,
    "efficiency": 7,
    "satisfaction": 6,
    "security": 8,
    "volume": 8,
    "cooperation": 6,
}
# 差 without any complaint: manual points 40 + complaints 15 = 55.
POOR = dict(SCENARIO_B, security=4, volume=4, satisfaction=4)


def at(day: str, hour: int = 10, minute: int = 0) -> datetime:
    y, m, d = (int(x) for x in day.split("-"))
    return datetime(y, m, d, hour, minute, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _default_sets(request):
    """The data migration's default sets (a transactional test's flush empties the table); tests without the
    database (the pure scoring functions) are left alone."""
    names = set(request.fixturenames)
    if not names & {"db", "transactional_db", "live_server"} and request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("transactional_db" if names & {"transactional_db", "live_server"} else "db")
    services.ensure_default_indicator_set()


def log_complaint(world, outlet, received: str, *, category: str = "complaint", hour: int = 10, minute: int = 0):
    """A hotline ticket against ``outlet`` received at ``received`` (local date), through the ticket service."""
    from ssc.tickets import services as tickets

    when = at(received, hour, minute)
    return tickets.ticket_log(
        actor=world.users[Role.HOTLINE_OPERATOR],
        data={
            "outlet": outlet.pk,
            "channel": "12345",
            "category": category,
            "content": "网点拒绝为来电人即时制卡。",
            "caller_contact": "13812341234",
            "received_at": when.isoformat(),
        },
        at=when,
    )


def default_day(period: str) -> str:
    """The period's last day, or 2026-12-01 for a period still running (tests act in the past)."""
    from ssc.evaluations.periods import parse_period

    return min(parse_period(period).end, date(2026, 12, 1)).isoformat()


def start(world, outlet_key: str = "A", period: str = "2026H1", *, day: str | None = None, officer=None):
    actor = officer or world.users[Role.DISTRICT_OFFICER]
    when = at(day or default_day(period))
    return services.evaluation_start(actor=actor, outlet_id=world.outlets[outlet_key].pk, period=period, at=when)


def score(world, ev, scores: dict, *, day: str = "2026-06-30", notes: dict | None = None):
    data = {"scores": scores}
    if notes:
        data["notes"] = notes
    return services.perform(ev.pk, "score", actor=world.users[Role.DISTRICT_OFFICER], data=data, at=at(day))


def walk(world, ev, until: str | None = None, *, scores: dict | None = None, day: str = "2026-06-30", people=None):
    """From draft: ``score`` (all manual indicators), ``submit``, ``finalise`` — stopping before ``until``.
    ``people``: whose users act (``world.users`` — district A — by default; ``world.other`` for district B)."""
    people = people if people is not None else world.users
    steps = [
        ("score", Role.DISTRICT_OFFICER, {"scores": scores or FULL}),
        ("submit", Role.DISTRICT_OFFICER, {"summary": "总体良好"}),
        ("finalise", Role.DISTRICT_LEADER, {"note": "同意"}),
    ]
    for action, role, data in steps:
        if action == until:
            break
        ev = services.perform(ev.pk, action, actor=people[role], data=data, at=at(day))
    return ev


def put_in_state(world, state: str, outlet_key: str = "A", period: str = "2026H1") -> Evaluation:
    day = default_day(period)
    ev = start(world, outlet_key, period, day=day)
    if state == "draft":
        return ev
    if state == "submitted":
        return walk(world, ev, until="finalise", day=day)
    if state == "finalised":
        return walk(world, ev, day=day)
    raise AssertionError(state)


def finalise_with(world, outlet_key: str, period: str, scores: dict, *, day: str | None = None) -> Evaluation:
    """An evaluation of ``period`` finalised with ``scores`` (done on ``day``, by default the period's last day) by
    the district of the outlet (A, or B for outlets ``B`` and ``AB``)."""
    day = day or default_day(period)
    people = world.users if outlet_key == "A" else world.other
    ev = start(world, outlet_key, period, day=day, officer=people[Role.DISTRICT_OFFICER])
    return walk(world, ev, scores=scores, day=day, people=people)


def active_set(kind: str = "half_year") -> IndicatorSet:
    return IndicatorSet.objects.active(kind)
