"""Termination services (解除合作, Art 8, 9): initiating, the side effects of each action, outlet status, roster,
accounts, agreements, and who is told next.

Outlet status (decided design, see ``models``): unchanged until ``file_with_center`` (the outlet still serves and
the case may be cancelled); ``terminating`` and hidden from the public directory at filing; ``terminated`` at
``close_accounts``, with a roster version listing it as removed and its agreements ended.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from ssc.accounts.choices import DISTRICT_ROLES, Role
from ssc.core.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from ssc.documents import services as documents
from ssc.documents.models import DocumentKind
from ssc.notifications import services as notifications
from ssc.registry.choices import OutletStatus
from ssc.registry.models import Outlet, SystemAccount
from ssc.roster import services as roster
from ssc.workflow import engine
from ssc.workflow.engine import ActionContext

from .models import CLOSED_STATES, Ground, Termination, ground_article
from .models import TerminationState as S
from .selectors import TERMINABLE
from .workflow import (
    GROUND_INITIATORS,
    INITIATOR_ROLES,
    TERMINATION,
    ground_allows,
    non_compliant_relocation,
    overdue_rectification,
    side_of,
    unrenewed_agreement,
)


def perform(
    termination_id: int,
    action: str,
    *,
    actor: Any,
    data: dict | None = None,
    files: Any = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Termination:
    """Run a termination action (see ``ssc.workflow.engine.perform``)."""
    return engine.perform(
        "termination",
        termination_id,
        action,
        actor=actor,
        data=data,
        files=files,
        expected_version=expected_version,
        at=at,
    )


@transaction.atomic
def initiate(
    *, actor: Any, outlet_id: int, data: dict | None, files: Any = None, at: datetime | None = None
) -> Termination:
    """发起解除合作 — create the case and run ``initiate`` (new → initiated) in one transaction.

    404 when the outlet is outside the actor's scope; 403 when the role may not initiate (or not on this ground);
    409 when the outlet does not cooperate, already has an open termination, or lacks what the ground needs
    (8(3): an overdue rectification; 9(3): a non-compliant relocation; 9(4): an agreement ended without renewal);
    400 for a bad payload."""
    # A form's QueryDict keeps lists per key; take its single values like the API's payload reader does.
    data = QueryDict.dict(data) if isinstance(data, QueryDict) else dict(data or {})
    outlet = Outlet.objects.restrict(actor).select_for_update().filter(pk=outlet_id).first()
    if outlet is None:
        raise NotFound()
    if actor.role not in INITIATOR_ROLES:
        raise NotAllowed(_("您的角色不能发起解除合作。"))
    ground = data.get("ground")
    if isinstance(ground, str) and ground in GROUND_INITIATORS and actor.role not in GROUND_INITIATORS[ground]:
        raise NotAllowed(
            _("您的角色不能依“%(g)s”发起解除合作。") % {"g": Ground(ground).label},
        )
    if outlet.status not in TERMINABLE:
        raise InvalidState(_("网点当前状态为“%(s)s”，不能发起解除合作。") % {"s": outlet.get_status_display()})
    if Termination.objects.filter(outlet=outlet).exclude(state__in=CLOSED_STATES).exists():
        raise InvalidState(_("该网点已有办理中的解除合作。"))
    try:
        with transaction.atomic():
            case = Termination.objects.create(
                outlet=outlet,
                state=S.NEW,
                initiated_by=actor,
                initiator_organisation_id=actor.organisation_id,
                initiator_side=side_of(actor) or "",
            )
    except IntegrityError as exc:  # the partial unique index caught a concurrent initiate
        raise InvalidState(_("该网点已有办理中的解除合作。")) from exc
    return perform(case.pk, "initiate", actor=actor, data=data, files=files, at=at)


# --- handlers: each action's own side effects --------------------------------------------------------------------


def _attach(ctx: ActionContext, upload: Any, kind: str, title: str) -> int:
    v = documents.attach(
        case_type="termination",
        case_id=ctx.case.pk,
        outlet=ctx.case.outlet,
        kind=kind,
        title=title,
        upload=upload,
        actor=ctx.actor,
        action=ctx.transition.action,
    )
    ctx.summary.setdefault("documents", []).append(v.document_id)
    return v.document_id


def _facts(ctx: ActionContext, **extra: Any) -> None:
    data = engine._default_summary(ctx.payload)
    data.update(extra)
    data["at"] = ctx.at.isoformat()
    data["by"] = ctx.actor.pk
    ctx.case.facts[ctx.transition.action] = data


def on_initiate(ctx: ActionContext) -> None:
    p, case = ctx.payload, ctx.case
    case.ground = p["ground"]
    case.reasons = p["reasons"]
    case.initiated_on = p.get("requested_on") or ctx.on
    outlet_id = case.outlet_id
    if case.ground == Ground.RECTIFICATION_FAILED:
        case.rectification = overdue_rectification(outlet_id)
        ctx.summary["rectification"] = case.rectification_id
    elif case.ground == Ground.RELOCATION_NON_COMPLIANT:
        case.relocation = non_compliant_relocation(outlet_id)
        ctx.summary["relocation"] = case.relocation_id
    elif case.ground == Ground.AGREEMENT_NOT_RENEWED:
        case.agreement = unrenewed_agreement(outlet_id, ctx.on)
        if case.agreement is None:  # the precondition read today; the action's own date decides
            raise InvalidState(_("该网点没有期满且未续签的合作协议，不能依第九条第(四)项解除合作。"))
        ctx.summary["agreement"] = case.agreement_id
    for i, f in enumerate(p.get("evidence") or [], start=1):
        _attach(ctx, f, DocumentKind.EVIDENCE, _("证据材料 %(n)d") % {"n": i})
    _facts(ctx)


def on_center_consent(ctx: ActionContext) -> None:
    _attach(ctx, ctx.payload["consent_document"], DocumentKind.CONSENT, _("市社保卡服务中心书面同意"))
    _facts(ctx)


def on_counterparty_agree(ctx: ActionContext) -> None:
    if ctx.payload.get("agreement_document"):
        _attach(ctx, ctx.payload["agreement_document"], DocumentKind.CONSENT, _("同意终止合作的书面材料"))
    _facts(ctx, side=side_of(ctx.actor))


def on_decide(ctx: ActionContext) -> None:
    p, case = ctx.payload, ctx.case
    if not ground_allows(case.ground, ctx.from_state, "decide"):  # pragma: no cover - the precondition refused it
        raise InvalidState(_("当前情形不能作出决定。"))
    _attach(ctx, p["decision_document"], DocumentKind.DECISION, _("解除合作决定书"))
    case.decided_on = p["decided_on"]
    case.legal_liability = (p.get("legal_liability") or "").strip()
    _facts(ctx)


def on_file_with_center(ctx: ActionContext) -> None:
    """The outlet stops being shown at once (Art 8, 9: it must not keep attracting cardholders) and turns
    ``terminating``; the center's 5 working days start (the engine, ``DeadlineStart``)."""
    case = ctx.case
    case.filed_on = ctx.on
    outlet = case.outlet
    Outlet.objects.filter(pk=outlet.pk).update(status=OutletStatus.TERMINATING)
    outlet.status = OutletStatus.TERMINATING
    hidden = roster.hide(outlet=outlet, actor=ctx.actor, reason=_("解除合作已报备：%(n)s") % {"n": outlet.name})
    ctx.summary["roster_hidden"] = hidden
    _facts(ctx)


