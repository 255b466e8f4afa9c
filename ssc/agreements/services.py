"""Agreement services: renewal (through the workflow engine), registering an agreement signed before the platform,
the daily job (expiry reminders at 90 and 30 days, status at the end of a term), and framework agreements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ssc.accounts.choices import Role
from ssc.audit import services as audit
from ssc.audit.chain import sm3_hex
from ssc.core.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from ssc.documents import services as documents
from ssc.documents.models import DocumentKind
from ssc.notifications import services as notifications
from ssc.registry.choices import OrganisationKind
from ssc.registry.models import Organisation, Outlet
from ssc.workflow import engine
from ssc.workflow.engine import ActionContext
from ssc.workflow.models import CaseEvent

from .forms import FrameworkAgreementForm, RegisterForm
from .models import Agreement, AgreementStatus, FrameworkAgreement
from .workflow import AGREEMENT, RENEWABLE_OUTLET_STATUSES

S = AgreementStatus
REMINDER_DAYS = (90, 30)
# Who is reminded of an approaching end (the district that renews, the sub-branch that signs for the bank).
REMINDER_ROLES = frozenset({Role.DISTRICT_OFFICER, Role.BANK_APPLICANT})
# Who is told that an agreement ended without renewal (Art 9(4) exit is now available).
EXPIRED_ROLES = frozenset({Role.DISTRICT_OFFICER, Role.DISTRICT_LEADER, Role.BANK_APPLICANT, Role.BANK_HEAD_OFFICE})
RENEWED_ROLES = frozenset({Role.DISTRICT_OFFICER, Role.BANK_APPLICANT, Role.BANK_HEAD_OFFICE, Role.OUTLET_STAFF})


def perform(
    agreement_id: int,
    action: str,
    *,
    actor: Any,
    data: dict | None = None,
    files: Any = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Agreement:
    """Run an agreement action (``renew``) through ``ssc.workflow.engine.perform``."""
    return engine.perform(
        AGREEMENT.name,
        agreement_id,
        action,
        actor=actor,
        data=data,
        files=files,
        expected_version=expected_version,
        at=at,
    )


def detail_url(agreement_id: int) -> str:
    return reverse("agreements:detail", args=[agreement_id])


# --- renew -------------------------------------------------------------------------------------------------------


def on_renew(ctx: ActionContext) -> None:
    """The new agreement row, its signed copy, and where the renewed one goes (``outcome``)."""
    old, p = ctx.case, ctx.payload
    new = Agreement(
        outlet=old.outlet,
        agency=ctx.actor.organisation,
        number=p["number"],
        signed_on=p["signed_on"],
        term_start=p["term_start"],
        term_end=p["term_end"],
        renews=old,
    )
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError as exc:  # a concurrent renewal or the same number, caught by the constraints
        raise InvalidState(_("协议编号已被使用或该协议已续签，请刷新后重试。")) from exc
    version = documents.attach(
        case_type=AGREEMENT.name,
        case_id=new.pk,
        outlet=old.outlet,
        kind=DocumentKind.AGREEMENT,
        title=_("合作协议 %(n)s") % {"n": new.number},
        upload=p["signed_copy"],
        actor=ctx.actor,
        action="renew",
    )
    Agreement.objects.filter(pk=new.pk).update(document_id=version.document_id)
    audit.record(
        action="agreement.create",
        obj=new,
        after={"number": new.number, "term_start": new.term_start, "term_end": new.term_end, "renews": old.pk},
        article="9(4)",
        actor=ctx.actor,
    )
    # Renewed after its end (a late renewal): it is over now; otherwise it stays in force until its end.
    if old.term_end < ctx.on:
        p["outcome"] = S.RENEWED
        old.ended_on = old.term_end + timedelta(days=1)
    else:
        p["outcome"] = S.IN_FORCE
    ctx.summary["agreement"] = new.pk


def summarise(ctx: ActionContext) -> dict[str, Any]:
    return engine._default_summary({k: v for k, v in ctx.payload.items() if k != "outcome"})


def notify_next(ctx: ActionContext) -> None:
    old = ctx.case
    users = notifications.users_for_outlet(old.outlet, RENEWED_ROLES).exclude(pk=ctx.actor.pk)
    new_id = ctx.summary.get("agreement")
    notifications.notify(
        users,
        kind="agreement.renew",
        title=_("%(o)s：合作协议已续签（新协议 %(n)s，有效期至 %(d)s）")
        % {"o": old.outlet.name, "n": ctx.payload["number"], "d": ctx.payload["term_end"].isoformat()},
        url=detail_url(new_id) if new_id else detail_url(old.pk),
        case_type=AGREEMENT.name,
        case_id=new_id or old.pk,
    )


BINDING = engine.register(
    engine.WorkflowBinding(
        workflow=AGREEMENT,
        model=Agreement,
        handlers={"renew": on_renew},
        notify=notify_next,
        summarise=summarise,
        select_related=("outlet",),
    )
)


# --- register an agreement signed before the platform --------------------------------------------------------------


@transaction.atomic
def agreement_register(
    *, actor: Any, outlet_id: int, data: Any, files: Any = None, at: datetime | None = None
) -> Agreement:
    """登记存量协议 — record the paper agreement of an outlet that already cooperates and has none on record.
    Only the district officer of the outlet's district (Art 3, 5). An agreement whose term already ended is recorded
    as ``expired`` (Art 9(4))."""
    outlet = Outlet.objects.restrict(actor).select_for_update().filter(pk=outlet_id).first()
    if outlet is None:
        raise NotFound()
    if actor.role != Role.DISTRICT_OFFICER:
        raise NotAllowed(_("只有网点所在区县的经办人可以登记合作协议。"))
    if outlet.status not in RENEWABLE_OUTLET_STATUSES:
        raise InvalidState(_("网点当前状态为“%(s)s”，不能登记合作协议。") % {"s": outlet.get_status_display()})
    existing = Agreement.objects.filter(outlet=outlet).exclude(status=S.TERMINATED).order_by("-term_end").first()
    if existing is not None:
        raise InvalidState(_("该网点已有合作协议（%(n)s），到期续签请在该协议上办理“续签”。") % {"n": existing.number})
    form = RegisterForm(data=data or {}, files=files)
    if not form.is_valid():
        raise ValidationFailed(errors=engine._form_errors(form))
    p = form.cleaned_data
    on = timezone.localdate(at) if at else timezone.localdate()
    expired = p["term_end"] < on
    agreement = Agreement(
        outlet=outlet,
        agency=actor.organisation,
        number=p["number"],
        signed_on=p["signed_on"],
        term_start=p["term_start"],
        term_end=p["term_end"],
        status=S.EXPIRED if expired else S.IN_FORCE,
        ended_on=p["term_end"] + timedelta(days=1) if expired else None,
    )
    try:
        with transaction.atomic():
            agreement.save()
    except IntegrityError as exc:
        raise ValidationFailed(errors={"number": [_("该协议编号已存在。")]}) from exc
    if p.get("signed_copy"):
        version = documents.attach(
            case_type=AGREEMENT.name,
            case_id=agreement.pk,
            outlet=outlet,
            kind=DocumentKind.AGREEMENT,
            title=_("合作协议 %(n)s") % {"n": agreement.number},
            upload=p["signed_copy"],
            actor=actor,
            action="register",
        )
        agreement.document_id = version.document_id
        agreement.save(update_fields=["document"])
    audit.record(
        action="agreement.register",
        obj=agreement,
        after={
            "outlet": outlet.pk,
            "number": agreement.number,
            "signed_on": agreement.signed_on,
            "term_start": agreement.term_start,
            "term_end": agreement.term_end,
            "status": agreement.status,
        },
        article="3",
        actor=actor,
    )
    return agreement


# --- the daily job: end of term and reminders -------------------------------------------------------------------


@dataclass
class DailyResult:
    today: date
    expired: list[int] = field(default_factory=list)
    renewed: list[int] = field(default_factory=list)
    reminded: dict[int, list[int]] = field(default_factory=lambda: {d: [] for d in REMINDER_DAYS})
    notifications: int = 0

    def summary(self) -> str:
        return _(
            "%(day)s 合作协议巡检：到期未续签 %(e)d 份，到期由续签接续 %(r)d 份，到期前90天提醒 %(r90)d 份，"
            "到期前30天提醒 %(r30)d 份，发出通知 %(n)d 条。"
        ) % {
            "day": self.today.isoformat(),
            "e": len(self.expired),
            "r": len(self.renewed),
            "r90": len(self.reminded[90]),
            "r30": len(self.reminded[30]),
            "n": self.notifications,
        }


def _has_successor() -> Exists:
    return Exists(Agreement.objects.filter(renews=OuterRef("pk")))


def _system_event(agreement: Agreement, action: str, from_state: str, to_state: str, now: datetime) -> CaseEvent:
    t = AGREEMENT.get(action)
    return CaseEvent(
        case_type=AGREEMENT.name,
        case_id=agreement.pk,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=None,
        organisation=None,
        at=now,
        article=t.article if t else "",
        payload={"term_end": agreement.term_end.isoformat()},
    )


def _end_terms(today: date, now: datetime, result: DailyResult) -> None:
    """Agreements whose last day has passed: ``renewed`` when a renewal follows, otherwise ``expired``."""
    ending = list(
        Agreement.objects.select_for_update(of=("self",) if _has_for_update_of() else ())
        .filter(status=S.IN_FORCE, term_end__lt=today)
        .select_related("outlet")
        .annotate(has_successor=_has_successor())
        .order_by("term_end", "pk")
    )
    events = []
    for ag in ending:
        action, target = ("supersede", S.RENEWED) if ag.has_successor else ("expire", S.EXPIRED)
        ag.status = target
        ag.ended_on = ag.term_end + timedelta(days=1)
        ag.version += 1
        ag.save(update_fields=["status", "ended_on", "version", "updated_at"])
        events.append(_system_event(ag, action, S.IN_FORCE, target, now))
        audit.record(
            action=f"agreement.{action}",
            obj=ag,
            before={"status": S.IN_FORCE},
            after={"status": target, "term_end": ag.term_end},
            article=AGREEMENT.get(action).article,  # type: ignore[union-attr]
        )
        if target == S.RENEWED:
            result.renewed.append(ag.pk)
            continue
        result.expired.append(ag.pk)
        if ag.outlet.status in RENEWABLE_OUTLET_STATUSES:
            result.notifications += notifications.notify(
                notifications.users_for_outlet(ag.outlet, EXPIRED_ROLES).only("id", "email", "phone"),
                kind="agreement.expired",
                title=_("%(o)s 的合作协议 %(n)s 已于 %(d)s 期满且未续签，可依第九条第(四)项办理退出")
                % {"o": ag.outlet.name, "n": ag.number, "d": ag.term_end.isoformat()},
                url=detail_url(ag.pk),
                case_type=AGREEMENT.name,
                case_id=ag.pk,
            )
    CaseEvent.objects.bulk_create(events)


def _has_for_update_of() -> bool:
    from django.db import connection

    return bool(connection.features.has_select_for_update_of)


def _remind(today: date, result: DailyResult) -> None:
    """One reminder 90 days and one 30 days before the end, each at most once. A reminder missed (the job did not
    run that day, or the agreement was signed with less time left) is sent at the next run while it still applies;
    an agreement already inside 30 days gets only the 30-day one."""
    horizon = today + timedelta(days=max(REMINDER_DAYS))
    candidates = list(
        Agreement.objects.select_for_update(of=("self",) if _has_for_update_of() else ())
        .filter(
            status=S.IN_FORCE,
            term_end__gte=today,
            term_end__lte=horizon,
            reminded_30_on__isnull=True,
            outlet__status__in=list(RENEWABLE_OUTLET_STATUSES),
        )
        .annotate(has_successor=_has_successor())
        .filter(has_successor=False)
        .select_related("outlet")
        .order_by("term_end", "pk")
    )
    for ag in candidates:
        left = (ag.term_end - today).days
        if left <= 30:
            days, attr = 30, "reminded_30_on"
        elif ag.reminded_90_on is None:
            days, attr = 90, "reminded_90_on"
        else:
            continue
        setattr(ag, attr, today)
        ag.save(update_fields=[attr, "updated_at"])
        result.reminded[days].append(ag.pk)
        result.notifications += notifications.notify(
            notifications.users_for_outlet(ag.outlet, REMINDER_ROLES).only("id", "email", "phone"),
            kind=f"agreement.expiry_reminder_{days}",
            title=_("%(o)s 的合作协议 %(n)s 将于 %(d)s 到期（还有 %(k)d 天），请及时办理续签")
            % {"o": ag.outlet.name, "n": ag.number, "d": ag.term_end.isoformat(), "k": left},
            body=_("协议期满未续签的，区县社会保障卡管理机构可依《管理办法》第九条第(四)项终止合作。"),
            url=detail_url(ag.pk),
            case_type=AGREEMENT.name,
            case_id=ag.pk,
        )


def daily(*, today: date | None = None) -> DailyResult:
    """合作协议巡检 — the daily job (run by ``sweep_deadlines`` through ``ssc.deadlines.services.DAILY_JOBS``).
    Atomic and idempotent: a second run on the same day finds nothing new, so nobody is told twice."""
    today = today or timezone.localdate()
    now = timezone.now()
    result = DailyResult(today=today)
    with transaction.atomic():
        _end_terms(today, now, result)
        _remind(today, result)
        if result.expired or result.renewed or any(result.reminded.values()):
            audit.record(
                action="agreement.daily",
                object_type="agreements.agreement",
                object_repr=_("合作协议巡检"),
                after={
                    "today": today,
                    "expired": result.expired,
                    "renewed": result.renewed,
                    "reminded_90": result.reminded[90],
                    "reminded_30": result.reminded[30],
                },
                article="9(4)",
            )
    return result


def daily_job(today: date) -> str:
    """The entry ``ssc.deadlines.services.DAILY_JOBS`` calls."""
    return daily(today=today).summary()


# --- the end of cooperation (for the termination work, Art 8, 9) ------------------------------------------------


@transaction.atomic
def agreements_terminate_for_outlet(
    *, outlet_id: int, on: date, article: str, actor: Any = None, reason: str = ""
) -> list[Agreement]:
    """The outlet's cooperation ended (Art 8 or 9): every agreement of it still ``in_force`` or ``expired`` becomes
    ``terminated`` on ``on`` — a renewal signed for a later term included — with a history row and an audit event
    citing ``article`` (e.g. ``"9(4)"``). Returns the agreements changed; calling it again changes nothing."""
    now = timezone.now()
    changed = list(
        Agreement.objects.select_for_update()
        .filter(outlet_id=outlet_id, status__in=[S.IN_FORCE, S.EXPIRED])
        .order_by("term_start", "pk")
    )
    events = []
    for ag in changed:
        before = ag.status
        ag.status = S.TERMINATED
        ag.ended_on = on
        ag.version += 1
        ag.save(update_fields=["status", "ended_on", "version", "updated_at"])
        event = _system_event(ag, "terminate", before, S.TERMINATED, now)
        event.article = article
        event.actor = actor if getattr(actor, "pk", None) else None
        event.organisation_id = getattr(actor, "organisation_id", None)
        event.payload = {"ended_on": on.isoformat(), "reason": reason}
        events.append(event)
        audit.record(
            action="agreement.terminate",
            obj=ag,
            before={"status": before},
            after={"status": S.TERMINATED, "ended_on": on, "reason": reason},
            article=article,
            actor=actor,
        )
    CaseEvent.objects.bulk_create(events)
    return changed


# --- framework agreements (Art 6(1)) --------------------------------------------------------------------------


def _hrss() -> Organisation:
    org = Organisation.objects.filter(kind=OrganisationKind.HRSS, is_active=True).order_by("code").first()
    if org is None:
        raise InvalidState(_("系统中尚未登记市人力资源和社会保障局，无法登记框架协议。"))
    return org


@transaction.atomic
def framework_agreement_create(*, actor: Any, data: Any, files: Any = None) -> FrameworkAgreement:
    """登记合作框架协议 (Art 6(1)) — by the center's officer, who keeps the city-wide records (Art 5)."""
    if actor.role != Role.CENTER_OFFICER:
        raise NotAllowed(_("只有市社保卡服务中心经办人可以登记合作框架协议。"))
    form = FrameworkAgreementForm(data=data or {}, files=files)
    if not form.is_valid():
        raise ValidationFailed(errors=engine._form_errors(form))
    p = form.cleaned_data
    upload = p["document"]
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    fa = FrameworkAgreement(
        bank=p["bank"],
        bank_organisation=p["bank_organisation"],
        hrss=_hrss(),
        number=p["number"],
        signed_on=p["signed_on"],
        term_start=p["term_start"],
        term_end=p.get("term_end"),
        liability_clauses=p["liability_clauses"],
        document_name=str(upload.name)[:200],
        document_content_type=getattr(upload, "ssc_content_type", "") or "",
        document_size=len(content),
        sm3=sm3_hex(content),
        created_by=actor,
    )
    fa.document.save(upload.name, upload, save=False)
    try:
        with transaction.atomic():
            fa.save()
    except IntegrityError as exc:
        raise ValidationFailed(errors={"number": [_("该协议编号已存在。")]}) from exc
    audit.record(
        action="framework_agreement.create",
        obj=fa,
        after={
            "bank": fa.bank_id,
            "bank_organisation": fa.bank_organisation_id,
            "number": fa.number,
            "signed_on": fa.signed_on,
            "term_start": fa.term_start,
            "term_end": fa.term_end,
            "sm3": fa.sm3,
        },
        article="6(1)",
        actor=actor,
    )
    return fa


def record_framework_download(*, agreement: FrameworkAgreement, actor: Any) -> None:
    audit.record(action="framework_agreement.download", obj=agreement, after={"sm3": agreement.sm3}, actor=actor)
