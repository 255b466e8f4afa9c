"""Demo quality evaluations (演示质量评价), made by really performing the actions.

``seed_evaluations`` picks cooperating outlets — the named demo users' districts and outlets first, then outlets
with complaints (seed the tickets first and the complaint counts mean something) — and carries each through the
service layer: ``evaluation_start`` and ``services.perform(..., at=<backdated>)``. So every evaluation has its
complaint count from the tickets, its history, audit events and notifications:

- the last full year and the last completed half-year are finalised, graded 优 / 良 / 中 / 差 (a few 差);
- about half of the outlets graded 差 on their latest evaluation have had a rectification issued from it
  (``ssc.rectification.services.issue`` with ``source=evaluation``), the others still offer one;
- ``flagged`` outlets failed two consecutive years, so the center's list of them is not empty;
- the half-year in progress has a few evaluations being scored or waiting for the leader.

Idempotent: a run records the audit event ``evaluations.seed_demo``; if it exists, nothing is done.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from ssc.accounts.choices import Role
from ssc.accounts.models import User
from ssc.audit import services as audit
from ssc.audit.models import AuditEvent
from ssc.core.errors import DomainError
from ssc.registry.models import Outlet

from . import scoring, selectors, services
from .models import Evaluation, Grade, IndicatorSet
from .periods import parse_period

MARKER = "evaluations.seed_demo"
DEFAULT_COUNT = 40
DEFAULT_FLAGGED = 2
TZ = ZoneInfo(settings.TIME_ZONE)
# The districts and outlets the named demo users work in (see ``seed_demo``).
DEMO_DISTRICTS = ("500103", "500106", "500101", "500190")
DEMO_OUTLETS = ("ICBC-500103-0001", "CQRCB-500106-0001")
# Share of each manual indicator's maximum a profile scores (the complaints indicator is computed).
PROFILES: dict[str, tuple[float, float]] = {
    Grade.EXCELLENT: (0.92, 1.0),
    Grade.GOOD: (0.78, 0.9),
    Grade.FAIR: (0.62, 0.74),
    Grade.POOR: (0.3, 0.5),
}
PROFILE_WEIGHTS: dict[str, int] = {Grade.EXCELLENT: 3, Grade.GOOD: 5, Grade.FAIR: 2, Grade.POOR: 1}
NOTES = {
    "premises": "服务标识不清晰",
    "disclosure": "未在显著位置公示投诉电话",
    "efficiency": "高峰期排队时间较长",
    "satisfaction": "回访满意度偏低",
    "security": "账户密码管理不规范",
    "cooperation": "问题报告不及时",
}


@dataclass
class SeedEvaluationsResult:
    created: int = 0
    actions: int = 0
    skipped: bool = False
    states: Counter = field(default_factory=Counter)
    grades: Counter = field(default_factory=Counter)
    rectifications: int = 0
    flagged: int = 0
    shortfall: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        if self.skipped:
            return "演示质量评价已存在，本次未作变更。"
        grades = "，".join(f"{Grade(g).label} {n}" for g, n in sorted(self.grades.items()))
        text = (
            f"演示质量评价新增 {self.created} 项（办理操作 {self.actions} 步，用时 {self.seconds:.1f} 秒）："
            f"已审定 {self.states.get('finalised', 0)} 项（{grades}），评分中 {self.states.get('draft', 0)} 项，"
            f"待审定 {self.states.get('submitted', 0)} 项；据评价下达整改 {self.rectifications} 件；"
            f"连续两年评为“差”的网点 {self.flagged} 个。"
        )
        if self.shortfall:
            text += f"另有 {self.shortfall} 项因无可用网点或办理人员未生成。"
        return text


def _at(day: date, hour: int = 10) -> datetime:
    """``day`` at ``hour`` o'clock, never later than now (the half-year in progress is scored today)."""
    return min(datetime.combine(day, dtime(hour, 0), tzinfo=TZ), timezone.now())


