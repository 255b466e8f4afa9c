"""Agreement panels for other pages (the outlet page: its agreements and its bank's framework agreement) and small
date helpers for the agreement lists."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.utils import timezone

from ssc.accounts.choices import Role

from .. import selectors
from ..models import NO_AGREEMENT_ROLES, Agreement, AgreementStatus, FrameworkAgreement

register = template.Library()


@register.simple_tag
def days_until(day: date | None, today: date | None = None) -> int | None:
    """Calendar days from ``today`` to ``day`` (negative once passed)."""
    if day is None:
        return None
    return (day - (today or timezone.localdate())).days


@register.filter
def absolute(value: Any) -> Any:
    try:
        return abs(value)
    except TypeError:
        return value


@register.inclusion_tag("agreements/_framework_panel.html", takes_context=True)
def framework_panel(context: Any, fa: FrameworkAgreement | None) -> dict[str, Any]:
    user = context.get("user")
    can_open = fa is not None and FrameworkAgreement.objects.restrict(user).filter(pk=fa.pk).exists()
    return {
        "fa": fa,
        "can_open": can_open,
        "in_force": fa.in_force_on(timezone.localdate()) if fa is not None else False,
    }


@register.inclusion_tag("agreements/_outlet_panel.html", takes_context=True)
def outlet_agreements(context: Any, outlet: Any) -> dict[str, Any]:
    """合作协议 on the outlet page: the outlet's agreements (in the viewer's scope), the Art 9(4) flag, the bank's
    framework agreement (Art 6(1)), and "register" for a district officer when none is on record."""
    user = context.get("user")
    today = timezone.localdate()
    rows = list(
        Agreement.objects.restrict(user)
        .filter(outlet=outlet)
        .annotate(has_successor=selectors.has_successor())
        .order_by("-term_start", "-pk")
    )
    fa = selectors.framework_agreement_for_bank(outlet.bank_id)
    return {
        "outlet": outlet,
        "agreements": rows,
        "visible": user is not None and user.role not in NO_AGREEMENT_ROLES,
        "today": today,
        "expired_unrenewed": selectors.expired_unrenewed_for_outlet(outlet.pk, today=today) if rows else None,
        "can_register": user.role == Role.DISTRICT_OFFICER
        and not any(a.status != AgreementStatus.TERMINATED for a in rows),
        "framework": fa,
        "framework_open": fa is not None and FrameworkAgreement.objects.restrict(user).filter(pk=fa.pk).exists(),
        "framework_in_force": fa.in_force_on(today) if fa is not None else False,
    }
