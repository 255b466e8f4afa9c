"""Demo relocations (演示迁址), made through the services with backdated dates: outlets of several districts report
a move (by their sub-branch's applicant) and the district assesses some of them — compliant (the outlet's address
moves and a roster version is published), non-compliant (the Art 9(3) ground), a few withdrawn, the rest waiting.
The demo user's outlet ``CQRCB-500106-0001`` gets a move waiting on ``shapingba_officer`` (SCENARIOS C.2 to walk).

Idempotent: a run records the audit event ``relocations.seed_demo``; if it exists, nothing is done."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ssc.accounts.choices import Role
from ssc.accounts.models import User
from ssc.audit import services as audit
from ssc.audit.models import AuditEvent
from ssc.core.demo import at as _at
from ssc.core.demo import pdf as _pdf
from ssc.core.errors import DomainError
from ssc.registry.models import CQ_LAT, CQ_LNG, Outlet

from . import services
from .models import OPEN_STATES, Relocation, RelocationState

MARKER = "relocations.seed_demo"
ANCHOR = "CQRCB-500106-0001"
DEFAULT_COUNT = 40
# Where the demo moves end up (the anchor's stays ``reported``).
OUTCOMES = ["reported"] * 4 + ["compliant"] * 4 + ["non_compliant"] * 2 + ["withdrawn"]
STREETS = ["解放路", "民生路", "学府大道", "滨江路", "新华路", "人民路", "建设大道", "光明街"]
REASONS = ["原址租约到期", "原址所在建筑改造", "网点布局优化，迁至人流更集中的地段", "原址面积不足"]
COMPLIANT = "新址临街一层，交通便利，设有无障碍通道和社保卡服务专区，符合便民服务要求。"
NON_COMPLIANT = [
    "新址位于三楼且无电梯，老年人、残疾人办理不便，不符合便民服务要求。",
    "新址无独立服务区域，无法设置社保卡服务专区，不符合便民服务要求。",
]


@dataclass
class SeedRelocationsResult:
    created: int = 0
    states: Counter = field(default_factory=Counter)
    skipped: bool = False
    seconds: float = 0.0

    def summary(self) -> str:
        if self.skipped:
            return str(_("演示迁址已存在，本次未作变更。"))
        labels = dict(RelocationState.choices)
        text = "，".join(f"{labels.get(k, k)} {v}" for k, v in sorted(self.states.items()))
        return _("演示迁址新增 %(n)d 件（%(t)s；用时 %(s).1f 秒）。") % {
            "n": self.created,
            "t": text,
            "s": self.seconds,
        }


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return round(min(max(value, bounds[0] + 0.001), bounds[1] - 0.001), 6)


def _new_point(outlet: Outlet, rng: random.Random) -> tuple[float, float]:
    """A few hundred metres away, towards the centre of the outlet's area (so the demo point stays where
    ``seed_demo`` puts that district's outlets); a small jitter where the area is unknown."""
    from ssc.registry import reference

    area = reference.AREAS.get(outlet.district.code)
    if area is not None:
        f = rng.uniform(0.1, 0.3)
        lat = outlet.latitude + (area.lat - outlet.latitude) * f
        lng = outlet.longitude + (area.lng - outlet.longitude) * f
    else:
        lat = outlet.latitude + rng.uniform(-0.003, 0.003)
        lng = outlet.longitude + rng.uniform(-0.003, 0.003)
    return _clamp(lat, (CQ_LAT[0], CQ_LAT[1])), _clamp(lng, (CQ_LNG[0], CQ_LNG[1]))


def _payload(outlet: Outlet, rng: random.Random, planned: date) -> dict:
    lat, lng = _new_point(outlet, rng)
    return {
        "new_address": f"{outlet.district.name}{rng.choice(STREETS)}{rng.randint(1, 399)}号",
        "new_district": outlet.district_id,
        "new_latitude": lat,
        "new_longitude": lng,
        "planned_move_on": planned.isoformat(),
        "reason": rng.choice(REASONS),
    }


def seed_relocations(
    *,
    rng: random.Random | None = None,
    count: int = DEFAULT_COUNT,
    today: date | None = None,
    actor_lookup: Callable[[str, Outlet], User | None] | None = None,
) -> SeedRelocationsResult:
    from ssc.admission.demo import DemoActors

    started = time.monotonic()
    result = SeedRelocationsResult()
    if AuditEvent.objects.filter(action=MARKER).exists():
        result.skipped = True
        return result
    rng = rng or random.Random(20260415)  # noqa: S311 - reproducible demo data, not security
    today = today or timezone.localdate()
    actor_lookup = actor_lookup or DemoActors()
    busy = Relocation.objects.filter(state__in=OPEN_STATES).values("outlet_id")
    pool = list(
        Outlet.objects.filter(status__in=list(services.RELOCATABLE))
        .exclude(pk__in=busy)
        .select_related("district")
        .order_by("pk")
    )
    anchors = [o for o in pool if o.code == ANCHOR]
    others = [o for o in pool if o.code != ANCHOR]
    chosen = anchors + rng.sample(others, min(count - len(anchors), len(others)))
    with transaction.atomic():
        for i, outlet in enumerate(chosen):
            outcome = "reported" if outlet.code == ANCHOR else OUTCOMES[i % len(OUTCOMES)]
            applicant = actor_lookup(Role.BANK_APPLICANT, outlet)
            officer = actor_lookup(Role.DISTRICT_OFFICER, outlet)
            if applicant is None or officer is None:
                continue
            reported_on = today - timedelta(days=rng.randint(3, 60))
            planned = reported_on + timedelta(days=rng.randint(20, 60))
            try:
                case = services.relocation_report(
                    actor=applicant,
                    outlet_id=outlet.pk,
                    data=_payload(outlet, rng, planned),
                    files={"documents": [_pdf("新址租赁合同.pdf")]},
                    at=_at(reported_on),
                )
                assessed = min(reported_on + timedelta(days=rng.randint(2, 10)), today)
                if outcome in ("compliant", "non_compliant"):
                    services.perform(
                        case.pk,
                        "assess",
                        actor=officer,
                        data={
                            "assessed_on": assessed.isoformat(),
                            "result": outcome,
                            "findings": COMPLIANT if outcome == "compliant" else rng.choice(NON_COMPLIANT),
                        },
                        files={"report": _pdf("迁址评估报告.pdf")},
                        at=_at(assessed, 15),
                    )
                elif outcome == "withdrawn":
                    services.perform(
                        case.pk, "withdraw", actor=applicant, data={"reason": "租约续签，暂不迁址"}, at=_at(assessed)
                    )
            except DomainError:
                continue
            result.created += 1
            result.states[outcome] += 1
        audit.record(
            action=MARKER,
            object_type="relocations.relocation",
            object_repr=_("演示迁址"),
            after={"created": result.created, "states": dict(result.states)},
        )
    result.seconds = time.monotonic() - started
    return result


def demo_step(rng: random.Random) -> str:
    """``seed_demo`` step (see ``ssc.core.demo``): relocations in every outcome."""
    return seed_relocations(rng=rng).summary()