def on_close_accounts(ctx: ActionContext) -> None:
    """Every open system account of the outlet must be named as closed; otherwise nothing changes and the open ones
    are listed. Then the outlet is ``terminated``, a roster version without it is published, its agreements end."""
    p, case = ctx.payload, ctx.case
    outlet = case.outlet
    accounts = list(SystemAccount.objects.select_for_update().filter(outlet_id=outlet.pk).order_by("identifier"))
    by_identifier = {a.identifier: a for a in accounts if a.closed_on is None}
    named = list(p.get("accounts") or [])
    unknown = [i for i in named if i not in by_identifier]
    if unknown:
        raise ValidationFailed(
            errors={"accounts": [_("不是该网点未关闭的系统账户：%(a)s") % {"a": "，".join(unknown)}]}
        )
    still_open = [i for i in by_identifier if i not in named]
    if still_open:
        raise ValidationFailed(
            errors={
                "accounts": [
                    _("网点仍有未关闭的系统账户：%(a)s。须关闭全部账户后方可办结。") % {"a": "，".join(still_open)}
                ]
            }
        )
    closed_on = p["closed_on"]
    SystemAccount.objects.filter(pk__in=[by_identifier[i].pk for i in named]).update(
        closed_on=closed_on, updated_at=timezone.now()
    )
    case.closed_on = closed_on
    Outlet.objects.filter(pk=outlet.pk).update(status=OutletStatus.TERMINATED)
    outlet.status = OutletStatus.TERMINATED
    version = roster.publish(
        outlet_ids=[outlet.pk], actor=ctx.actor, reason=_("解除合作，移出名单：%(n)s") % {"n": outlet.name}
    )
    if version is not None:
        ctx.summary["roster_version"] = version.number
    from ssc.agreements.services import agreements_terminate_for_outlet

    ended = agreements_terminate_for_outlet(
        outlet_id=outlet.pk,
        on=closed_on,
        article=case.ground_article or "8, 9",
        actor=ctx.actor,
        reason=str(case.get_ground_display()),
    )
    ctx.summary["accounts_closed"] = named
    ctx.summary["agreements_ended"] = [a.pk for a in ended]
    _facts(ctx)