def plan_periods(today: date) -> tuple[str, str, str, str]:
    """``(year before last, last full year, last completed half-year, half-year in progress)`` as of ``today``,
    counting a period as completed once the district had a few weeks after its end to finalise it."""
    last_year = today.year - 1 if today >= date(today.year, 1, 20) else today.year - 2
    if today >= date(today.year, 7, 20):
        done_half, running = f"{today.year}H1", f"{today.year}H2"
    elif today >= date(today.year, 1, 20):
        done_half, running = f"{today.year - 1}H2", f"{today.year}H1"
    else:
        done_half, running = f"{today.year - 1}H1", f"{today.year - 1}H2"
    return str(last_year - 1), str(last_year), done_half, running


def finalised_on(period: str) -> date:
    """A working morning a couple of weeks after the period ends."""
    end = parse_period(period).end
    return date(end.year + 1, 1, 15) if end.month == 12 else date(end.year, end.month + 1, 15)


def _points(max_points: Decimal, share: float) -> Decimal:
    return (max_points * Decimal(str(share))).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def demo_scores(indicator_set: IndicatorSet, grade: str, rng: random.Random) -> tuple[dict, dict]:
    """Manual scores (and deduction notes) in the band of ``grade``'s profile."""
    low, high = PROFILES[grade]
    scores: dict[str, Any] = {}
    notes: dict[str, str] = {}
    for ind in indicator_set.indicators.all():
        if ind.is_auto:
            continue
        value = min(ind.max_points, _points(ind.max_points, rng.uniform(low, high)))
        scores[ind.code] = scoring.plain(value)
        if value < ind.max_points * Decimal("0.7") and ind.code in NOTES:
            notes[ind.code] = NOTES[ind.code]
    return scores, notes


def _candidates(rng: random.Random) -> list[Outlet]:
    """Cooperating outlets without evaluations: the demo users' first, then those with complaints, then others."""
    qs = (
        Outlet.objects.filter(status__in=list(services.EVALUABLE))
        .exclude(pk__in=Evaluation.objects.values("outlet_id"))
        .annotate(complaints=Count("tickets", filter=Q(tickets__category="complaint")))
        .select_related("district")
        .order_by("pk")
    )
    outlets = list(qs[:5000])
    rng.shuffle(outlets)

    def rank(o: Outlet) -> tuple[int, int]:
        demo = 0 if o.code in DEMO_OUTLETS else 1 if o.district.code in DEMO_DISTRICTS else 2
        return (demo, 0 if getattr(o, "complaints", 0) else 1)

    return sorted(outlets, key=rank)


class _Walker:
    def __init__(self, actor_lookup: Callable[[str, Outlet], User | None], result: SeedEvaluationsResult):
        self.actor_lookup = actor_lookup
        self.result = result

    def people(self, outlet: Outlet) -> tuple[User, User] | None:
        officer = self.actor_lookup(Role.DISTRICT_OFFICER, outlet)
        leader = self.actor_lookup(Role.DISTRICT_LEADER, outlet)
        return (officer, leader) if officer is not None and leader is not None else None

    def evaluate(
        self, outlet: Outlet, period: str, grade: str, rng: random.Random, *, until: str = "", day: date | None = None
    ) -> Evaluation | None:
        """Start, score, submit and finalise (stopping before ``until``) on ``day`` (default: when it is due)."""
        people = self.people(outlet)
        if people is None:
            return None
        officer, leader = people
        day = day or finalised_on(period)
        ev = services.evaluation_start(actor=officer, outlet_id=outlet.pk, period=period, at=_at(day, 9))
        self.result.actions += 1
        scores, notes = demo_scores(ev.indicator_set, grade, rng)
        steps: list[tuple[str, User, dict[str, Any]]] = [
            ("score", officer, {"scores": scores, "notes": notes}),
            ("submit", officer, {"summary": "按指标逐项评分，详见扣分说明。"}),
            ("finalise", leader, {"note": "经集体研究，同意评价结果。"}),
        ]
        for hour, (action, actor, data) in enumerate(steps, start=10):
            if action == until:
                break
            ev = services.perform(ev.pk, action, actor=actor, data=data, at=_at(day, hour))
            self.result.actions += 1
        self.result.created += 1
        self.result.states[ev.state] += 1
        if ev.grade:
            self.result.grades[ev.grade] += 1
        return ev

    def rectify(self, ev: Evaluation) -> bool:
        from ssc.rectification import services as rectification

        people = self.people(ev.outlet)
        if people is None:
            return False
        day = ev.finalised_at.astimezone(TZ).date() if ev.finalised_at else finalised_on(ev.period)
        items = services.suggested_rectification_items(ev, limit=5) or ["按评价扣分事项整改"]
        try:
            rectification.issue(
                actor=people[0],
                outlet_id=ev.outlet_id,
                data={"items": items, "issued_on": day.isoformat(), "source": "evaluation", "source_ref": str(ev.pk)},
                at=_at(day, 15),
            )
        except DomainError:  # e.g. the outlet left cooperation meanwhile, or a calendar year is missing
            return False
        self.result.rectifications += 1
        return True


