"""Reads of agreements (selectors): the scoped list with its filters, the Art 9(4) list, and what other work
(termination, the outlet page) asks about an outlet's agreements."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ssc.registry.choices import OutletStatus
from ssc.registry.selectors import text_query

from .models import Agreement, AgreementStatus, FrameworkAgreement

S = AgreementStatus
# Outlets whose unrenewed, ended agreement is still to be dealt with (an exit under Art 9(4)); a terminating
# outlet is listed too, so the list shows the exits already under way.
EXIT_PENDING_OUTLET_STATUSES = (OutletStatus.ACTIVE, OutletStatus.UNDER_RECTIFICATION, OutletStatus.TERMINATING)


def has_successor() -> Exists:
    return Exists(Agreement.objects.filter(renews=OuterRef("pk")))


def _truthy(value: Any) -> bool:
    return str(value).lower() in {"1", "true", "yes", "on"}


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def agreements_for_list(user: Any, params: dict[str, Any], *, today: date | None = None) -> QuerySet[Agreement]:
    """The agreements ``user`` may see, filtered. Parameters (all optional): ``q`` (outlet name/address/code/pinyin or
    agreement number), ``outlet`` (id), ``district`` (id or 6-digit code), ``bank`` (id or code), ``status`` (one or
    several, comma separated), ``expiring_within_days`` (N: in force, not renewed, last day within N days from
    today), ``expired_unrenewed`` (true: the Art 9(4) list)."""
    today = today or timezone.localdate()
    qs = (
        Agreement.objects.restrict(user)
        .select_related("outlet__district", "outlet__bank", "agency")
        .annotate(has_successor=has_successor())
    )
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(outlet__in=_outlet_ids(q)))
    if params.get("outlet"):
        qs = qs.filter(outlet_id=_int(params["outlet"]))
    district = params.get("district")
    if district:
        dq = Q(outlet__district__code=district) if len(str(district)) == 6 else Q(outlet__district_id=_int(district))
        qs = qs.filter(dq)
    bank = params.get("bank")
    if bank:
        qs = qs.filter(outlet__bank_id=_int(bank)) if str(bank).isdigit() else qs.filter(outlet__bank__code=bank)
    status = params.get("status")
    if status:
        qs = qs.filter(status__in=[s for s in str(status).split(",") if s])
    days = params.get("expiring_within_days")
    if days not in (None, ""):
        qs = qs.filter(
            status=S.IN_FORCE, has_successor=False, term_end__gte=today, term_end__lte=today + timedelta(days=int(days))
        )
    if _truthy(params.get("expired_unrenewed", "")):
        qs = qs.filter(expired_unrenewed_q(today))
    return qs


def _outlet_ids(q: str) -> Any:
    from ssc.registry.models import Outlet

    return Outlet.objects.filter(text_query(q)).values("pk")


def expired_unrenewed_q(today: date, notice_days: int = 0) -> Q:
    """Ended (or ending within ``notice_days``) without a renewal, not terminated, of an outlet still to exit.
    Needs the ``has_successor`` annotation."""
    return Q(
        status__in=[S.IN_FORCE, S.EXPIRED],
        has_successor=False,
        term_end__lt=today + timedelta(days=notice_days),
        outlet__status__in=list(EXIT_PENDING_OUTLET_STATUSES),
    )


def agreements_expired_unrenewed(
    user: Any = None, *, today: date | None = None, notice_days: int = 0
) -> QuerySet[Agreement]:
    """Art 9(4): agreements past their last day (``term_end < today``) with no renewal, of outlets that still
    cooperate (or are already exiting) — oldest end first. Read from the dates, so it is right even before the daily
    job has marked them ``expired``. ``notice_days`` > 0 also lists those ending within that many days. Scoped to
    ``user`` when given (a district sees its own)."""
    today = today or timezone.localdate()
    base = Agreement.objects.restrict(user) if user is not None else Agreement.objects.all()
    return (
        base.select_related("outlet__district", "outlet__bank", "agency")
        .annotate(has_successor=has_successor())
        .filter(expired_unrenewed_q(today, notice_days))
        .order_by("term_end", "pk")
    )


def expired_unrenewed_for_outlet(
    outlet_id: int, *, today: date | None = None, notice_days: int = 0
) -> Agreement | None:
    """The outlet's agreement that makes Art 9(4) exit available, or None (for the termination work)."""
    return agreements_expired_unrenewed(today=today, notice_days=notice_days).filter(outlet_id=outlet_id).last()


def agreement_in_force(outlet_id: int, *, on: date | None = None) -> Agreement | None:
    """The agreement whose term covers ``on`` (Art 3: the outlet cooperates while one is in force)."""
    on = on or timezone.localdate()
    return (
        Agreement.objects.filter(outlet_id=outlet_id, term_start__lte=on, term_end__gte=on)
        .exclude(status=S.TERMINATED)
        .order_by("-term_start")
        .first()
    )


def chain(agreement: Agreement) -> list[Agreement]:
    """Every term of the outlet's cooperation that this agreement belongs to, oldest first."""
    rows = {
        a.pk: a
        for a in Agreement.objects.filter(outlet_id=agreement.outlet_id).select_related("agency").order_by("term_start")
    }
    first = rows.get(agreement.pk, agreement)
    while first.renews_id and first.renews_id in rows:
        first = rows[first.renews_id]
    by_renews = {a.renews_id: a for a in rows.values() if a.renews_id}
    out = [first]
    while out[-1].pk in by_renews:
        out.append(by_renews[out[-1].pk])
    return out


def framework_agreement_for_bank(bank_id: int, *, on: date | None = None) -> FrameworkAgreement | None:
    """The bank's framework agreement with HRSS in force on ``on``; else its latest one (Art 6(1))."""
    on = on or timezone.localdate()
    qs = FrameworkAgreement.objects.filter(bank_id=bank_id).select_related("bank", "bank_organisation", "hrss")
    current = (
        qs.filter(term_start__lte=on)
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=on))
        .order_by("-term_start", "-pk")
        .first()
    )
    return current or qs.order_by("-term_start", "-pk").first()


def framework_agreements_for_list(user: Any, params: dict[str, Any]) -> QuerySet[FrameworkAgreement]:
    qs = FrameworkAgreement.objects.restrict(user).select_related("bank", "bank_organisation", "hrss")
    bank = params.get("bank")
    if bank:
        qs = qs.filter(bank_id=_int(bank)) if str(bank).isdigit() else qs.filter(bank__code=bank)
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(bank__name__icontains=q) | Q(bank__short_name__icontains=q))
    return qs
