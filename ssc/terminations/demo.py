"""Demo terminations (演示解除合作), made by really performing the actions with backdated dates.

Each planned case is carried through the services (``services.initiate`` and ``services.perform(..., at=...)``), so
it has its documents (small PDFs), history rows, audit events, the center's 5-working-day deadline, the outlet's
status, the roster (hidden at filing, removed at closing) and the notifications:

- Art 8(3) on an outlet whose rectification is overdue (SCENARIOS B), filed with the center, its deadline pending —
  if the rectification demo left one; a second such outlet waits for the district leader's decision;
- Art 9(1) asked by the bank's head office, waiting for the center leader's written consent (SCENARIOS C.1);
- Art 9(2) asked by the outlet's sub-branch, agreed by the district, waiting for the decision;
- Art 9(3) from a relocation assessed non-compliant (SCENARIOS C.2), if the relocation demo left one;
- Art 8(1) carried to the end: accounts closed within the deadline, outlet removed from the roster, agreements ended;
- Art 8(4) filed, its deadline pending; Art 8(2) cancelled by the district before filing.

Outlets of the demo districts (渝中区, 沙坪坝区, …) come first; the demo outlet staff's own outlets are never used.
Idempotent: a run records the audit event ``terminations.seed_demo``; if it exists, nothing is done.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

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
from ssc.core.errors import DomainError
from ssc.deadlines import services as deadlines
from ssc.registry.choices import OutletStatus
from ssc.registry.models import Outlet, SystemAccount

from . import services
from .models import CLOSED_STATES, Termination, TerminationState

MARKER = "terminations.seed_demo"
DEMO_DISTRICTS = ("500103", "500106", "500101", "500190")
DEMO_OUTLETS = ("ICBC-500103-0001", "CQRCB-500106-0001")

REASONS = {
    "8.1": "网点擅自将社保卡业务交由无资质第三方办理，严重违反合作协议第八条约定。",
    "8.2": "网点违规操作导致持卡人资金损失，造成不良社会影响。",
    "8.3": "经督促整改，网点逾期3个月仍未完成整改（附逾期整改记录）。",
    "8.4": "网点数据安全管理存在重大风险，经约谈仍未消除。",
    "9.1": "因网点撤并，重庆市分行申请终止该网点社保卡合作。",
    "9.2": "网点业务调整，一级支行申请终止合作，经协商一致。",
    "9.3": "网点迁址后新址不符合人社便民服务要求（附迁址评估意见）。",
    "9.4": "合作协议期满，双方未续签。",
}


@dataclass
class SeedTerminationsResult(SeedResult):
    STATE_CHOICES = TerminationState.choices
    SKIPPED = gettext_lazy("演示解除合作已存在，本次未作变更。")
    CREATED = gettext_lazy("演示解除合作新增 %(n)d 件（办理操作 %(a)d 步，用时 %(s).1f 秒）：%(states)s。")
    SHORTFALL = gettext_lazy("另有 %(n)d 件因无可用网点、办理人员或工作日历未生成。")


@dataclass
class _Plan:
    ground: str
    target: str  # the state the case should end in
    outlets: Callable[[], list[Outlet]]


def _order(outlets: list[Outlet], rng: random.Random) -> list[Outlet]:
    near = [o for o in outlets if o.district.code in DEMO_DISTRICTS]
    rest = [o for o in outlets if o.district.code not in DEMO_DISTRICTS]
    rng.shuffle(near)
    rng.shuffle(rest)
    return near + rest


def _free() -> Any:
    """Cooperating outlets without an open termination or open application; never the demo staff's outlets."""
    from ssc.admission.models import TERMINAL_STATES, Application

    return (
        Outlet.objects.filter(status__in=[OutletStatus.ACTIVE, OutletStatus.UNDER_RECTIFICATION])
        .exclude(code__in=DEMO_OUTLETS)
        .exclude(pk__in=Termination.objects.exclude(state__in=CLOSED_STATES).values("outlet_id"))
        .exclude(pk__in=Application.objects.exclude(state__in=TERMINAL_STATES).values("outlet_id"))
        .select_related("district", "bank", "sub_branch")
        .order_by("code")
    )


def _plans(rng: random.Random) -> list[_Plan]:
    from ssc.rectification.models import Rectification
    from ssc.relocations.models import Relocation, RelocationState

    def overdue() -> list[Outlet]:
        ids = Rectification.objects.filter(state="overdue").values("outlet_id")
        return _order(list(_free().filter(pk__in=ids, status=OutletStatus.UNDER_RECTIFICATION)[:200]), rng)

    def relocated() -> list[Outlet]:
        ids = Relocation.objects.filter(state=RelocationState.NON_COMPLIANT).values("outlet_id")
        return _order(list(_free().filter(pk__in=ids)[:200]), rng)

    def active() -> list[Outlet]:
        return _order(list(_free().filter(status=OutletStatus.ACTIVE)[:400]), rng)

    def with_accounts() -> list[Outlet]:
        has = SystemAccount.objects.filter(closed_on__isnull=True).values("outlet_id")
        return _order(list(_free().filter(status=OutletStatus.ACTIVE, pk__in=has)[:400]), rng)

    return [
        # The grounds that need a record first, so the outlets holding one are still free.
        _Plan("8.3", "filed", overdue),
        _Plan("8.3", "initiated", overdue),
        _Plan("9.3", "initiated", relocated),
        _Plan("9.1", "initiated", active),
        _Plan("9.2", "agreed", active),
        _Plan("8.1", "closed", with_accounts),
        _Plan("8.4", "filed", active),
        _Plan("8.2", "cancelled", active),
    ]


