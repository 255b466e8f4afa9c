"""Rectification services: issuing, the side effects of each action, outlet status, and the overdue sweep."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ssc.accounts.choices import Role
from ssc.audit import services as audit
from ssc.core.errors import InvalidState, NotAllowed, NotFound
from ssc.deadlines import services as deadlines
from ssc.deadlines.models import Deadline
from ssc.documents import services as documents
from ssc.documents.models import DocumentKind
from ssc.notifications import services as notifications
from ssc.registry.choices import OutletStatus
from ssc.registry.models import Outlet
from ssc.workflow import engine
from ssc.workflow.engine import ActionContext
from ssc.workflow.models import CaseEvent

from .models import OPEN_STATES, Rectification
from .models import RectificationState as S
from .workflow import RECTIFICATION, RECTIFICATION_DEADLINE

# An outlet in these statuses can be ordered to rectify (it cooperates, or is already rectifying).
RECTIFIABLE = {OutletStatus.ACTIVE, OutletStatus.UNDER_RECTIFICATION}


def perform(
    rectification_id: int,
    action: str,
    *,
    actor: Any,
    data: dict | None = None,
    files: Any = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Rectification:
    return engine.perform(
        "rectification",
        rectification_id,
        action,
        actor=actor,
        data=data,
        files=files,
        expected_version=expected_version,
        at=at,
    )


@transaction.atomic
def issue(*, actor: Any, outlet_id: int, data: dict, files: Any = None, at: datetime | None = None) -> Rectification:
    """下达整改通知 — create the case and run ``issue`` (new → open) in one transaction."""
    outlet = Outlet.objects.restrict(actor).select_for_update().filter(pk=outlet_id).first()
    if outlet is None:
        raise NotFound()
    if actor.role != Role.DISTRICT_OFFICER:
        raise NotAllowed(_("只有网点所在区县的经办人可以下达整改通知。"))
    if outlet.status not in RECTIFIABLE:
        raise InvalidState(_("网点当前状态为“%(s)s”，不能下达整改。") % {"s": outlet.get_status_display()})
    case = Rectification.objects.create(outlet=outlet, issued_by=actor, state=S.NEW)
    return perform(case.pk, "issue", actor=actor, data=data, files=files, at=at)


def _attach_all(ctx: ActionContext, uploads: list[Any] | None, kind: str, title: str) -> None:
    for i, f in enumerate(uploads or [], start=1):
        v = documents.attach(
            case_type="rectification",
            case_id=ctx.case.pk,
            outlet=ctx.case.outlet,
            kind=kind,
            title=f"{title} {i}",
            upload=f,
            actor=ctx.actor,
            action=ctx.transition.action,
        )
        ctx.summary.setdefault("documents", []).append(v.document_id)


def _facts(ctx: ActionContext) -> None:
    data = engine._default_summary(ctx.payload)
    data["at"] = ctx.at.isoformat()
    history = list(ctx.case.facts.get(ctx.transition.action, []))
    history.append(data)
    ctx.case.facts[ctx.transition.action] = history


def on_issue(ctx: ActionContext) -> None:
    p, case = ctx.payload, ctx.case
    case.items = p["items"]
    case.issued_on = p["issued_on"]
    case.source = p["source"]
    case.source_ref = p.get("source_ref", "")
    # The deadline itself is started by the engine (DeadlineStart, 3 months from issued_on); keep it on the case.
    case.due_on = deadlines.compute_due(p["issued_on"], months=3)
    _attach_all(ctx, p.get("notice"), DocumentKind.RECTIFICATION_NOTICE, _("整改通知书"))
    _facts(ctx)


def on_submit_report(ctx: ActionContext) -> None:
    _attach_all(ctx, ctx.payload.get("evidence"), DocumentKind.RECTIFICATION_REPORT, _("整改证明材料"))
    _facts(ctx)


def on_verify(ctx: ActionContext) -> None:
    ctx.case.closed_on = ctx.payload["verified_on"]
    _facts(ctx)


def sync_outlet_status(outlet_id: int) -> None:
    """``under_rectification`` while any rectification is open or overdue; back to ``active`` when none is.
    Only moves between these two statuses: a terminating or terminated outlet is left alone."""
    outlet = Outlet.objects.select_for_update().get(pk=outlet_id)
    if outlet.status not in RECTIFIABLE:
        return
    pending = Rectification.objects.filter(outlet_id=outlet_id, state__in=[*OPEN_STATES, S.OVERDUE]).exists()
    status = OutletStatus.UNDER_RECTIFICATION if pending else OutletStatus.ACTIVE
    if outlet.status != status:
        Outlet.objects.filter(pk=outlet_id).update(status=status)
        from ssc.roster import services as roster

        roster.publish(outlet_ids=[outlet_id], actor=None, reason=_("网点整改状态变更"))


def after_transition(ctx: ActionContext) -> None:
    sync_outlet_status(ctx.case.outlet_id)


def notify_next(ctx: ActionContext) -> None:
    case = ctx.case
    roles: set[str] = set()
    for t in RECTIFICATION.transitions_from(case.state):
        roles |= t.roles
    if case.state == S.CLOSED:
        roles |= {Role.OUTLET_STAFF, Role.BANK_APPLICANT}
    if not roles:
        return
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("rectification:detail", args=[case.pk])
    except NoReverseMatch:
        url = ""
    users = notifications.users_for_outlet(case.outlet, roles).exclude(pk=ctx.actor.pk)
    notifications.notify(
        users,
        kind=f"rectification.{ctx.transition.action}",
        title=_("%(o)s：整改%(a)s") % {"o": case.outlet.name, "a": ctx.transition.label},
        url=url,
        case_type="rectification",
        case_id=case.pk,
    )


def mark_overdue(missed: list[Deadline], today: date) -> None:
    """Sweep hook: a rectification whose 3-month deadline passed while still open becomes ``overdue`` (system
    action, Art 8(3)); the district leader is told, and Art 8(3) termination becomes available."""
    ids = [d.case_id for d in missed]
    now = timezone.now()
    for case in Rectification.objects.select_for_update().filter(pk__in=ids, state__in=OPEN_STATES):
        before = case.state
        case.state = S.OVERDUE
        case.version += 1
        case.save(update_fields=["state", "version", "updated_at"])
        CaseEvent.objects.create(
            case_type="rectification",
            case_id=case.pk,
            action="overdue",
            from_state=before,
            to_state=S.OVERDUE,
            actor=None,
            organisation=None,
            at=now,
            article="8(3)",
            payload={"due_on": case.due_on.isoformat() if case.due_on else None},
        )
        audit.record(
            action="rectification.overdue",
            obj=case,
            before={"state": before},
            after={"state": S.OVERDUE, "due_on": case.due_on},
            article="8(3)",
        )
        leaders = notifications.users_for_outlet(case.outlet, {Role.DISTRICT_LEADER, Role.DISTRICT_OFFICER})
        notifications.notify(
            leaders,
            kind="rectification.overdue",
            title=_("%(o)s 逾期未完成整改，可依第八条第(三)项处理") % {"o": case.outlet.name},
            case_type="rectification",
            case_id=case.pk,
        )


def overdue_for_outlet(outlet_id: int) -> list[Rectification]:
    """The overdue rectifications of an outlet: what makes Art 8(3) termination available."""
    return list(Rectification.objects.filter(outlet_id=outlet_id, state=S.OVERDUE))


HANDLERS = {"issue": on_issue, "submit_report": on_submit_report, "reject_report": _facts, "verify": on_verify}

BINDING = engine.register(
    engine.WorkflowBinding(
        workflow=RECTIFICATION,
        model=Rectification,
        handlers=HANDLERS,
        after_transition=after_transition,
        notify=notify_next,
    )
)
deadlines.ON_MISSED[RECTIFICATION_DEADLINE] = mark_overdue