def on_cancel(ctx: ActionContext) -> None:
    ctx.case.cancelled_on = ctx.on
    _facts(ctx)


def summarise(ctx: ActionContext) -> dict[str, Any]:
    out = engine._default_summary(ctx.payload)
    out["ground"] = ctx.case.ground
    out["ground_article"] = ctx.case.ground_article
    return out


# --- who is told ---------------------------------------------------------------------------------------------


def _next_roles(case: Termination) -> set[str]:
    """Whoever may act next on this case's ground (cancelling waits on nobody); on the outcome both sides."""
    roles: set[str] = set()
    for t in TERMINATION.transitions_from(case.state):
        if t.action == "cancel" or not ground_allows(case.ground, case.state, t.action):
            continue
        if t.action == "counterparty_agree":
            roles |= (
                {Role.DISTRICT_OFFICER}
                if case.initiator_side == "bank"
                else {
                    Role.BANK_HEAD_OFFICE,
                    Role.BANK_APPLICANT,
                }
            )
            continue
        roles |= t.roles
    if case.state == S.CLOSED:
        # Art 8, 9: the district is informed that the accounts are closed and the outlet removed; the bank too.
        roles |= set(DISTRICT_ROLES) | {Role.BANK_APPLICANT, Role.BANK_HEAD_OFFICE, Role.OUTLET_STAFF}
    if case.state == S.FILED:
        roles |= {Role.CENTER_LEADER}
    if case.state == S.CANCELLED:
        roles |= {Role.DISTRICT_OFFICER, Role.DISTRICT_LEADER}
    if case.state == S.DECIDED:
        roles |= {Role.BANK_APPLICANT, Role.BANK_HEAD_OFFICE}
    return roles


def notify_next(ctx: ActionContext) -> None:
    case = ctx.case
    roles = _next_roles(case)
    if not roles:
        return
    users = notifications.users_for_outlet(case.outlet, roles).exclude(pk=ctx.actor.pk).only("id", "email", "phone")
    notifications.notify(
        users,
        kind=f"termination.{ctx.transition.action}",
        title=_("%(o)s：解除合作%(a)s → %(s)s")
        % {"o": case.outlet.name, "a": ctx.transition.label, "s": case.get_state_display()},
        url=case.get_absolute_url(),
        case_type="termination",
        case_id=case.pk,
    )


HANDLERS = {
    "initiate": on_initiate,
    "center_consent": on_center_consent,
    "counterparty_agree": on_counterparty_agree,
    "decide": on_decide,
    "file_with_center": on_file_with_center,
    "close_accounts": on_close_accounts,
    "cancel": on_cancel,
}

BINDING = engine.register(
    engine.WorkflowBinding(
        workflow=TERMINATION,
        model=Termination,
        handlers=HANDLERS,
        notify=notify_next,
        summarise=summarise,
        select_related=("outlet",),
    )
)

__all__ = ["BINDING", "ground_article", "initiate", "perform"]
