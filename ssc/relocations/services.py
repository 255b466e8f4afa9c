"""Relocation services: reporting a move (creates the case and runs ``report``), the side effects of each action —
on a compliant assessment the outlet's address is updated through the registry and the roster republished — and who
is told next."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from ssc.accounts.choices import Role
from ssc.core.errors import InvalidState, NotAllowed, NotFound
from ssc.documents import services as documents
from ssc.documents.models import DocumentKind
from ssc.notifications import services as notifications
from ssc.registry import services as registry
from ssc.registry.choices import OutletStatus
from ssc.registry.models import Outlet
from ssc.roster import services as roster
from ssc.workflow import engine
from ssc.workflow.engine import ActionContext

from .models import OPEN_STATES, Relocation
from .models import RelocationState as S
from .workflow import RELOCATION

# A cooperating outlet reports its move; others have nothing to relocate under the regulation.
RELOCATABLE = (OutletStatus.ACTIVE, OutletStatus.UNDER_RECTIFICATION)
REPORTER_ROLES = frozenset({Role.OUTLET_STAFF, Role.BANK_APPLICANT})


def perform(
    relocation_id: int,
    action: str,
    *,
    actor: Any,
    data: dict | None = None,
    files: Any = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Relocation:
    return engine.perform(
        RELOCATION.name,
        relocation_id,
        action,
        actor=actor,
        data=data,
        files=files,
        expected_version=expected_version,
        at=at,
    )


@transaction.atomic
def relocation_report(
    *, actor: Any, outlet_id: int | None = None, data: Any = None, files: Any = None, at: datetime | None = None
) -> Relocation:
    """报告迁址 — the outlet's staff (for their outlet) or its sub-branch's applicant: create the case and run
    ``report`` (new → reported) in one transaction."""
    if getattr(actor, "role", None) not in REPORTER_ROLES:
        raise NotAllowed(_("只有网点工作人员或所属一级支行的申请人可以报告迁址。"))
    if outlet_id is None and actor.role == Role.OUTLET_STAFF:
        outlet_id = actor.outlet_id
    outlet = Outlet.objects.restrict(actor).select_for_update().filter(pk=outlet_id).first() if outlet_id else None
    if outlet is None:
        raise NotFound()
    if outlet.status not in RELOCATABLE:
        raise InvalidState(_("网点当前状态为“%(s)s”，不能报告迁址。") % {"s": outlet.get_status_display()})
    if Relocation.objects.filter(outlet=outlet, state__in=OPEN_STATES).exists():
        raise InvalidState(_("该网点已有待评估的迁址报告。"))
    try:
        with transaction.atomic():
            case = Relocation.objects.create(
                outlet=outlet,
                reported_by=actor,
                state=S.NEW,
                old_address=outlet.address,
                old_latitude=outlet.latitude,
                old_longitude=outlet.longitude,
            )
    except IntegrityError as exc:  # a concurrent report, caught by the partial unique index
        raise InvalidState(_("该网点已有待评估的迁址报告。")) from exc
    return perform(case.pk, "report", actor=actor, data=data, files=files, at=at)


def _attach_all(ctx: ActionContext, uploads: list[Any] | None, kind: str, title: str) -> None:
    for i, f in enumerate(uploads or [], start=1):
        v = documents.attach(
            case_type=RELOCATION.name,
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
    ctx.case.facts[ctx.transition.action] = data


def on_report(ctx: ActionContext) -> None:
    p, case = ctx.payload, ctx.case
    case.new_address = p["new_address"].strip()
    case.new_district = p["new_district"]
    case.new_latitude = p["new_latitude"]
    case.new_longitude = p["new_longitude"]
    case.planned_move_on = p["planned_move_on"]
    case.reported_by = ctx.actor
    case.reported_at = ctx.at
    _attach_all(ctx, p.get("documents"), DocumentKind.EVIDENCE, _("迁址证明材料"))
    _facts(ctx)


def on_assess(ctx: ActionContext) -> None:
    """Compliant: the outlet moves in the registry (audited, Art 9(3)) and a new roster version is published with the
    new address; not compliant: the assessment stands as the Art 9(3) ground
    (``relocations_non_compliant_for_outlet``)."""
    p, case = ctx.payload, ctx.case
    case.assessed_on = p["assessed_on"]
    case.assessed_by = ctx.actor
    case.findings = p.get("findings", "")
    if p.get("report"):
        _attach_all(ctx, [p["report"]], DocumentKind.SITE_REPORT, _("迁址评估报告"))
    _attach_all(ctx, p.get("photos"), DocumentKind.PHOTO, _("新址照片"))
    if p["result"] == S.COMPLIANT:
        outlet = registry.outlet_update(
            actor=ctx.actor,
            outlet_id=case.outlet_id,
            data={"address": case.new_address, "latitude": case.new_latitude, "longitude": case.new_longitude},
            article="9(3)",
        )
        case.outlet = outlet
        version = roster.publish(
            outlet_ids=[outlet.pk], actor=ctx.actor, reason=_("网点迁址：%(n)s") % {"n": outlet.name}
        )
        if version is not None:
            ctx.summary["roster_version"] = version.number
    _facts(ctx)


def after_transition(ctx: ActionContext) -> None:
    """A non-compliant assessment with ``open_termination`` opens the Art 9(3) termination (解除合作) in the same
    transaction, initiated by the assessing district officer with the assessment as its ground; skipped when the
    outlet already has an open termination or no longer cooperates."""
    case = ctx.case
    if ctx.transition.action != "assess" or case.state != S.NON_COMPLIANT or not ctx.payload.get("open_termination"):
        return
    from ssc.terminations import selectors as termination_selectors
    from ssc.terminations import services as terminations

    if case.outlet.status not in termination_selectors.TERMINABLE:
        return
    if termination_selectors.open_termination_for_outlet(case.outlet) is not None:
        return
    termination = terminations.initiate(
        actor=ctx.actor,
        outlet_id=case.outlet_id,
        data={
            "ground": "9.3",
            "reasons": _("迁址新址经评估不符合便民服务要求（迁址评估第 %(n)s 号）：%(f)s")
            % {"n": case.pk, "f": case.findings},
            "requested_on": case.assessed_on,
        },
        at=ctx.at,
    )
    ctx.summary["termination"] = termination.pk


def on_withdraw(ctx: ActionContext) -> None:
    _facts(ctx)


def detail_url(relocation_id: int) -> str:
    return reverse("relocations:detail", args=[relocation_id])


def notify_next(ctx: ActionContext) -> None:
    case = ctx.case
    roles: set[str] = set()
    if case.state == S.REPORTED:
        roles = {Role.DISTRICT_OFFICER}
    elif case.state == S.COMPLIANT:
        roles = {Role.OUTLET_STAFF, Role.BANK_APPLICANT, Role.BANK_HEAD_OFFICE}
    elif case.state == S.NON_COMPLIANT:
        roles = {Role.OUTLET_STAFF, Role.BANK_APPLICANT, Role.BANK_HEAD_OFFICE, Role.DISTRICT_LEADER}
    elif case.state == S.WITHDRAWN:
        roles = {Role.DISTRICT_OFFICER}
    if not roles:
        return
    if case.state == S.NON_COMPLIANT:
        title = _("%(o)s 迁址新址经评估不符合便民服务要求，可依第九条第(三)项终止合作") % {"o": case.outlet.name}
    else:
        title = _("%(o)s：迁址%(a)s → %(s)s") % {
            "o": case.outlet.name,
            "a": ctx.transition.label,
            "s": case.get_state_display(),
        }
    notifications.notify(
        notifications.users_for_outlet(case.outlet, roles).exclude(pk=ctx.actor.pk).only("id", "email", "phone"),
        kind=f"relocation.{ctx.transition.action}",
        title=title,
        url=detail_url(case.pk),
        case_type=RELOCATION.name,
        case_id=case.pk,
    )


def relocations_non_compliant_for_outlet(outlet_id: int) -> list[Relocation]:
    """The outlet's relocations assessed as not meeting the convenience-service requirements: what makes Art 9(3)
    termination available (for the termination work)."""
    return list(Relocation.objects.filter(outlet_id=outlet_id, state=S.NON_COMPLIANT).order_by("-assessed_on", "-pk"))


BINDING = engine.register(
    engine.WorkflowBinding(
        workflow=RELOCATION,
        model=Relocation,
        handlers={"report": on_report, "assess": on_assess, "withdraw": on_withdraw},
        after_transition=after_transition,
        notify=notify_next,
        select_related=("outlet",),
    )
)
