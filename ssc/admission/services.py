"""Admission services: starting an application, the side effects of each action, and who is told next."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from ssc.accounts.choices import Role
from ssc.agreements.models import Agreement
from ssc.audit import services as audit
from ssc.core.errors import InvalidState, NotAllowed, NotFound
from ssc.documents import services as documents
from ssc.documents.models import DocumentKind
from ssc.notifications import services as notifications
from ssc.registry import services as registry
from ssc.registry.choices import OutletStatus
from ssc.registry.models import Outlet, SystemAccount
from ssc.roster import services as roster
from ssc.workflow import engine
from ssc.workflow.engine import ActionContext

from .models import Application, ApplicationState
from .workflow import ADMISSION

S = ApplicationState

# Outlet status follows its application (WORKFLOW.md §2).
OUTLET_STATUS_BY_STATE = {
    S.DRAFT: OutletStatus.APPLYING,
    S.SUBMITTED: OutletStatus.APPLYING,
    S.RETURNED: OutletStatus.APPLYING,
    S.SITE_VERIFIED: OutletStatus.APPLYING,
    S.APPROVED: OutletStatus.APPLYING,
    S.FILED: OutletStatus.APPLYING,
    S.FILING_ACKNOWLEDGED: OutletStatus.APPLYING,
    S.NOTIFIED: OutletStatus.APPLYING,
    S.PREPARING: OutletStatus.PREPARING,
    S.GO_LIVE_APPLIED: OutletStatus.PREPARING,
    S.READINESS_PASSED: OutletStatus.PREPARING,
    S.SYSTEM_OPENING_REQUESTED: OutletStatus.PREPARING,
    S.ACTIVE: OutletStatus.ACTIVE,
    S.REJECTED: OutletStatus.REJECTED,
    S.WITHDRAWN: OutletStatus.WITHDRAWN,
}
# An outlet may start a (new) application from these statuses.
MAY_APPLY_FROM = {OutletStatus.APPLYING, OutletStatus.REJECTED, OutletStatus.WITHDRAWN, OutletStatus.TERMINATED}


def perform(
    application_id: int,
    action: str,
    *,
    actor: Any,
    data: dict | None = None,
    files: Any = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Application:
    """Run an admission action (see ``ssc.workflow.engine.perform``)."""
    return engine.perform(
        "application",
        application_id,
        action,
        actor=actor,
        data=data,
        files=files,
        expected_version=expected_version,
        at=at,
    )


@transaction.atomic
def application_create(
    *,
    actor: Any,
    outlet_id: int | None = None,
    outlet_data: dict | None = None,
    services: Iterable[str] = (),
    at: datetime | None = None,
) -> Application:
    """新建网点开设申请 (draft) — for an outlet already registered under the applicant's sub-branch, or registering
    a new one from ``outlet_data``. New outlets default to Jinyu Net (Art 6(2))."""
    if actor.role != Role.BANK_APPLICANT:
        raise NotAllowed(_("只有一级支行的申请人可以发起网点开设申请。"))
    if outlet_id is not None:
        outlet = Outlet.objects.restrict(actor).select_for_update().filter(pk=outlet_id).first()
        if outlet is None:
            raise NotFound()
        if outlet.sub_branch_id != actor.organisation_id:
            raise NotAllowed(_("只能为本支行所属网点申请。"))
        if outlet.status not in MAY_APPLY_FROM:
            raise InvalidState(_("网点当前状态为“%(s)s”，不能发起新的申请。") % {"s": outlet.get_status_display()})
    else:
        data = dict(outlet_data or {})
        data.setdefault("bank", actor.organisation.bank)
        data.setdefault("sub_branch", actor.organisation)
        data["status"] = OutletStatus.APPLYING
        outlet = registry.outlet_create(actor=actor, data=data, services=services, article="7(1)")
    if Application.objects.filter(outlet=outlet).exclude(state__in=["active", "rejected", "withdrawn"]).exists():
        raise InvalidState(_("该网点已有办理中的申请。"))
    try:
        with transaction.atomic():
            app = Application.objects.create(outlet=outlet, created_by=actor, state=S.DRAFT)
    except IntegrityError as exc:  # the partial unique index caught a concurrent create
        raise InvalidState(_("该网点已有办理中的申请。")) from exc
    if outlet.status != OutletStatus.APPLYING:
        Outlet.objects.filter(pk=outlet.pk).update(status=OutletStatus.APPLYING)
    audit.record(
        action="application.create",
        obj=app,
        after={"outlet": outlet.pk, "state": app.state},
        article="7(1)",
        actor=actor,
    )
    return app


# --- handlers: each action's own side effects --------------------------------------------------------------------


def _attach(ctx: ActionContext, upload: Any, kind: str, title: str) -> int:
    v = documents.attach(
        case_type="application",
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
    ctx.case.facts[ctx.transition.action] = data


def on_submit(ctx: ActionContext) -> None:
    p, app = ctx.payload, ctx.case
    if p.get("consent_letter"):
        _attach(ctx, p["consent_letter"], DocumentKind.CONSENT_LETTER, _("总行/分行同意函"))
    app.consent_organisation = p["consent_organisation"]
    app.consent_date = p["consent_date"]
    app.submitted_at = ctx.at
    _facts(ctx)


def on_withdraw(ctx: ActionContext) -> None:
    ctx.case.completed_at = ctx.at
    _facts(ctx)


def on_site_verification(ctx: ActionContext) -> None:
    p = ctx.payload
    if p.get("report"):
        _attach(ctx, p["report"], DocumentKind.SITE_REPORT, _("现场核实报告"))
    for i, photo in enumerate(p.get("photos") or [], start=1):
        _attach(ctx, photo, DocumentKind.PHOTO, _("现场照片 %(n)d") % {"n": i})
    _facts(ctx)


def on_decide(ctx: ActionContext) -> None:
    _attach(ctx, ctx.payload["minutes"], DocumentKind.MINUTES, _("集体研究会议纪要"))
    if ctx.payload["decision"] == S.REJECTED:
        ctx.case.completed_at = ctx.at
    _facts(ctx)


def on_acknowledge(ctx: ActionContext) -> None:
    if ctx.payload.get("receipt"):
        _attach(ctx, ctx.payload["receipt"], DocumentKind.FILING_RECEIPT, _("备案回执"))
    ctx.case.filing_number = ctx.payload["filing_number"]
    _facts(ctx)


def on_notify_outlet(ctx: ActionContext) -> None:
    if ctx.payload.get("notice"):
        _attach(ctx, ctx.payload["notice"], DocumentKind.NOTICE, _("备案结果告知书"))
    _facts(ctx)


def on_sign_agreement(ctx: ActionContext) -> None:
    p, app = ctx.payload, ctx.case
    doc_id = _attach(ctx, p["signed_copy"], DocumentKind.AGREEMENT, _("合作协议 %(n)s") % {"n": p["agreement_number"]})
    agency = ctx.actor.organisation
    agreement = Agreement.objects.create(
        outlet=app.outlet,
        agency=agency,
        number=p["agreement_number"],
        signed_on=p["signed_on"],
        term_start=p["term_start"],
        term_end=p["term_end"],
        document_id=doc_id,
        application=app,
    )
    audit.record(
        action="agreement.create",
        obj=agreement,
        after={
            "number": agreement.number,
            "term_start": agreement.term_start,
            "term_end": agreement.term_end,
        },
        article="7(3)",
        actor=ctx.actor,
    )
    ctx.summary["agreement"] = agreement.pk
    _facts(ctx)


def on_update_preparation(ctx: ActionContext) -> None:
    p, app = ctx.payload, ctx.case
    prep = dict(app.facts.get("preparation", {}))
    prep.update(
        {
            "system_integration_done": bool(p.get("system_integration_done")),
            "interconnection_mode": p["interconnection_mode"],
            "integration_tested_on": p["integration_tested_on"].isoformat() if p.get("integration_tested_on") else None,
            "hardware_done": bool(p.get("hardware_done")),
            "hardware_note": p.get("hardware_note", ""),
            "trained_staff": p.get("trained_staff") or prep.get("trained_staff", []),
            "updated_at": ctx.at.isoformat(),
        }
    )
    app.facts["preparation"] = prep
    if app.outlet.interconnection_mode != p["interconnection_mode"]:
        Outlet.objects.filter(pk=app.outlet_id).update(interconnection_mode=p["interconnection_mode"])
        app.outlet.interconnection_mode = p["interconnection_mode"]


def on_inspect_readiness(ctx: ActionContext) -> None:
    if ctx.payload.get("report"):
        _attach(ctx, ctx.payload["report"], DocumentKind.READINESS_REPORT, _("开通验收报告"))
    inspections = list(ctx.case.facts.get("inspections", []))
    inspections.append(engine._default_summary(ctx.payload) | {"at": ctx.at.isoformat()})
    ctx.case.facts["inspections"] = inspections
    _facts(ctx)


def on_open_accounts(ctx: ActionContext) -> None:
    app = ctx.case
    accounts = [
        SystemAccount(
            outlet=app.outlet,
            account_type=a["account_type"],
            identifier=a["identifier"],
            holder=a["holder"],
            opened_on=ctx.on,
        )
        for a in ctx.payload["accounts"]
    ]
    try:
        with transaction.atomic():
            SystemAccount.objects.bulk_create(accounts)
    except IntegrityError as exc:
        raise InvalidState(_("账户标识已在使用，请刷新后重试。")) from exc
    app.completed_at = ctx.at
    ctx.summary["accounts"] = [f"{a.account_type}:{a.identifier}" for a in accounts]
    _facts(ctx)


def after_transition(ctx: ActionContext) -> None:
    """The outlet's status follows the application; activation publishes a new roster version (Art 7(5))."""
    app = ctx.case
    status = OUTLET_STATUS_BY_STATE[app.state]
    if app.outlet.status != status:
        Outlet.objects.filter(pk=app.outlet_id).update(status=status)
        app.outlet.status = status
    if app.state == S.ACTIVE:
        version = roster.publish(
            outlet_ids=[app.outlet_id], actor=ctx.actor, reason=_("新增合作网点：%(n)s") % {"n": app.outlet.name}
        )
        if version is not None:
            ctx.summary["roster_version"] = version.number


