"""Demo hotline tickets and outlet problem reports (演示工单与问题报告), made by really performing the actions.

``seed_tickets`` logs a few hundred tickets against the cooperating outlets through ``services.ticket_log`` and
carries them on with ``services.perform_ticket(..., at=<backdated>)``: received over the last ~four months, by the
seeded hotline operators (12345, 12333, the bank's own call centre for its outlets, plus some walk-in and online
tickets); most of those past their response limit were answered — mostly on time, some late, a few never (the
sweep at the end marks those missed) — and most answered ones were called back and closed with a satisfaction
score; a few were reopened and answered again. So every demo ticket has real history rows, audit events,
deadlines and notifications, and the caller numbers are stored only on the ticket (masked everywhere else).

Problem reports are made by outlet staff: the seeded ones, plus background staff users created for a sample of
outlets (``demo-outlet-staff-<code>``, no usable password); about two in three were replied to by the district.

Answers come from the outlet's staff when it has some, otherwise from a district officer of the outlet's district
(the seeded one, or a background ``demo-district-officer-<agency>`` user like the admission demo's).

Idempotent: a run records the audit event ``tickets.seed_demo``; if it exists, nothing is done.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ssc.accounts.choices import Role
from ssc.accounts.models import User
from ssc.audit import services as audit
from ssc.audit.models import AuditEvent
from ssc.core.errors import DomainError
from ssc.deadlines import escalation
from ssc.deadlines import services as deadlines
from ssc.registry.choices import OrganisationKind, OutletStatus
from ssc.registry.models import Organisation, Outlet
from ssc.workcalendar import services as cal

from . import services
from .models import Channel, ProblemReportState, TicketCategory, TicketState

MARKER = "tickets.seed_demo"
DEFAULT_TICKETS = 300
DEFAULT_REPORTS = 40
DEFAULT_STAFF_OUTLETS = 30
HISTORY_DAYS = 120

CONSULTATIONS = [
    "咨询社保卡补换卡需要携带哪些材料。",
    "咨询网点是否可以即时制卡，需要排队多久。",
    "咨询社保卡金融账户激活的办理流程。",
    "咨询周末是否营业及营业时间。",
    "咨询代他人办理社保卡挂失需要的证件。",
    "咨询电子社保卡与实体卡的关系。",
    "咨询社保卡密码重置是否需要本人到场。",
    "咨询老人行动不便能否上门办理。",
]
COMPLAINTS = [
    "来电人反映网点以“系统故障”为由拒绝即时制卡。",
    "来电人反映排队时间超过两小时，窗口只开一个。",
    "来电人反映工作人员态度生硬，未一次性告知所需材料。",
    "来电人反映网点公示的营业时间与实际不符。",
    "来电人反映网点要求办理社保卡时同时购买理财产品。",
    "来电人反映补卡后新卡未激活，网点让其多次往返。",
    "来电人反映网点公示的咨询电话长期无人接听。",
]
ANSWERS = [
    "已联系来电人说明情况并致歉，已为其办理完毕。",
    "经核实系设备临时故障，已修复，已电话告知来电人可随时前来办理。",
    "已向来电人一次性告知所需材料，并预约了办理时间。",
    "已对相关工作人员进行批评教育，并加强服务规范培训。",
    "已更正网点公示信息，并向来电人说明。",
]
PROBLEMS = [
    ("读卡器无法读取社保卡", "两台读卡器自昨日起报错，已重启无效，影响即时制卡业务。"),
    ("制卡机耗材不足", "即时制卡机卡片库存仅剩约50张，请协调补充。"),
    ("金渝网专线中断", "今日上午专线中断约两小时，期间无法办理业务，已报运营商。"),
    ("系统账户需要调整", "一名柜员调岗，请协助关闭其操作账户并为新员工开通。"),
    ("群众反映的政策问题", "多名群众咨询异地社保卡迁移政策，网点无法准确答复，请给予口径。"),
]
REPLIES = [
    "已联系技术支持，明日上门处理。",
    "已转市社保卡服务中心协调，请留意通知。",
    "政策口径已通过邮件发送网点，请组织学习。",
    "请按账户管理流程提交申请，区县将于收到后办理。",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
TZ = ZoneInfo(settings.TIME_ZONE)


@dataclass
class SeedTicketsResult:
    skipped: bool = False
    tickets: int = 0
    reports: int = 0
    actions: int = 0
    staff_created: int = 0
    states: Counter = field(default_factory=Counter)
    shortfall: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        """One line for the seed command's output."""
        if self.skipped:
            return str(_("演示工单已存在，本次未作变更。"))
        sep = str(_("，"))
        ticket_labels, report_labels = dict(TicketState.choices), dict(ProblemReportState.choices)
        tickets = sep.join(
            f"{ticket_labels.get(k, k)} {n}" for k, n in sorted(self.states.items()) if not k.startswith("report:")
        )
        reports = sep.join(
            f"{report_labels.get(k[7:], k)} {n}" for k, n in sorted(self.states.items()) if k.startswith("report:")
        )
        text = _(
            "演示热线工单新增 %(t)d 件（%(ts)s），问题报告 %(r)d 份（%(rs)s）；办理操作 %(a)d 步，"
            "新建网点工作人员 %(u)d 个，用时 %(s).1f 秒。"
        ) % {
            "t": self.tickets,
            "ts": tickets or "—",
            "r": self.reports,
            "rs": reports or "—",
            "a": self.actions,
            "u": self.staff_created,
            "s": self.seconds,
        }
        if self.shortfall:
            text += _("另有 %(n)d 件因无可用坐席、网点或日历未生成。") % {"n": self.shortfall}
        return text


