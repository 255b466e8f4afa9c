"""Ticket and problem report services (Art 10): logging a ticket, the side effects of each action, who is told
next, and the audited "show number" action.

Who sees the caller's contact (来电人联系方式 — personal data)
----------------------------------------------------------------
Everybody sees it **masked** (``138****1234``, ``张*``): lists, case pages, the API, Excel exports, history rows,
audit before/after and notifications never carry the stored value (``masking``). The full value is returned only
by the explicit, audited "show number" action (``ticket_contact_reveal``: page button and
``GET /api/v1/tickets/{id}/contact/``), which records ``ticket.read_personal_data`` in the audit trail, and only
to the people who must call the caller:

- hotline operators of the hotline that logged the ticket — they call the caller back (回访) and close or reopen
  it (the whole hotline, not only the operator who took the call: follow-up calls are made by whoever is on
  shift, and the hotline is the ticket's owner — its operators are exactly those who may ``close``/``reopen``);
- the outlet's staff and the district officers of the outlet's district — they answer the caller (Art 10) and
  are exactly those who may ``answer``;
- and only while the ticket is not closed: once closed nobody needs to call the caller any more (purpose
  limitation). District leaders, the center, regulators, banks' head offices and sub-branches, and the
  administrators never see the unmasked value; they read the answer and the history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ssc.accounts.choices import Role
from ssc.accounts.models import User
from ssc.audit import services as audit
from ssc.core import context
from ssc.core.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from ssc.deadlines import services as deadlines
from ssc.documents import services as documents
from ssc.documents.models import DocumentKind
from ssc.notifications import services as notifications
from ssc.registry.choices import OrganisationKind, OutletStatus
from ssc.registry.models import Outlet
from ssc.workflow import engine
from ssc.workflow.engine import ActionContext

from .masking import mask_contact, mask_name
from .models import ChannelPolicy, ProblemReport, ProblemReportState, Ticket, TicketState
from .workflow import PROBLEM_REPORT, TICKET, TICKET_RESPONSE

S = TicketState
P = ProblemReportState

# The roles that may see the caller's contact unmasked, each for its own tickets only (module docstring).
REVEAL_ROLES = frozenset({Role.HOTLINE_OPERATOR, Role.DISTRICT_OFFICER, Role.OUTLET_STAFF})


def perform_ticket(
    ticket_id: int,
    action: str,
    *,
    actor: Any,
    data: dict | None = None,
    files: Any = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Run a ticket action (see ``ssc.workflow.engine.perform``)."""
    return engine.perform(
        "ticket", ticket_id, action, actor=actor, data=data, files=files, expected_version=expected_version, at=at
    )