@functools.cache
def _next_roles(state: str) -> frozenset[str]:
    """Who is told when an application reaches ``state``: whoever acts next, and on an outcome the applicant
    (on activation also the district and the outlet, Art 7(5)). Fixed by the table, so computed once."""
    roles: set[str] = set()
    for t in ADMISSION.transitions_from(state):
        if t.action not in ("withdraw",):
            roles |= t.roles
    if state in (S.ACTIVE, S.REJECTED, S.RETURNED):
        roles |= {Role.BANK_APPLICANT}
    if state == S.ACTIVE:
        roles |= {Role.DISTRICT_OFFICER, Role.DISTRICT_LEADER, Role.OUTLET_STAFF}
    return frozenset(roles)


def notify_next(ctx: ActionContext) -> None:
    """Tell whoever must act next; on activation also inform the district (Art 7(5)) and the applicant."""
    app = ctx.case
    roles = _next_roles(app.state)
    if not roles:
        return
    # Only what ``notify`` reads (id, e-mail, phone): the table has many more columns.
    users = notifications.users_for_outlet(app.outlet, roles).exclude(pk=ctx.actor.pk).only("id", "email", "phone")
    title = _("%(outlet)s：%(action)s → %(state)s") % {
        "outlet": app.outlet.name,
        "action": ctx.transition.label,
        "state": app.get_state_display(),
    }
    notifications.notify(
        users,
        kind=f"application.{ctx.transition.action}",
        title=title,
        url=reverse("admission:application_detail", args=[app.pk]),
        case_type="application",
        case_id=app.pk,
    )


HANDLERS = {
    "submit": on_submit,
    "withdraw": on_withdraw,
    "record_site_verification": on_site_verification,
    "decide": on_decide,
    "acknowledge_filing": on_acknowledge,
    "notify_outlet": on_notify_outlet,
    "sign_agreement": on_sign_agreement,
    "update_preparation": on_update_preparation,
    "inspect_readiness": on_inspect_readiness,
    "open_accounts": on_open_accounts,
    "return": _facts,
    "file_with_center": _facts,
    "apply_go_live": _facts,
    "request_system_opening": _facts,
}

BINDING = engine.register(
    engine.WorkflowBinding(
        workflow=ADMISSION,
        model=Application,
        handlers=HANDLERS,
        after_transition=after_transition,
        notify=notify_next,
        select_related=("outlet",),
    )
)