def seed_evaluations(
    *,
    rng: random.Random,
    actor_lookup: Callable[[str, Outlet], User | None] | None = None,
    count: int = DEFAULT_COUNT,
    flagged: int = DEFAULT_FLAGGED,
    today: date | None = None,
) -> SeedEvaluationsResult:
    """Evaluate about ``count`` outlets (see the module docstring). Does nothing if a previous run left its
    marker."""
    from ssc.admission.demo import DemoActors, demo_today

    started = time.monotonic()
    result = SeedEvaluationsResult()
    if AuditEvent.objects.filter(action=MARKER).exists():
        result.skipped = True
        return result
    services.ensure_default_indicator_set()
    today = today or demo_today()
    before_last, last_year, done_half, running = plan_periods(today)
    walker = _Walker(actor_lookup or DemoActors(), result)
    grades, weights = list(PROFILE_WEIGHTS), list(PROFILE_WEIGHTS.values())
    with transaction.atomic():
        outlets = _candidates(rng)[:count]
        result.shortfall = max(0, count - len(outlets))
        for i, outlet in enumerate(outlets):
            if walker.people(outlet) is None:
                result.shortfall += 1
                continue
            if i < flagged:  # two failing years in a row: the center's list
                walker.evaluate(outlet, before_last, Grade.POOR, rng)
                walker.evaluate(outlet, last_year, Grade.POOR, rng)
                result.flagged += 1
                continue
            walker.evaluate(outlet, last_year, rng.choices(grades, weights)[0], rng)
            # The latest half-year: a few more 差 than usual, so some offer (or led to) a rectification.
            grade = Grade.POOR if i % 7 == flagged else rng.choices(grades, weights)[0]
            latest = walker.evaluate(outlet, done_half, grade, rng)
            if latest is not None and latest.is_failing and (i // 7) % 2 == 0:
                walker.rectify(latest)
            if i % 4 == 1 and parse_period(running).start <= today:
                until = "submit" if i % 8 == 1 else "finalise"
                walker.evaluate(outlet, running, rng.choices(grades, weights)[0], rng, until=until, day=today)
        result.seconds = time.monotonic() - started
        audit.record(
            action=MARKER,
            object_type="evaluations.evaluation",
            object_repr="演示质量评价",
            after={
                "created": result.created,
                "actions": result.actions,
                "states": dict(result.states),
                "grades": dict(result.grades),
                "rectifications": result.rectifications,
                "flagged": result.flagged,
                "flagged_outlets": selectors.outlets_flagged_two_failing_years().count(),
                "shortfall": result.shortfall,
            },
        )
    return result


def demo_step(rng: random.Random) -> str:
    """``seed_demo`` step (see ``ssc.core.demo``): quality evaluations, after the tickets and rectifications."""
    return seed_evaluations(rng=rng).summary()