class _Actors:
    """The users who act: hotline operators by kind, outlet staff per outlet, a district officer per district."""

    def __init__(self) -> None:
        self.operators = list(
            User.objects.filter(role=Role.HOTLINE_OPERATOR, is_active=True, organisation__isnull=False)
            .select_related("organisation")
            .order_by("pk")
        )
        self._staff: dict[int, User | None] = {}
        self._officers: dict[int, User | None] = {}

    def operator_for(self, outlet: Outlet, rng: random.Random) -> tuple[User, str] | None:
        """An operator and the channel of the call: a bank's call centre takes calls about its own outlets."""
        # Every operator has an organisation (the query above); the pairs carry it typed.
        with_org = [(u, u.organisation) for u in self.operators if u.organisation is not None]
        bank_ops = [
            u for u, org in with_org if org.kind == OrganisationKind.BANK_BRANCH and org.bank_id == outlet.bank_id
        ]
        public = [(u, org) for u, org in with_org if org.kind == OrganisationKind.HOTLINE]
        if bank_ops and rng.random() < 0.3:
            return rng.choice(bank_ops), Channel.BANK_HOTLINE
        if not public:
            return (rng.choice(bank_ops), Channel.BANK_HOTLINE) if bank_ops else None
        user, org = rng.choice(public)
        text = f"{org.code} {org.name}"
        channel = Channel.HOTLINE_12333 if "12333" in text else Channel.HOTLINE_12345
        roll = rng.random()
        if roll < 0.08:
            channel = Channel.WALK_IN
        elif roll < 0.15:
            channel = Channel.ONLINE
        return user, channel

    def staff(self, outlet: Outlet) -> User | None:
        if outlet.pk not in self._staff:
            self._staff[outlet.pk] = (
                User.objects.filter(role=Role.OUTLET_STAFF, outlet=outlet, is_active=True).order_by("pk").first()
            )
        return self._staff[outlet.pk]

    def officer(self, outlet: Outlet) -> User | None:
        if outlet.district_id not in self._officers:
            qs = User.objects.filter(
                role=Role.DISTRICT_OFFICER,
                is_active=True,
                organisation__kind=OrganisationKind.DISTRICT_AGENCY,
                organisation__district_id=outlet.district_id,
            ).order_by("pk")
            named = [u for u in qs[:20] if not u.username.startswith("demo-")]
            user = named[0] if named else qs.first()
            if user is None:
                agency = Organisation.objects.filter(
                    kind=OrganisationKind.DISTRICT_AGENCY, district_id=outlet.district_id
                ).first()
                if agency is not None:
                    user = _background_user(Role.DISTRICT_OFFICER, agency, f"demo-district-officer-{agency.code}")
            self._officers[outlet.district_id] = user
        return self._officers[outlet.district_id]

    def answerer(self, outlet: Outlet, rng: random.Random) -> User | None:
        staff = self.staff(outlet)
        if staff is not None and rng.random() < 0.85:
            return staff
        return self.officer(outlet) or staff


