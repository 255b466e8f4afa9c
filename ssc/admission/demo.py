"""Demo applications (演示申请) in every state of the admission workflow, made by really performing the actions.

``seed_applications`` picks outlets that ``seed_demo`` left in a placeholder status (申请中 / 筹备中 / 未通过,
without any application) and carries each through the real service layer — ``application_create`` and
``services.perform(..., at=<backdated>)`` — to its target state. So every demo application has real history
rows, audit events, documents (small PDFs), agreements, system accounts, roster versions, notifications and
the center's statutory deadline. Dates run backwards from "today" over the working-day calendar, so:

- applications waiting on the center (``system_opening_requested``) are partly within their 5 working days
  (pending) and partly past them (missed by the sweep that runs at the end);
- active applications were mostly opened in time (met), some late (missed on completion);
- some applications went through a return and resubmission, some through a failed go-live inspection.

The people acting are found by ``actor_lookup(role, outlet) → User | None``; ``DemoActors`` is the standard
lookup (the seeded demo users where they fit, else one background user per organisation and role).

Idempotent: a run records the audit event ``admission.seed_demo``; if it exists, nothing is done.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ssc.accounts.choices import Role
from ssc.accounts.models import User
from ssc.audit import services as audit
from ssc.audit.models import AuditEvent
from ssc.core.demo import TZ
from ssc.core.demo import pdf as _pdf
from ssc.deadlines import escalation
from ssc.deadlines import services as deadlines
from ssc.deadlines.models import Deadline, DeadlineStatus
from ssc.registry.choices import OrganisationKind, OutletStatus
from ssc.registry.models import Organisation, Outlet
from ssc.workcalendar import services as cal

from . import services
from .models import Application, ApplicationState, Checklist, ChecklistKind
from .workflow import ADMISSION, CENTER_OPEN_ACCOUNTS

S = ApplicationState
MARKER = "admission.seed_demo"
DEFAULT_PER_STATE = 12


# The path to each state (failed inspections and return/resubmit loops are added at random).
MAIN = [
    "submit",
    "record_site_verification",
    "decide",
    "file_with_center",
    "acknowledge_filing",
    "notify_outlet",
    "sign_agreement",
    "update_preparation",
    "apply_go_live",
    "inspect_readiness",
    "request_system_opening",
    "open_accounts",
]
PATH_TO: dict[str, list[str]] = {
    S.DRAFT: [],
    S.SUBMITTED: MAIN[:1],
    S.RETURNED: ["submit", "return"],
    S.SITE_VERIFIED: MAIN[:2],
    S.APPROVED: MAIN[:3],
    S.REJECTED: [*MAIN[:2], "decide:rejected"],
    S.FILED: MAIN[:4],
    S.FILING_ACKNOWLEDGED: MAIN[:5],
    S.NOTIFIED: MAIN[:6],
    S.PREPARING: MAIN[:7],
    S.GO_LIVE_APPLIED: MAIN[:9],
    S.READINESS_PASSED: MAIN[:10],
    S.SYSTEM_OPENING_REQUESTED: MAIN[:11],
    S.ACTIVE: MAIN,
}
# Working days each step typically takes after the previous one (min, max).
STEP_DAYS: dict[str, tuple[int, int]] = {
    "submit": (1, 3),
    "return": (2, 5),
    "record_site_verification": (2, 8),
    "decide": (2, 7),
    "file_with_center": (0, 2),
    "acknowledge_filing": (1, 3),
    "notify_outlet": (0, 2),
    "sign_agreement": (2, 8),
    "update_preparation": (3, 10),
    "apply_go_live": (1, 4),
    "inspect_readiness": (1, 5),
    "request_system_opening": (0, 1),
    "open_accounts": (1, 5),
    "withdraw": (1, 6),
}
# Outlets whose placeholder status matches the application's state are used first.
POOL_FOR_STATE: dict[str, OutletStatus] = {
    S.PREPARING: OutletStatus.PREPARING,
    S.GO_LIVE_APPLIED: OutletStatus.PREPARING,
    S.READINESS_PASSED: OutletStatus.PREPARING,
    S.SYSTEM_OPENING_REQUESTED: OutletStatus.PREPARING,
    S.REJECTED: OutletStatus.REJECTED,
}
PLACEHOLDER_STATUSES = (OutletStatus.APPLYING, OutletStatus.PREPARING, OutletStatus.REJECTED)

INSPECTORS = ["王敏", "李强", "张华", "刘洋", "陈静", "杨帆", "赵磊", "周婷", "吴昊", "孙悦"]
ATTENDEES = ["主任", "副主任", "经办科科长", "财务负责人", "纪检干部", "业务骨干", "法规岗"]
STAFF = ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十"]
RETURN_REASONS = [
    "同意函未加盖重庆市分行公章，请补正。",
    "网点营业时间与现场公示不一致，请核实后更正。",
    "投诉电话与营业执照登记信息不一致，请更正。",
]
REJECT_REASONS = [
    "选址与辖区内现有合作网点距离过近，服务半径重叠。",
    "网点营业场所面积不足，无法设置社保卡服务专区。",
]
FINDINGS = ["排队指引标识缺失", "制卡机未完成联调", "服务公示牌未张贴咨询投诉电话"]
WITHDRAW_REASONS = ["网点装修推迟，暂缓申请。", "支行网点布局调整，撤回本次申请。"]


@dataclass
class SeedApplicationsResult:
    created: int = 0
    actions: int = 0
    skipped: bool = False
    states: Counter = field(default_factory=Counter)
    deadlines: Counter = field(default_factory=Counter)
    shortfall: int = 0  # applications that could not be placed (no outlet or no one to act)
    seconds: float = 0.0

    def summary(self) -> str:
        if self.skipped:
            return str(_("演示申请已存在，本次未作变更。"))
        labels = dict(ApplicationState.choices)
        sep = str(_("，"))
        states = sep.join(f"{labels[s]} {n}" for s, n in sorted(self.states.items()))
        text = _("演示申请新增 %(n)d 件（办理操作 %(a)d 步，用时 %(s).1f 秒）：%(states)s。") % {
            "n": self.created,
            "a": self.actions,
            "s": self.seconds,
            "states": states,
        }
        if self.deadlines:
            status_labels = dict(DeadlineStatus.choices)
            text += _("中心开通期限：%(d)s。") % {
                "d": sep.join(f"{status_labels.get(k, k)} {v}" for k, v in sorted(self.deadlines.items()))
            }
        if self.shortfall:
            text += _("另有 %(n)d 件因无可用网点或办理人员未生成。") % {"n": self.shortfall}
        return text


# --- who acts ------------------------------------------------------------------------------------------------


class DemoActors:
    """``actor_lookup`` for ``seed_applications``: an active user of ``role`` whose scope covers ``outlet`` —
    the seeded demo users (``yuzhong_officer`` …) where they fit, otherwise a background user created once per
    organisation and role (``demo-<role>-<organisation code>``, no usable password: they only author history).
    Outlet staff are never created; the sub-branch's applicant does the preparation steps instead."""

    def __init__(self, *, create_missing: bool = True):
        self.create_missing = create_missing
        self._index: dict[tuple, list[User]] | None = None
        self.created = 0

    def key(self, role: str, outlet: Outlet) -> tuple:
        if role in (Role.DISTRICT_OFFICER, Role.DISTRICT_LEADER):
            return (role, "district", outlet.district_id)
        if role == Role.BANK_APPLICANT:
            return (role, "org", outlet.sub_branch_id)
        if role == Role.OUTLET_STAFF:
            return (role, "outlet", outlet.pk)
        if role == Role.BANK_HEAD_OFFICE:
            return (role, "bank", outlet.bank_id)
        return (role,)

    @staticmethod
    def _user_key(u: User) -> tuple:
        org = u.organisation
        if u.role in (Role.DISTRICT_OFFICER, Role.DISTRICT_LEADER):
            if org is not None and org.kind == OrganisationKind.DISTRICT_AGENCY:
                return (u.role, "district", org.district_id)
            return ()
        if u.role == Role.BANK_APPLICANT:
            return (u.role, "org", u.organisation_id)
        if u.role == Role.OUTLET_STAFF:
            return (u.role, "outlet", u.outlet_id)
        if u.role == Role.BANK_HEAD_OFFICE:
            if org is not None and org.kind == OrganisationKind.BANK_BRANCH:
                return (u.role, "bank", org.bank_id)
            return ()
        return (u.role,)

    def _users(self) -> dict[tuple, list[User]]:
        """Every active user once, by key; the seeded (named) users before background ``demo-`` users."""
        if self._index is None:
            self._index = {}
            users = User.objects.filter(is_active=True).select_related("organisation").order_by("pk")
            for u in sorted(users, key=lambda u: (u.username.startswith("demo-"), u.pk)):
                k = self._user_key(u)
                if k:
                    self._index.setdefault(k, []).append(u)
        return self._index

    def __call__(self, role: str, outlet: Outlet) -> User | None:
        k = self.key(role, outlet)
        found = self._users().get(k)
        if found:
            return found[0]
        if not self.create_missing:
            return None
        user = self._create(role, k)
        if user is not None:
            self._users()[k] = [user]
        return user

    def known(self, role: str, outlet: Outlet) -> bool:
        """Is there already a user for this role and outlet (without creating one)?"""
        return bool(self._users().get(self.key(role, outlet)))

    def _create(self, role: str, k: tuple) -> User | None:
        org = self._organisation(role, k)
        if org is None:
            return None
        user = User(
            username=f"demo-{role.replace('_', '-')}-{org.code}"[:150],
            role=role,
            organisation=org,
            first_name=(_("%(org)s（演示）") % {"org": org.name})[:150],
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
        self.created += 1
        return user

    def _organisation(self, role: str, k: tuple) -> Organisation | None:
        kind = k[1] if len(k) > 1 else None
        if kind == "district":
            return (
                Organisation.objects.filter(kind=OrganisationKind.DISTRICT_AGENCY, district_id=k[2], is_active=True)
                .order_by("code")
                .first()
            )
        if kind == "org":
            return Organisation.objects.filter(pk=k[2]).first()
        if role in (Role.CENTER_OFFICER, Role.CENTER_LEADER):
            return Organisation.objects.filter(kind=OrganisationKind.CENTER).order_by("code").first()
        return None  # outlet staff, head offices, others: only existing users


# --- the calendar of one application ---------------------------------------------------------------------------


class _Days:
    """The working days of the demo period, for index arithmetic ("3 working days later")."""

    def __init__(self, today: date):
        first = date(today.year, 1, 5) if today >= date(today.year, 4, 1) else today - timedelta(days=365)
        first = max(first, date(min(cal.covered_years()), 1, 1))
        self.days = [first + timedelta(days=i) for i in range((today - first).days + 1)]
        self.days = [d for d in self.days if cal.is_workday(d)]


def demo_today() -> date:
    """Today, or the last day of the last year with a calendar when today's year has none."""
    today = timezone.localdate()
    years = cal.covered_years()
    if not years or today.year in years or today.year < years[0]:
        return today
    return date(years[-1], 12, 31)


# --- payloads ------------------------------------------------------------------------------------------------


class _Payloads:
    def __init__(self, rng: random.Random):
        self.rng = rng
        site = Checklist.active(ChecklistKind.SITE_VERIFICATION)
        ready = Checklist.active(ChecklistKind.READINESS)
        self.site_codes = [i["code"] for i in site.items] if site else []
        self.ready_codes = [i["code"] for i in ready.items] if ready else []
        self.branches = dict(
            Organisation.objects.filter(kind=OrganisationKind.BANK_BRANCH).values_list("bank_id", "pk")
        )

    def build(self, action: str, app: Application, outlet: Outlet, day: date, variant: str = "") -> tuple:
        rng = self.rng
        iso = day.isoformat()
        if action == "submit":
            consent = day - timedelta(days=rng.randint(3, 20))
            data: dict[str, Any] = {
                "consent_organisation": self.branches.get(outlet.bank_id),
                "consent_date": consent.isoformat(),
            }
            first = not app.facts.get("submit")
            return data, ({"consent_letter": _pdf("同意函.pdf")} if first else {})
        if action == "return":
            return {"reasons": rng.choice(RETURN_REASONS)}, None
        if action == "record_site_verification":
            inspectors = rng.sample(INSPECTORS, rng.choice([2, 2, 3]))
            data = {
                "visited_on": iso,
                "inspectors": inspectors,
                "checklist": dict.fromkeys(self.site_codes, True),
                "conclusion": "passed",
                "findings": "现场核实符合合作网点基本条件。",
            }
            return data, {"report": _pdf("现场核实报告.pdf"), "photos": [_pdf("现场照片.pdf")]}
        if action == "decide":
            rejected = variant == "rejected"
            data = {
                "meeting_date": iso,
                "attendees": rng.sample(ATTENDEES, rng.randint(3, 6)),
                "decision": "rejected" if rejected else "approved",
                "reasons": rng.choice(REJECT_REASONS) if rejected else "符合合作网点条件，同意开设。",
            }
            return data, {"minutes": _pdf("集体研究会议纪要.pdf")}
        if action in ("file_with_center", "request_system_opening"):
            return {}, None
        if action == "acknowledge_filing":
            return {"filing_number": f"渝社卡备〔{day.year}〕{app.pk:04d}号"}, None
        if action == "notify_outlet":
            return {}, {"notice": _pdf("备案结果告知书.pdf")}
        if action == "sign_agreement":
            short = outlet.district.name[:2]
            end = day + relativedelta(years=3) - timedelta(days=1)
            data = {
                "agreement_number": f"{short}社卡合〔{day.year}〕{app.pk}号",
                "signed_on": iso,
                "term_start": iso,
                "term_end": end.isoformat(),
            }
            return data, {"signed_copy": _pdf("合作协议.pdf")}
        if action == "update_preparation":
            partial = variant == "partial"
            staff = rng.sample(STAFF, rng.randint(2, 4))
            return {
                "system_integration_done": True,
                "interconnection_mode": outlet.interconnection_mode or "jinyu",
                "integration_tested_on": iso,
                "hardware_done": not partial,
                "hardware_note": "制卡机 1 台、读卡器 2 台" if not partial else "制卡机待到货",
                "trained_staff": [] if partial else [f"{n},{iso}" for n in staff],
            }, None
        if action == "apply_go_live":
            return {"note": "筹备事项已全部完成，申请开通。"}, None
        if action == "inspect_readiness":
            if variant == "failed":
                finding = rng.choice(FINDINGS)
                checklist = dict.fromkeys(self.ready_codes, True)
                if "signage" in checklist:
                    checklist["signage"] = False
                return {"inspected_on": iso, "result": "preparing", "checklist": checklist, "findings": finding}, {
                    "report": _pdf("开通验收报告.pdf")
                }
            return {
                "inspected_on": iso,
                "result": "readiness_passed",
                "checklist": dict.fromkeys(self.ready_codes, True),
            }, {"report": _pdf("开通验收报告.pdf")}
        if action == "open_accounts":
            code = outlet.code
            return {
                "accounts": [
                    {"account_type": "operator", "identifier": f"{code}-DA1", "holder": rng.choice(STAFF)},
                    {"account_type": "operator", "identifier": f"{code}-DA2", "holder": rng.choice(STAFF)},
                    {"account_type": "terminal", "identifier": f"{code}-DT1", "holder": ""},
                ]
            }, None
        if action == "withdraw":
            return {"reason": rng.choice(WITHDRAW_REASONS)}, None
        raise ValueError(action)


# --- planning --------------------------------------------------------------------------------------------------


def _plan(state: str, rng: random.Random) -> list[str]:
    """The actions (``name`` or ``name:variant``) that bring a new application to ``state``."""
    if state == S.WITHDRAWN:
        prefix = rng.choice([[], MAIN[:1], MAIN[:2], MAIN[:3], ["submit", "return"]])
        return [*prefix, "withdraw"]
    steps = list(PATH_TO[state])
    if len(steps) > 2 and rng.random() < 0.15:  # returned once for correction, then resubmitted
        steps[1:1] = ["return", "submit"]
    if "inspect_readiness" in steps and rng.random() < 0.25:  # a failed go-live inspection first
        i = steps.index("inspect_readiness")
        steps[i:i] = ["inspect_readiness:failed", "update_preparation", "apply_go_live"]
    if state == S.PREPARING and rng.random() < 0.5:
        steps.append("update_preparation:partial")
    return steps


def _durations(steps: list[str], state: str, rng: random.Random, i: int) -> tuple[list[int], int]:
    """Working days before each step, and how long ago (working days) the last step was. The ``i``-th
    application of a state decides the center's deadline: of those waiting on the center, every other one is
    still within its 5 working days (pending) and the others past them (missed at the sweep); of the active
    ones every fourth was opened late (missed on completion), the rest in time (met)."""
    days = []
    for s in steps:
        name = s.split(":")[0]
        lo, hi = STEP_DAYS[name]
        if name == "open_accounts" and i % 4 == 3:
            lo, hi = 6, 9
        days.append(rng.randint(lo, hi))
    if state == S.SYSTEM_OPENING_REQUESTED:
        slack = rng.randint(0, 3) if i % 2 == 0 else rng.randint(6, 20)
    elif state in (S.ACTIVE, S.REJECTED, S.WITHDRAWN):
        slack = rng.randint(3, 80)
    else:
        slack = rng.randint(0, 25)
    return days, slack


# --- the seeding ---------------------------------------------------------------------------------------------


def _candidates(rng: random.Random, actor_lookup: Any) -> dict[str, list[Outlet]]:
    """Outlets left in a placeholder status and never applied for, by status; in each pool, outlets that the
    seeded demo users can act on come first (so their inboxes have work), the rest in random order."""
    taken = Application.objects.values("outlet_id")
    qs = (
        Outlet.objects.filter(status__in=PLACEHOLDER_STATUSES)
        .exclude(pk__in=taken)
        .select_related("district", "sub_branch", "bank")
        .order_by("code")
    )
    known = getattr(actor_lookup, "known", None)
    pools: dict[str, list[Outlet]] = {s: [] for s in PLACEHOLDER_STATUSES}
    for o in qs:
        pools[o.status].append(o)
    for items in pools.values():
        rng.shuffle(items)
        if known is not None:
            items.sort(key=lambda o: 0 if known(Role.DISTRICT_OFFICER, o) else 1)
    return pools


def _actor(action: str, outlet: Outlet, actor_lookup: Callable[[str, Outlet], User | None]) -> User | None:
    t = ADMISSION.get(action)
    assert t is not None
    order = [Role.OUTLET_STAFF, Role.BANK_APPLICANT] if Role.OUTLET_STAFF in t.roles else sorted(t.roles)
    for role in order:
        if role in t.roles:
            user = actor_lookup(role, outlet)
            if user is not None:
                return user
    return None


def seed_applications(
    *,
    rng: random.Random,
    actor_lookup: Callable[[str, Outlet], User | None] | None = None,
    count_per_state: int = DEFAULT_PER_STATE,
    today: date | None = None,
    states: Iterable[str] | None = None,
) -> SeedApplicationsResult:
    """Create ``count_per_state`` demo applications in every state of ``ApplicationState`` (see the module
    docstring), then run the deadline sweep for ``today``. Does nothing if a previous run left its marker."""
    started = time.monotonic()
    result = SeedApplicationsResult()
    if AuditEvent.objects.filter(action=MARKER).exists():
        result.skipped = True
        return result
    actor_lookup = actor_lookup or DemoActors()
    today = today or demo_today()
    calendar = _Days(today)
    payloads = _Payloads(rng)
    pools = _candidates(rng, actor_lookup)
    wanted = list(states) if states is not None else [s.value for s in ApplicationState]
    with transaction.atomic():
        # Round robin over the states, so the outlets the named demo users act on get every state.
        for i in range(count_per_state):
            for state in wanted:
                outlet = _take(pools, state)
                if outlet is None:
                    result.shortfall += 1
                    continue
                n = _seed_one(state, i, outlet, rng, actor_lookup, calendar, payloads, result)
                if n is None:
                    result.shortfall += 1
        sweep = deadlines.sweep(today=today, notify=escalation.notify_sweep)
        counts = Counter(
            Deadline.objects.filter(case_type="application", kind=CENTER_OPEN_ACCOUNTS).values_list("status", flat=True)
        )
        result.deadlines = counts
        result.seconds = time.monotonic() - started
        audit.record(
            action=MARKER,
            object_type="admission.application",
            object_repr=str(_("演示申请")),
            after={
                "created": result.created,
                "actions": result.actions,
                "states": dict(result.states),
                "center_deadlines": dict(counts),
                "swept_on": today.isoformat(),
                "missed_at_sweep": len(sweep.missed),
                "shortfall": result.shortfall,
            },
        )
    return result


def _take(pools: dict[str, list[Outlet]], state: str) -> Outlet | None:
    first = POOL_FOR_STATE.get(state, OutletStatus.APPLYING)
    for status in (first, OutletStatus.APPLYING, OutletStatus.PREPARING, OutletStatus.REJECTED):
        if pools.get(status):
            return pools[status].pop()
    return None


def _seed_one(
    state: str,
    i: int,
    outlet: Outlet,
    rng: random.Random,
    actor_lookup: Callable[[str, Outlet], User | None],
    calendar: _Days,
    payloads: _Payloads,
    result: SeedApplicationsResult,
) -> Application | None:
    steps = _plan(state, rng)
    actors = {}
    for s in ["submit", *steps]:
        name = s.split(":")[0]
        actors[name] = _actor(name, outlet, actor_lookup)
        if actors[name] is None:
            return None
    days_before, slack = _durations(steps, state, rng, i)
    end = len(calendar.days) - 1
    room = end - 10 - sum(days_before)  # keep a few working days before the first step
    if room < 0:
        return None  # the demo period is too short for this story
    start = end - sum(days_before) - min(slack, room)
    with transaction.atomic():
        if outlet.status != OutletStatus.APPLYING:
            # seed_demo's placeholder status is replaced by the real application's.
            Outlet.objects.filter(pk=outlet.pk).update(status=OutletStatus.APPLYING)
            outlet.status = OutletStatus.APPLYING
        app = services.application_create(actor=actors["submit"], outlet_id=outlet.pk)
        k = start
        first = calendar.days[k]
        # The draft was started on the first day of its story (the row's own timestamp, for the timeline and
        # the time the first step took), not when the demo data was generated.
        last: datetime | None = datetime(first.year, first.month, first.day, 9, rng.randint(0, 59), tzinfo=TZ)
        Application.objects.filter(pk=app.pk).update(created_at=last)
        for step, gap in zip(steps, days_before, strict=True):
            name, _sep, variant = step.partition(":")
            k += gap
            day = calendar.days[k]
            at = datetime(day.year, day.month, day.day, rng.randint(9, 11), rng.randint(0, 59), tzinfo=TZ)
            if last is not None and at <= last:
                at = last + timedelta(minutes=rng.randint(15, 90))
            last = at
            data, files = payloads.build(name, app, outlet, day, variant)
            app = services.perform(app.pk, name, actor=actors[name], data=data, files=files, at=at)
            result.actions += 1
    result.created += 1
    result.states[app.state] += 1
    return app


def demo_step(rng: random.Random) -> str:
    """``seed_demo`` step (see ``ssc.core.demo``): applications in every state."""
    return seed_applications(rng=rng).summary()
