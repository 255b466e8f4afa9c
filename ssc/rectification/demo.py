"""Demo rectifications (演示整改) in every state, made by really performing the actions.

``seed_rectifications`` picks cooperating outlets (合作中) without a rectification and carries each through the
service layer — ``services.issue`` and ``services.perform(..., at=<backdated>)`` — so every case has its notice
(a small PDF), history rows, audit events, the 3-month deadline from the notice date, the outlet's status
(整改中 while it is open) and the notifications. Then the deadline sweep runs for ``today``:

- cases issued less than 3 months ago are open, reported, or with a rejected report, within their deadline;
- cases issued earlier were either verified in time (closed, met) or are past their last day and become
  ``overdue`` at the sweep (missed; the district may now consider Art 8(3) termination).

Outlets of the named demo users' districts (渝中区, 沙坪坝区, 万州区, 两江新区) and the demo outlet staff's outlets come
first, so their inboxes have work. Deadlines are only computed inside the years the working-day calendar covers.

Idempotent: a run records the audit event ``rectification.seed_demo``; if it exists, nothing is done.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ssc.accounts.choices import Role
from ssc.accounts.models import User
from ssc.audit import services as audit
from ssc.audit.models import AuditEvent
from ssc.core.demo import SeedResult
from ssc.core.demo import at as _at
from ssc.core.demo import pdf as _pdf
from ssc.core.errors import CalendarMissing
from ssc.deadlines import escalation
from ssc.deadlines import services as deadlines
from ssc.registry.choices import OutletStatus
from ssc.registry.models import Outlet

from . import services
from .models import Rectification, RectificationSource, RectificationState

S = RectificationState
MARKER = "rectification.seed_demo"
DEFAULT_COUNT = 36
# The districts and outlets the named demo users work in (see ``seed_demo``).
DEMO_DISTRICTS = ("500103", "500106", "500101", "500190")
DEMO_OUTLETS = ("ICBC-500103-0001", "CQRCB-500106-0001")

ITEMS = [
    "在营业大厅显著位置公示社保卡咨询电话和投诉电话",
    "即时制卡设备故障，须在期限内修复并恢复即时制卡服务",
    "社保卡服务专区标识缺失，须按规范设置",
    "经办人员未经培训即上岗，须组织培训并报送名单",
    "营业时间公示与实际不一致，须更正并报备",
    "补换卡业务办理时限超出承诺，须整改业务流程",
    "未按要求接入金渝网，须制定迁移计划并报送",
    "投诉处理台账不完整，须补齐并建立月度报告制度",
]
REPORTS = [
    "已在大厅入口及服务专区公示咨询、投诉电话，附现场照片。",
    "制卡设备已由厂家维修完毕并恢复即时制卡，附维修单。",
    "已组织经办人员参加社保卡业务培训，附培训签到表。",
    "已更正营业时间公示并报区县社保卡管理机构备案。",
]
REJECTIONS = ["证明材料不完整，请补充现场照片。", "维修记录未加盖公章，请补正。", "培训名单与在岗人员不一致。"]
SOURCES = [RectificationSource.EVALUATION, RectificationSource.INSPECTION, RectificationSource.COMPLAINT]

ANCHOR_TARGETS = ["open", "report_rejected"]
# What each case should be after the sweep, and how often (the plan cycles through this list).
TARGETS = [
    "open",
    "report_submitted",
    "overdue",
    "closed",
    "report_rejected",
    "overdue_after_report",
    "open",
    "closed",
    "overdue",
]


@dataclass
class SeedRectificationsResult(SeedResult):
    STATE_CHOICES = RectificationState.choices
    SKIPPED = gettext_lazy("演示整改已存在，本次未作变更。")
    CREATED = gettext_lazy("演示整改新增 %(n)d 件（办理操作 %(a)d 步，用时 %(s).1f 秒）：%(states)s。")
    SHORTFALL = gettext_lazy("另有 %(n)d 件因无可用网点、办理人员或工作日历未生成。")

    deadlines: Counter = field(default_factory=Counter)


def _candidates(rng: random.Random, limit: int) -> list[Outlet]:
    """Cooperating outlets without any rectification: the demo users' outlets and districts first."""
    qs = (
        Outlet.objects.filter(status=OutletStatus.ACTIVE)
        .exclude(pk__in=Rectification.objects.values("outlet_id"))
        .select_related("district", "sub_branch", "bank")
        .order_by("code")
    )
    anchors, near, rest = [], [], []
    for o in qs.iterator(chunk_size=2000):
        if o.code in DEMO_OUTLETS:
            anchors.append(o)
        elif o.district.code in DEMO_DISTRICTS:
            near.append(o)
        else:
            rest.append(o)
    rng.shuffle(near)
    rng.shuffle(rest)
    half = max(1, limit // 2)
    picked = anchors + near[:half]
    picked += rest[: max(0, limit - len(picked))]
    if len(picked) < limit:
        picked += near[half : half + limit - len(picked)]
    return picked[:limit]


def _issued_on(target: str, today: date, rng: random.Random) -> date | None:
    """A notice date that makes ``target`` come true at today's sweep, with a deadline the calendar covers."""
    in_time = target in ("open", "report_submitted", "report_rejected")
    for _attempt in range(12):
        if in_time:  # due on or after today: issued within the last 3 months
            issued = today - relativedelta(months=3) + timedelta(days=rng.randint(3, 80))
        else:  # due before today
            issued = today - relativedelta(months=3) - timedelta(days=rng.randint(10, 150))
        try:
            due = deadlines.compute_due(issued, months=3)
        except CalendarMissing:
            continue
        if issued >= today:
            continue
        if (due >= today) == in_time:
            return issued
    return None


def _day_between(start: date, end: date, rng: random.Random) -> date:
    if end <= start:
        return start
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _seed_one(
    target: str,
    outlet: Outlet,
    today: date,
    rng: random.Random,
    actor_lookup: Callable[[str, Outlet], User | None],
    result: SeedRectificationsResult,
) -> Rectification | None:
    officer = actor_lookup(Role.DISTRICT_OFFICER, outlet)
    reporter = actor_lookup(Role.OUTLET_STAFF, outlet) or actor_lookup(Role.BANK_APPLICANT, outlet)
    issued = _issued_on(target, today, rng)
    if officer is None or reporter is None or issued is None:
        return None
    due = deadlines.compute_due(issued, months=3)
    data = {
        "items": rng.sample(ITEMS, rng.randint(1, 3)),
        "issued_on": issued.isoformat(),
        "source": rng.choice(SOURCES),
        "source_ref": "",
    }
    with transaction.atomic():
        case = services.issue(
            actor=officer,
            outlet_id=outlet.pk,
            data=data,
            files={"notice": [_pdf("整改通知书.pdf")]},
            at=_at(issued),
        )
        result.actions += 1
        last = min(today, due)
        steps: list[tuple[str, User, dict, Any]] = []
        if target in ("report_submitted", "report_rejected", "closed", "overdue_after_report"):
            steps.append(
                ("submit_report", reporter, {"report": rng.choice(REPORTS)}, {"evidence": [_pdf("整改证明.pdf")]})
            )
        if target in ("report_rejected", "overdue_after_report"):
            steps.append(("reject_report", officer, {"reasons": rng.choice(REJECTIONS)}, None))
        if target == "closed":
            steps.append(("verify", officer, {"verified_on": None, "note": "经现场复核，整改到位。"}, None))
        day = issued
        for i, (action, actor, payload, files) in enumerate(steps):
            # Spread the steps over the time left before the last day (or before today).
            remaining = len(steps) - i
            step = timedelta(days=max(1, (last - day).days // (remaining + 1)))
            day = _day_between(day + timedelta(days=1), day + step, rng)
            day = min(day, last)
            if action == "verify":
                payload = {**payload, "verified_on": day.isoformat()}
            services.perform(case.pk, action, actor=actor, data=payload, files=files, at=_at(day, 15))
            result.actions += 1
    return case


def seed_rectifications(
    *,
    rng: random.Random,
    actor_lookup: Callable[[str, Outlet], User | None] | None = None,
    count: int = DEFAULT_COUNT,
    today: date | None = None,
) -> SeedRectificationsResult:
    """Create about ``count`` demo rectifications (see the module docstring), then run the deadline sweep for
    ``today``. Does nothing if a previous run left its marker."""
    from ssc.admission.demo import DemoActors, demo_today

    started = time.monotonic()
    result = SeedRectificationsResult()
    if AuditEvent.objects.filter(action=MARKER).exists():
        result.skipped = True
        return result
    actor_lookup = actor_lookup or DemoActors()
    today = today or demo_today()
    outlets = _candidates(rng, count)
    result.shortfall = max(0, count - len(outlets))
    with transaction.atomic():
        anchors = iter(ANCHOR_TARGETS)
        for i, outlet in enumerate(outlets):
            # The demo outlet staff get work: a notice to answer, or a rejected report to redo.
            target = next(anchors, "open") if outlet.code in DEMO_OUTLETS else TARGETS[i % len(TARGETS)]
            case = _seed_one(target, outlet, today, rng, actor_lookup, result)
            if case is None:
                result.shortfall += 1
                continue
            result.created += 1
        sweep = deadlines.sweep(today=today, notify=escalation.notify_sweep)
        result.states = Counter(Rectification.objects.values_list("state", flat=True))
        from ssc.deadlines.models import Deadline

        result.deadlines = Counter(Deadline.objects.filter(case_type="rectification").values_list("status", flat=True))
        result.seconds = time.monotonic() - started
        audit.record(
            action=MARKER,
            object_type="rectification.rectification",
            object_repr=str(_("演示整改")),
            after={
                "created": result.created,
                "actions": result.actions,
                "states": dict(result.states),
                "deadlines": dict(result.deadlines),
                "swept_on": today.isoformat(),
                "missed_at_sweep": len(sweep.missed),
                "shortfall": result.shortfall,
            },
        )
    return result
