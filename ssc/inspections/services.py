"""Inspection services: recording one, the side effects of each action, files, and who is told next."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ssc.accounts.models import User
from ssc.audit import services as audit
from ssc.audit.chain import sm3_hex
from ssc.core.errors import NotAllowed
from ssc.documents.validation import check_upload
from ssc.notifications import services as notifications
from ssc.registry.choices import OrganisationKind
from ssc.workflow import engine
from ssc.workflow.engine import ActionContext

from .models import INSPECTING_ORGANISATION_KINDS, Inspection, InspectionDocument
from .models import InspectionState as S
from .workflow import INSPECTION, RECORDER_ROLES, RESPONDER_ROLES


def perform(
    inspection_id: int,
    action: str,
    *,
    actor: Any,
    data: dict | None = None,
    files: Any = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Inspection:
    """Run an inspection action (see ``ssc.workflow.engine.perform``)."""
    return engine.perform(
        "inspection",
        inspection_id,
        action,
        actor=actor,
        data=data,
        files=files,
        expected_version=expected_version,
        at=at,
    )


def may_record(user: Any) -> bool:
    org = getattr(user, "organisation", None)
    return (
        getattr(user, "is_authenticated", False)
        and user.role in RECORDER_ROLES
        and org is not None
        and org.kind in INSPECTING_ORGANISATION_KINDS
    )


@transaction.atomic
def record(*, actor: Any, data: dict | None, files: Any = None, at: datetime | None = None) -> Inspection:
    """记录监督检查 — create the case for the actor's organisation and run ``record`` (new → recorded, or
    → action_requested when the district is asked to act) in one transaction."""
    if not may_record(actor):
        raise NotAllowed(_("只有市人社局、金融监管部门和市社会保障卡服务中心可以记录监督检查。"))
    case = Inspection.objects.create(organisation=actor.organisation, recorded_by=actor, state=S.NEW)
    return perform(case.pk, "record", actor=actor, data=data, files=files, at=at)


# --- files ---------------------------------------------------------------------------------------------------


def attach(ctx: ActionContext, uploads: list[Any], title: str) -> list[InspectionDocument]:
    """Store the uploads of one action (checked by content, SM3-digested, content-addressed), audited."""
    out = []
    for i, upload in enumerate(uploads or [], start=1):
        ctype = check_upload(upload)
        upload.seek(0)
        digest = sm3_hex(upload.read())
        upload.seek(0)
        doc = InspectionDocument(
            inspection=ctx.case,
            action=ctx.transition.action,
            title=f"{title} {i}"[:200] if len(uploads) > 1 else title[:200],
            original_name=str(upload.name)[:200],
            content_type=ctype,
            size=upload.size,
            sm3=digest,
            uploaded_by=ctx.actor,
        )
        doc.file.save(upload.name, upload, save=False)
        doc.save()
        audit.record(
            action="inspection_document.upload",
            obj=doc,
            after={"inspection": ctx.case.pk, "sm3": digest, "size": doc.size, "name": doc.original_name},
            actor=ctx.actor,
        )
        out.append(doc)
    if out:
        ctx.summary.setdefault("attachments", []).extend(d.original_name for d in out)
    return out


def record_download(*, document: InspectionDocument, actor: Any) -> None:
    audit.record(
        action="inspection_document.download",
        obj=document,
        after={"inspection": document.inspection_id, "sm3": document.sm3},
        actor=actor,
    )


# --- handlers ------------------------------------------------------------------------------------------------


def _facts(ctx: ActionContext) -> None:
    data = summarise(ctx)
    data["at"] = ctx.at.isoformat()
    ctx.case.facts[ctx.transition.action] = data


def on_record(ctx: ActionContext) -> None:
    p, case = ctx.payload, ctx.case
    case.inspected_on = p["inspected_on"]
    case.scope = p["scope"]
    case.district = p.get("district")
    case.findings = p["findings"]
    case.requests_action = bool(p.get("requests_action"))
    case.requested_action = p.get("requested_action") or ""
    case.outlets.set(p.get("outlets") or [])
    attach(ctx, p.get("documents") or [], _("检查材料"))
    _facts(ctx)


def on_respond(ctx: ActionContext) -> None:
    case = ctx.case
    case.district_response = ctx.payload["response"]
    case.responded_at = ctx.at
    case.responded_by = ctx.actor
    attach(ctx, ctx.payload.get("documents") or [], _("处理情况证明材料"))
    _facts(ctx)


def on_close(ctx: ActionContext) -> None:
    ctx.case.closed_at = ctx.at
    _facts(ctx)


def summarise(ctx: ActionContext) -> dict[str, Any]:
    """The history row's payload: form fields (outlets by code), never the computed target."""
    out = engine._default_summary({k: v for k, v in ctx.payload.items() if k not in ("outcome", "outlets")})
    if ctx.payload.get("outlets"):
        out["outlets"] = [o.code for o in ctx.payload["outlets"]]
    return out


# --- who is told -----------------------------------------------------------------------------------------------


def district_users(district_id: int | None, roles: frozenset[str] = RESPONDER_ROLES) -> QuerySet[User]:
    if district_id is None:
        return User.objects.none()
    return User.objects.filter(
        role__in=roles,
        organisation__district_id=district_id,
        organisation__kind=OrganisationKind.DISTRICT_AGENCY,
        is_active=True,
    )


def organisation_users(organisation_id: int, roles: frozenset[str] = RECORDER_ROLES) -> QuerySet[User]:
    return User.objects.filter(role__in=roles, organisation_id=organisation_id, is_active=True)


def notify_next(ctx: ActionContext) -> None:
    """Asked to act → the district agency; answered → the recording organisation; closed → the district."""
    case = ctx.case
    if case.state == S.ACTION_REQUESTED or case.state == S.CLOSED:
        users = district_users(case.district_id)
    elif case.state == S.RESPONDED:
        users = organisation_users(case.organisation_id)
    else:
        return
    title = _("监督检查 #%(n)d：%(a)s → %(s)s") % {
        "n": case.pk,
        "a": ctx.transition.label,
        "s": case.get_state_display(),
    }
    notifications.notify(
        users.exclude(pk=ctx.actor.pk).only("id", "email", "phone"),
        kind=f"inspection.{ctx.transition.action}",
        title=title,
        url=case.get_absolute_url(),
        case_type="inspection",
        case_id=case.pk,
    )


HANDLERS = {"record": on_record, "respond": on_respond, "close": on_close}

BINDING = engine.register(
    engine.WorkflowBinding(
        workflow=INSPECTION,
        model=Inspection,
        handlers=HANDLERS,
        notify=notify_next,
        summarise=summarise,
        select_related=("organisation",),
    )
)
