"""Demo inspections (演示监督检查) in every state, made by really performing the actions.

``seed_inspections`` has the two regulators (市人社局, 金融监管总局重庆监管局) and the center record inspections of
outlets or of whole districts through ``services.record(..., at=<backdated>)``; some only record findings, the
others ask the district agency to act, which answers (``respond``) and the recording organisation closes some of
them (``close``). So every inspection has history rows, audit events, notifications and, often, a small PDF.
渝中区 (the district of the named demo users ``yuzhong_officer`` / ``yuzhong_leader``) always gets requests waiting
in its inbox.

The people acting: the seeded demo users where they fit (``regulator_hrss``, ``regulator_nfra``, ``center_officer``,
the district officers), otherwise one background user per organisation and role (``demo-<role>-<organisation>``,
no usable password: they only author history).

Idempotent: a run records the audit event ``inspection.seed_demo``; if it exists, nothing is done.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

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
from ssc.registry.choices import OrganisationKind, OutletStatus
from ssc.registry.models import District, Organisation, Outlet

from . import services
from .models import Inspection, InspectionState

S = InspectionState
MARKER = "inspection.seed_demo"
DEFAULT_COUNT = 24
FOCUS_DISTRICT = "500103"  # 渝中区: the named demo district users

SCOPES = [
    "社保卡即时制卡服务及咨询、投诉电话公示情况现场检查",
    "合作网点社保卡业务办理规范及服务时限抽查",
    "社保卡系统账户管理与数据安全检查",
    "金渝网迁移进度及原社银直连链路管理检查",
    "合作协议履行情况及服务质量评价工作检查",
]
FINDINGS = [
    "部分网点未在显著位置公示投诉电话。",
    "即时制卡设备停用超过一个月未报修。",
    "个别网点经办人员离职后柜员账户未及时关闭。",
    "服务质量评价台账不完整，未见整改跟踪记录。",
    "检查范围内网点服务规范，未发现问题。",
]
REQUESTS = [
    "督促相关网点限期整改，并于 15 个工作日内反馈整改情况。",
    "核实离职人员账户情况，关闭不再使用的账户并反馈。",
    "对检查发现的问题下达整改通知，整改完成后报送核验结果。",
]
RESPONSES = [
    "已向相关网点下达整改通知，网点已完成整改，经现场核验属实。",
    "已核实并关闭 2 个离职人员柜员账户，建立账户季度核查制度。",
    "已组织辖区网点开展专项自查，问题已全部整改。",
]
# Target states, cycled (渝中区 gets the first of each round).
TARGETS = [S.ACTION_REQUESTED, S.RECORDED, S.RESPONDED, S.CLOSED, S.ACTION_REQUESTED, S.CLOSED]
# 渝中区 always has requests waiting on it (and answers waiting on the regulators).
FOCUS_TARGETS = [S.ACTION_REQUESTED, S.RESPONDED, S.CLOSED]


@dataclass
class SeedInspectionsResult(SeedResult):
    STATE_CHOICES = InspectionState.choices
    SKIPPED = gettext_lazy("演示监督检查已存在，本次未作变更。")
    CREATED = gettext_lazy("演示监督检查新增 %(n)d 件（办理操作 %(a)d 步，用时 %(s).1f 秒）：%(states)s。")
    SHORTFALL = gettext_lazy("另有 %(n)d 件因无可用网点或办理人员未生成。")


class _People:
    """Who records (one user per inspecting organisation) and who answers (one officer per district)."""

    def __init__(self) -> None:
        self.created = 0
        self._recorders: list[User] | None = None
        self._officers: dict[int, User | None] = {}

    def _background(self, role: str, org: Organisation) -> User:
        username = f"demo-{role.replace('_', '-')}-{org.code}"[:150]
        user = User.objects.filter(username=username).first()
        if user is not None:
            return user
        name = _("%(org)s（演示）") % {"org": org.name}
        user = User(username=username, role=role, organisation=org, first_name=name[:150])
        user.set_unusable_password()
        user.full_clean()
        user.save()
        self.created += 1
        return user

    def recorders(self) -> list[User]:
        if self._recorders is None:
            self._recorders = []
            wanted = [
                (OrganisationKind.HRSS, Role.REGULATOR),
                (OrganisationKind.NFRA, Role.REGULATOR),
                (OrganisationKind.CENTER, Role.CENTER_OFFICER),
            ]
            for kind, role in wanted:
                org = Organisation.objects.filter(kind=kind, is_active=True).order_by("code").first()
                if org is None:
                    continue
                user = (
                    User.objects.filter(role=role, organisation=org, is_active=True)
                    .order_by("username")
                    .exclude(username__startswith="demo-")
                    .first()
                ) or self._background(role, org)
                self._recorders.append(user)
        return self._recorders

    def officer(self, district_id: int) -> User | None:
        if district_id not in self._officers:
            org = (
                Organisation.objects.filter(
                    kind=OrganisationKind.DISTRICT_AGENCY, district_id=district_id, is_active=True
                )
                .order_by("code")
                .first()
            )
            user = None
            if org is not None:
                user = (
                    User.objects.filter(role=Role.DISTRICT_OFFICER, organisation=org, is_active=True)
                    .order_by("username")
                    .exclude(username__startswith="demo-")
                    .first()
                ) or self._background(Role.DISTRICT_OFFICER, org)
            self._officers[district_id] = user
        return self._officers[district_id]


def _districts(rng: random.Random, count: int) -> list[District]:
    """The districts to inspect, 渝中区 first and every third inspection, the others at random."""
    with_outlets = list(District.objects.filter(outlets__status=OutletStatus.ACTIVE).distinct().order_by("code"))
    if not with_outlets:
        return []
    focus = next((d for d in with_outlets if d.code == FOCUS_DISTRICT), with_outlets[0])
    others = [d for d in with_outlets if d != focus] or [focus]
    return [focus if i % 3 == 0 else rng.choice(others) for i in range(count)]


def _seed_one(
    i: int,
    target: str,
    district: District,
    today: date,
    rng: random.Random,
    people: _People,
    result: SeedInspectionsResult,
) -> Inspection | None:
    recorders = people.recorders()
    officer = people.officer(district.pk)
    if not recorders or (target != S.RECORDED and officer is None):
        return None
    recorder = recorders[i % len(recorders)]
    codes = list(
        Outlet.objects.filter(district=district, status=OutletStatus.ACTIVE)
        .order_by("code")
        .values_list("code", flat=True)
    )
    outlets = rng.sample(codes, min(len(codes), rng.choice([0, 1, 1, 2, 3])))
    inspected = today - timedelta(days=rng.randint(20, 150))
    requests_action = target != S.RECORDED
    data = {
        "inspected_on": inspected.isoformat(),
        "scope": rng.choice(SCOPES),
        "district": district.pk,
        "outlets": outlets,
        "findings": rng.choice(FINDINGS[:-1] if requests_action else FINDINGS),
        "requests_action": requests_action,
        "requested_action": rng.choice(REQUESTS) if requests_action else "",
    }
    files = {"documents": [_pdf("检查记录.pdf")]} if rng.random() < 0.6 else None
    with transaction.atomic():
        recorded_on = inspected + timedelta(days=rng.randint(1, 3))
        case = services.record(actor=recorder, data=data, files=files, at=_at(recorded_on))
        result.actions += 1
        if target in (S.RESPONDED, S.CLOSED):
            responded_on = min(today, recorded_on + timedelta(days=rng.randint(5, 20)))
            case = services.perform(
                case.pk,
                "respond",
                actor=officer,
                data={"response": rng.choice(RESPONSES)},
                files={"documents": [_pdf("整改反馈.pdf")]},
                at=_at(responded_on, 15),
            )
            result.actions += 1
            if target == S.CLOSED:
                closed_on = min(today, responded_on + timedelta(days=rng.randint(1, 10)))
                case = services.perform(
                    case.pk, "close", actor=recorder, data={"note": "反馈情况属实，予以办结。"}, at=_at(closed_on, 16)
                )
                result.actions += 1
    return case


def seed_inspections(
    *, rng: random.Random, count: int = DEFAULT_COUNT, today: date | None = None
) -> SeedInspectionsResult:
    """Create ``count`` demo inspections (see the module docstring). Does nothing if a previous run left its
    marker."""
    from ssc.admission.demo import demo_today

    started = time.monotonic()
    result = SeedInspectionsResult()
    if AuditEvent.objects.filter(action=MARKER).exists():
        result.skipped = True
        return result
    today = today or demo_today()
    people = _People()
    districts = _districts(rng, count)
    result.shortfall = count - len(districts)
    with transaction.atomic():
        for i, district in enumerate(districts):
            if district.code == FOCUS_DISTRICT:
                target = FOCUS_TARGETS[(i // 3) % len(FOCUS_TARGETS)]
            else:
                target = TARGETS[i % len(TARGETS)]
            case = _seed_one(i, target, district, today, rng, people, result)
            if case is None:
                result.shortfall += 1
                continue
            result.created += 1
        result.states = Counter(Inspection.objects.exclude(state=S.NEW).values_list("state", flat=True))
        result.seconds = time.monotonic() - started
        audit.record(
            action=MARKER,
            object_type="inspections.inspection",
            object_repr=str(_("演示监督检查")),
            after={
                "created": result.created,
                "actions": result.actions,
                "states": dict(result.states),
                "shortfall": result.shortfall,
            },
        )
    return result