def _background_user(role: str, org: Organisation, username: str, outlet: Outlet | None = None) -> User:
    user = User.objects.filter(username=username[:150]).first()
    if user is not None:
        return user
    user = User(
        username=username[:150],
        role=role,
        organisation=org,
        outlet=outlet,
        first_name=f"{(outlet or org).name}（演示）"[:150],
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


def _ensure_staff(outlets: list[Outlet], n: int, rng: random.Random) -> int:
    """Background outlet staff for ``n`` outlets that have none yet; returns how many were created."""
    have = set(User.objects.filter(role=Role.OUTLET_STAFF).values_list("outlet_id", flat=True))
    pool = [o for o in outlets if o.pk not in have]
    created = 0
    for outlet in rng.sample(pool, min(n, len(pool))):
        _background_user(Role.OUTLET_STAFF, outlet.sub_branch, f"demo-outlet-staff-{outlet.code.lower()}", outlet)
        created += 1
    return created


def _moment(day: date, rng: random.Random, start_hour: int = 9, end_hour: int = 18) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randint(start_hour, end_hour - 1), rng.randint(0, 59), tzinfo=TZ)


def _workday_after(day: date, n: int) -> date | None:
    try:
        return cal.add_workdays(day, n)
    except DomainError:
        return None


def _caller(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(SURNAMES) + rng.choice(["先生", "女士"])
    phone = f"1{rng.choice('3456789')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"
    return name, phone


def _seed_ticket(
    outlet: Outlet, actors: _Actors, rng: random.Random, today: date, now: datetime, result: SeedTicketsResult
) -> None:
    picked = actors.operator_for(outlet, rng)
    if picked is None:
        result.shortfall += 1
        return
    operator, channel = picked
    received_on = today - timedelta(days=rng.randint(0, HISTORY_DAYS))
    received = _moment(received_on, rng, 8, 21)
    if received > now:
        received = now - timedelta(minutes=rng.randint(5, 120))
    logged = min(received + timedelta(minutes=rng.randint(2, 40)), now)
    complaint = rng.random() < 0.4
    name, phone = _caller(rng)
    data = {
        "outlet": outlet.pk,
        "channel": channel,
        "category": TicketCategory.COMPLAINT if complaint else TicketCategory.CONSULTATION,
        "content": rng.choice(COMPLAINTS if complaint else CONSULTATIONS),
        "caller_name": name if rng.random() < 0.9 else "",
        "caller_contact": phone,
        "received_at": received.isoformat(),
    }
    try:
        ticket = services.ticket_log(actor=operator, data=data, at=logged)
    except DomainError:  # e.g. no calendar for the year the deadline needs
        result.shortfall += 1
        return
    result.tickets += 1
    result.actions += 1
    due = ticket.response_due_on
    # Tickets still within their limit are mostly open; older ones were mostly answered.
    p_answer = 0.35 if due is None or due >= today else 0.9
    rounds = 2 if rng.random() < 0.06 else 1
    last = logged
    for round_no in range(rounds):
        if rng.random() >= p_answer:
            break
        start = timezone.localdate(last)
        if rng.random() < 0.8:  # in time
            span = max(_workdays(start, ticket.response_due_on), 1)
            answered_on = _workday_after(start, rng.randint(1, span)) if span else start
        else:
            answered_on = _workday_after(ticket.response_due_on or start, rng.randint(1, 4))
        if answered_on is None or answered_on > today:
            break
        answer_at = max(_moment(answered_on, rng), last + timedelta(minutes=30))
        if answer_at > now:
            break
        answerer = actors.answerer(outlet, rng)
        if answerer is None:
            break
        ticket = services.perform_ticket(
            ticket.pk, "answer", actor=answerer, data={"answer": rng.choice(ANSWERS)}, at=answer_at
        )
        result.actions += 1
        last = answer_at
        back_on = _workday_after(answered_on, rng.randint(1, 3))
        if back_on is None or back_on > today or rng.random() < 0.2:
            break
        back_at = max(_moment(back_on, rng), last + timedelta(minutes=30))
        if back_at > now:
            break
        if round_no + 1 < rounds:
            ticket = services.perform_ticket(
                ticket.pk, "reopen", actor=operator, data={"reason": "回访时来电人表示问题仍未解决。"}, at=back_at
            )
            result.actions += 1
            last = back_at
            continue
        satisfaction = rng.choices([5, 4, 3, 2, 1, None], weights=[40, 30, 12, 6, 4, 8])[0]
        ticket = services.perform_ticket(
            ticket.pk,
            "close",
            actor=operator,
            data={"satisfaction": satisfaction or "", "note": "已回访。"},
            at=back_at,
        )
        result.actions += 1
    result.states[ticket.state] += 1


def _workdays(start: date, due: date | None) -> int:
    if due is None or due <= start:
        return 0
    try:
        return cal.workdays_between(start, due)
    except DomainError:
        return 0


def _seed_report(
    staff: User, actors: _Actors, rng: random.Random, today: date, now: datetime, result: SeedTicketsResult
) -> None:
    title, description = rng.choice(PROBLEMS)
    day = today - timedelta(days=rng.randint(0, HISTORY_DAYS))
    at = min(_moment(day, rng), now)
    try:
        report = services.problem_report_create(actor=staff, data={"title": title, "description": description}, at=at)
    except DomainError:
        result.shortfall += 1
        return
    result.reports += 1
    result.actions += 1
    if rng.random() < 0.65:
        reply_on = _workday_after(timezone.localdate(at), rng.randint(1, 5))
        # The staff are picked by their outlet's status, so each has one.
        officer = actors.officer(staff.outlet) if staff.outlet is not None else None
        if reply_on is not None and reply_on <= today and officer is not None:
            reply_at = min(max(_moment(reply_on, rng), at + timedelta(hours=1)), now)
            report = services.perform_problem_report(
                report.pk, "reply", actor=officer, data={"reply": rng.choice(REPLIES)}, at=reply_at
            )
            result.actions += 1
    result.states[f"report:{report.state}"] += 1


def seed_tickets(
    *,
    rng: random.Random | None = None,
    count: int = DEFAULT_TICKETS,
    reports: int = DEFAULT_REPORTS,
    staff_outlets: int = DEFAULT_STAFF_OUTLETS,
    today: date | None = None,
) -> SeedTicketsResult:
    """Create ``count`` demo tickets and ``reports`` problem reports (module docstring), then run the deadline
    sweep for ``today``. Does nothing if a previous run left its marker."""
    started = time.monotonic()
    result = SeedTicketsResult()
    if AuditEvent.objects.filter(action=MARKER).exists():
        result.skipped = True
        return result
    rng = rng or random.Random(20260511)  # noqa: S311 - reproducible demo data, not security
    today = today or timezone.localdate()
    now = min(timezone.now(), datetime(today.year, today.month, today.day, 23, 59, tzinfo=TZ))
    outlets = list(
        Outlet.objects.filter(status__in=[OutletStatus.ACTIVE, OutletStatus.UNDER_RECTIFICATION])
        .select_related("district", "sub_branch")
        .order_by("pk")
    )
    if not outlets:
        return result
    with transaction.atomic():
        result.staff_created = _ensure_staff(outlets, staff_outlets, rng)
        actors = _Actors()
        # A few outlets attract many calls, most only some (a long tail).
        weights = [rng.paretovariate(1.5) for _ in outlets]
        for outlet in rng.choices(outlets, weights=weights, k=count):
            _seed_ticket(outlet, actors, rng, today, now, result)
        staff = list(
            User.objects.filter(role=Role.OUTLET_STAFF, is_active=True, outlet__status__in=[
                OutletStatus.ACTIVE, OutletStatus.UNDER_RECTIFICATION,
            ]).select_related("outlet", "organisation")
        )  # fmt: skip
        for _i in range(reports if staff else 0):
            _seed_report(rng.choice(staff), actors, rng, today, now, result)
        sweep = deadlines.sweep(today=today, notify=escalation.notify_sweep)
        result.seconds = time.monotonic() - started
        audit.record(
            action=MARKER,
            object_type="tickets.ticket",
            object_repr="演示工单",
            after={
                "tickets": result.tickets,
                "problem_reports": result.reports,
                "actions": result.actions,
                "states": dict(result.states),
                "staff_created": result.staff_created,
                "missed_at_sweep": len(sweep.missed),
                "swept_on": today.isoformat(),
                "shortfall": result.shortfall,
            },
            article="10",
        )
    return result


def demo_step(rng: random.Random) -> str:
    """``seed_demo`` step (see ``ssc.core.demo``): a few hundred tickets and some problem reports."""
    return seed_tickets(rng=rng).summary()