INITIATOR = {"9.1": Role.BANK_HEAD_OFFICE, "9.2": Role.BANK_APPLICANT}


def _days(today: date, target: str) -> dict[str, date]:
    """Backdated days of each step: a closed case ended weeks ago, a filed one yesterday (its deadline pending)."""
    back = 40 if target == "closed" else 12
    start = today - timedelta(days=back)
    return {
        "initiate": start,
        "consent": start + timedelta(days=2),
        "decide": start + timedelta(days=4),
        "file": start + timedelta(days=6) if target == "closed" else today - timedelta(days=1),
    }


def _seed_one(plan: _Plan, outlet: Outlet, today: date, actors: Callable[[str, Outlet], User | None]) -> int:
    """Walk one case of ``plan`` for ``outlet``; the number of actions, or 0 when a needed user is missing."""
    initiator = actors(INITIATOR.get(plan.ground, Role.DISTRICT_OFFICER), outlet)
    officer = actors(Role.DISTRICT_OFFICER, outlet)
    leader = actors(Role.DISTRICT_LEADER, outlet)
    center = actors(Role.CENTER_OFFICER, outlet)
    center_leader = actors(Role.CENTER_LEADER, outlet)
    if None in (initiator, officer, leader, center, center_leader):
        return 0
    assert initiator and officer and leader and center and center_leader  # for the type checker
    days = _days(today, plan.target)
    n = 0
    case = services.initiate(
        actor=initiator,
        outlet_id=outlet.pk,
        data={"ground": plan.ground, "reasons": REASONS[plan.ground], "requested_on": days["initiate"].isoformat()},
        files={"evidence": [_pdf("证据材料.pdf")]},
        at=_at(days["initiate"]),
    )
    n += 1
    if plan.target == "initiated":
        return n
    if plan.target == "cancelled":
        services.perform(
            case.pk, "cancel", actor=initiator, data={"reason": "经复核，情形已消除。"}, at=_at(days["consent"])
        )
        return n + 1
    if plan.ground == "9.1":
        services.perform(
            case.pk,
            "center_consent",
            actor=center_leader,
            data={"consented_on": days["consent"].isoformat(), "note": "同意"},
            files={"consent_document": _pdf("中心书面同意.pdf")},
            at=_at(days["consent"]),
        )
        n += 1
    if plan.ground == "9.2":
        services.perform(
            case.pk,
            "counterparty_agree",
            actor=officer,
            data={"agreed_on": days["consent"].isoformat(), "statement": "经研究，同意终止合作。"},
            at=_at(days["consent"]),
        )
        n += 1
    if plan.target == "agreed":
        return n
    decision = {"decided_on": days["decide"].isoformat(), "note": "经集体研究决定解除合作。"}
    if plan.ground.startswith("8"):
        decision["legal_liability"] = "依合作协议追究违约责任，已书面告知网点所属银行。"
    services.perform(
        case.pk,
        "decide",
        actor=leader,
        data=decision,
        files={"decision_document": _pdf("解除合作决定书.pdf")},
        at=_at(days["decide"], 15),
    )
    n += 1
    if plan.target == "decided":
        return n
    services.perform(case.pk, "file_with_center", actor=officer, data={}, at=_at(days["file"], 16))
    n += 1
    if plan.target == "filed":
        return n
    due = deadlines.compute_due(days["file"], workdays=5)
    closed_on = min(days["file"] + timedelta(days=3), due, today)
    accounts = SystemAccount.objects.filter(outlet_id=outlet.pk, closed_on__isnull=True)
    services.perform(
        case.pk,
        "close_accounts",
        actor=center,
        data={"accounts": list(accounts.values_list("identifier", flat=True)), "closed_on": closed_on.isoformat()},
        at=_at(closed_on, 11),
    )
    return n + 1


def seed_terminations(
    *,
    rng: random.Random,
    actor_lookup: Callable[[str, Outlet], User | None] | None = None,
    today: date | None = None,
) -> SeedTerminationsResult:
    """Create the demo terminations of the module docstring. Does nothing if a previous run left its marker."""
    from ssc.admission.demo import DemoActors, demo_today

    started = time.monotonic()
    result = SeedTerminationsResult()
    if AuditEvent.objects.filter(action=MARKER).exists():
        result.skipped = True
        return result
    actors = actor_lookup or DemoActors()
    today = today or demo_today()
    with transaction.atomic():
        for plan in _plans(rng):
            done = 0
            for outlet in plan.outlets()[:20]:
                try:
                    with transaction.atomic():
                        done = _seed_one(plan, outlet, today, actors)
                except DomainError:  # e.g. no calendar for the deadline's year: try another outlet, else skip
                    done = 0
                if done:
                    break
            if done:
                result.created += 1
                result.actions += done
            else:
                result.shortfall += 1
        result.states = Counter(Termination.objects.values_list("state", flat=True))
        result.seconds = time.monotonic() - started
        audit.record(
            action=MARKER,
            object_type="terminations.termination",
            object_repr=str(_("演示解除合作")),
            after={
                "created": result.created,
                "actions": result.actions,
                "states": dict(result.states),
                "shortfall": result.shortfall,
                "on": today.isoformat(),
            },
        )
    return result


def demo_step(rng: random.Random) -> str:
    """The ``seed_demo`` step (``ssc.core.demo.STEPS``)."""
    return seed_terminations(rng=rng).summary()