def perform_problem_report(
    report_id: int,
    action: str,
    *,
    actor: Any,
    data: dict | None = None,
    files: Any = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> ProblemReport:
    """Run a problem report action (see ``ssc.workflow.engine.perform``)."""
    return engine.perform(
        "problem_report",
        report_id,
        action,
        actor=actor,
        data=data,
        files=files,
        expected_version=expected_version,
        at=at,
    )


# --- tickets -----------------------------------------------------------------------------------------------------


@transaction.atomic
def ticket_log(*, actor: Any, data: Any, at: datetime | None = None) -> Ticket:
    """登记工单 — create the ticket and run ``log`` (new → open) in one transaction: a refused or invalid log leaves
    nothing behind. Hotline operators log against any outlet of the city (their outlet scope is citywide)."""
    if getattr(actor, "role", None) != Role.HOTLINE_OPERATOR:
        raise NotAllowed(_("只有热线坐席可以登记工单。"))
    if not actor.organisation_id:
        raise NotAllowed(_("您的账号未关联热线机构，不能登记工单。"))
    log = TICKET.get("log")
    assert log is not None  # declared in ssc.tickets.workflow
    payload = engine.validate_payload(log, data)  # 400 naming each bad field, before anything
    outlet = Outlet.objects.restrict(actor).filter(pk=payload["outlet"].pk).first()
    if outlet is None:
        raise ValidationFailed(errors={"outlet": [_("请选择有效的网点。")]})
    ticket = Ticket.objects.create(
        outlet=outlet,
        channel=payload["channel"],
        category=payload["category"],
        content=payload["content"],
        logged_by=actor,
        hotline_id=actor.organisation_id,
        state=S.NEW,
    )
    return perform_ticket(ticket.pk, "log", actor=actor, data=data, at=at)


def _start_response_deadline(ctx: ActionContext, started_on: Any) -> None:
    """The outlet's response limit for the ticket's channel (``ChannelPolicy``), counted in working days from the
    day after ``started_on`` (Civil Code Art 201)."""
    ticket = ctx.case
    workdays = ChannelPolicy.workdays_for(ticket.channel)
    d = deadlines.start(
        case_type=TICKET.name,
        case_id=ticket.pk,
        kind=TICKET_RESPONSE,
        started_on=started_on,
        workdays=workdays,
        label=_("网点答复（%(n)d个工作日）") % {"n": workdays},
        article="10",
        responsible="outlet",
        district_id=ticket.outlet.district_id,
    )
    ticket.response_due_on = d.due_on
    ctx.summary.setdefault("deadlines", []).append({"kind": d.kind, "due_on": d.due_on.isoformat(), "status": d.status})


def on_log(ctx: ActionContext) -> None:
    p, ticket = ctx.payload, ctx.case
    received = p.get("received_at") or ctx.at
    if received > ctx.at:
        raise ValidationFailed(errors={"received_at": [_("受理时间不能晚于登记时间。")]})
    ticket.outlet = p["outlet"]
    ticket.channel = p["channel"]
    ticket.category = p["category"]
    ticket.content = p["content"]
    ticket.caller_name = p.get("caller_name", "")
    ticket.caller_contact = p.get("caller_contact", "")
    ticket.received_at = received
    ticket.logged_by = ctx.actor
    ticket.hotline_id = ctx.actor.organisation_id
    _start_response_deadline(ctx, timezone.localdate(received))


def on_answer(ctx: ActionContext) -> None:
    ctx.case.answer = ctx.payload["answer"]
    ctx.case.answered_at = ctx.at


def on_reopen(ctx: ActionContext) -> None:
    # The earlier answer stays in the history; a new one is due within the channel's limit from today.
    ctx.case.answer = ""
    ctx.case.answered_at = None
    _start_response_deadline(ctx, ctx.on)


def on_close(ctx: ActionContext) -> None:
    ctx.case.satisfaction = ctx.payload.get("satisfaction")
    ctx.case.closed_at = ctx.at


def summarise_ticket(ctx: ActionContext) -> dict[str, Any]:
    """History/audit summary of a ticket action: the caller's data masked, never stored in the clear."""
    summary = engine._default_summary(ctx.payload)
    if "caller_contact" in summary:
        summary["caller_contact"] = mask_contact(summary["caller_contact"])
    if "caller_name" in summary:
        summary["caller_name"] = mask_name(summary["caller_name"])
    return summary


def _hotline_operators(ticket: Ticket) -> Any:
    if not ticket.hotline_id:
        return User.objects.none()
    return User.objects.filter(role=Role.HOTLINE_OPERATOR, organisation_id=ticket.hotline_id, is_active=True)


def notify_ticket(ctx: ActionContext) -> None:
    """Tell whoever acts next: the outlet and its district agency when a ticket opens (again), the hotline when it
    is answered, the outlet when it is closed."""
    ticket, action = ctx.case, ctx.transition.action
    kind_label = ticket.get_category_display()
    if action in ("log", "reopen"):
        users = notifications.users_for_outlet(ticket.outlet, {Role.OUTLET_STAFF, Role.DISTRICT_OFFICER})
        title = _("%(o)s：%(c)s工单待答复，答复期限 %(d)s") % {
            "o": ticket.outlet.name,
            "c": kind_label,
            "d": ticket.response_due_on.isoformat() if ticket.response_due_on else "—",
        }
    elif action == "answer":
        users = _hotline_operators(ticket)
        title = _("%(o)s 已答复%(c)s工单 #%(n)s，请回访办结") % {
            "o": ticket.outlet.name,
            "c": kind_label,
            "n": ticket.pk,
        }
    elif action == "close":
        users = notifications.users_for_outlet(ticket.outlet, {Role.OUTLET_STAFF})
        title = _("%(c)s工单 #%(n)s 已办结") % {"c": kind_label, "n": ticket.pk}
    else:
        return
    notifications.notify(
        users.exclude(pk=ctx.actor.pk).only("id", "email", "phone"),
        kind=f"ticket.{action}",
        title=title,
        url=ticket.get_absolute_url(),
        case_type=TICKET.name,
        case_id=ticket.pk,
    )


def _reveals_to(ticket: Ticket, user: Any) -> bool:
    """Is ``user`` one of the people who call this ticket's caller (module docstring)? No query is made
    (``ticket.outlet`` must be loaded)."""
    role = getattr(user, "role", None)
    if role == Role.HOTLINE_OPERATOR:
        return bool(user.organisation_id) and ticket.hotline_id == user.organisation_id
    if role == Role.OUTLET_STAFF:
        return bool(user.outlet_id) and ticket.outlet_id == user.outlet_id
    if role == Role.DISTRICT_OFFICER:
        org = user.organisation
        return (
            org is not None
            and org.kind == OrganisationKind.DISTRICT_AGENCY
            and org.district_id is not None
            and ticket.outlet.district_id == org.district_id
        )
    return False


def may_reveal_contact(ticket: Ticket, user: Any) -> bool:
    """May ``user`` see this ticket's caller contact unmasked now? (Its callers, while the ticket is not closed.)"""
    return ticket.state != S.CLOSED and _reveals_to(ticket, user)


@transaction.atomic
def ticket_contact_reveal(*, ticket_id: int, actor: Any) -> dict[str, str]:
    """显示号码 — the caller's name and contact unmasked, for the people who must call the caller; every call is
    recorded in the audit trail (``ticket.read_personal_data``, field ``caller_contact``). 404 outside the scope,
    403 for anyone else, 409 once the ticket is closed."""
    ticket = Ticket.objects.restrict(actor).select_related("outlet").filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound()
    if not _reveals_to(ticket, actor):
        raise NotAllowed(_("您的角色无权查看来电人的完整联系方式。"))
    if ticket.state == S.CLOSED:
        raise InvalidState(_("工单已办结，不再提供来电人的完整联系方式。"))
    with context.use(actor=actor):
        audit.record_read(obj=ticket, what="caller_contact", article="10")
    return {"caller_name": ticket.caller_name, "caller_contact": ticket.caller_contact}


# --- problem reports ---------------------------------------------------------------------------------------------


@transaction.atomic
def problem_report_create(*, actor: Any, data: Any, files: Any = None, at: datetime | None = None) -> ProblemReport:
    """报告问题 — an outlet's staff report a problem of their own outlet to its district agency: create the report
    and run ``report`` (new → submitted) in one transaction."""
    if getattr(actor, "role", None) != Role.OUTLET_STAFF:
        raise NotAllowed(_("只有网点工作人员可以报告问题。"))
    outlet = Outlet.objects.restrict(actor).filter(pk=actor.outlet_id).first() if actor.outlet_id else None
    if outlet is None:
        raise NotAllowed(_("您的账号未关联网点，不能报告问题。"))
    if outlet.status == OutletStatus.TERMINATED:
        raise InvalidState(_("网点已退出合作，不能再报告问题。"))
    report = ProblemReport.objects.create(outlet=outlet, reported_by=actor, state=P.NEW, title="", description="")
    return perform_problem_report(report.pk, "report", actor=actor, data=data, files=files, at=at)


def _attach_all(ctx: ActionContext, uploads: list[Any] | None, title: str) -> None:
    for i, f in enumerate(uploads or [], start=1):
        v = documents.attach(
            case_type=PROBLEM_REPORT.name,
            case_id=ctx.case.pk,
            outlet=ctx.case.outlet,
            kind=DocumentKind.OTHER,
            title=f"{title} {i}",
            upload=f,
            actor=ctx.actor,
            action=ctx.transition.action,
        )
        ctx.summary.setdefault("documents", []).append(v.document_id)


def on_report(ctx: ActionContext) -> None:
    ctx.case.title = ctx.payload["title"]
    ctx.case.description = ctx.payload["description"]
    ctx.case.reported_by = ctx.actor
    ctx.case.reported_at = ctx.at
    _attach_all(ctx, ctx.payload.get("documents"), _("问题报告附件"))


def on_reply(ctx: ActionContext) -> None:
    ctx.case.reply = ctx.payload["reply"]
    ctx.case.replied_at = ctx.at
    _attach_all(ctx, ctx.payload.get("documents"), _("答复附件"))


def notify_problem_report(ctx: ActionContext) -> None:
    report, action = ctx.case, ctx.transition.action
    if action == "report":
        users = notifications.users_for_outlet(report.outlet, {Role.DISTRICT_OFFICER})
        title = _("%(o)s 报告问题：%(t)s") % {"o": report.outlet.name, "t": report.title}
    else:
        users = notifications.users_for_outlet(report.outlet, {Role.OUTLET_STAFF})
        title = _("区县已答复问题报告：%(t)s") % {"t": report.title}
    notifications.notify(
        users.exclude(pk=ctx.actor.pk).only("id", "email", "phone"),
        kind=f"problem_report.{action}",
        title=title,
        url=report.get_absolute_url(),
        case_type=PROBLEM_REPORT.name,
        case_id=report.pk,
    )


TICKET_BINDING = engine.register(
    engine.WorkflowBinding(
        workflow=TICKET,
        model=Ticket,
        handlers={"log": on_log, "answer": on_answer, "reopen": on_reopen, "close": on_close},
        notify=notify_ticket,
        summarise=summarise_ticket,
        select_related=("outlet",),
    )
)
PROBLEM_REPORT_BINDING = engine.register(
    engine.WorkflowBinding(
        workflow=PROBLEM_REPORT,
        model=ProblemReport,
        handlers={"report": on_report, "reply": on_reply},
        notify=notify_problem_report,
        select_related=("outlet",),
    )
)
