"""Reads of relocations (selectors): the scoped list with its filters; the Art 9(3) ground for termination."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ssc.registry.selectors import text_query

from .models import Relocation
from .services import relocations_non_compliant_for_outlet

__all__ = ["NOT_AWAITING", "relocations_for_list", "relocations_non_compliant_for_outlet"]

# The outlet may withdraw its report, but nothing waits on it to (the common inbox, ``ssc.workflow.inbox``).
NOT_AWAITING = frozenset({"withdraw"})


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def relocations_for_list(user: Any, params: dict[str, Any]) -> QuerySet[Relocation]:
    """The relocations ``user`` may see. Parameters (all optional): ``state`` (one or several, comma separated),
    ``outlet`` (id), ``district`` (id or 6-digit code), ``bank`` (id or code), ``q`` (outlet name/address/code/pinyin
    or the new address)."""
    from ssc.registry.models import Outlet

    qs = Relocation.objects.restrict(user).select_related(
        "outlet__district", "outlet__bank", "new_district", "reported_by", "assessed_by"
    )
    state = params.get("state")
    if state:
        qs = qs.filter(state__in=[s for s in str(state).split(",") if s])
    if params.get("outlet"):
        qs = qs.filter(outlet_id=_int(params["outlet"]))
    district = params.get("district")
    if district:
        qs = (
            qs.filter(outlet__district__code=district)
            if len(str(district)) == 6
            else qs.filter(outlet__district_id=_int(district))
        )
    bank = params.get("bank")
    if bank:
        qs = qs.filter(outlet__bank_id=_int(bank)) if str(bank).isdigit() else qs.filter(outlet__bank__code=bank)
    q = (params.get("q") or "").strip()
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(outlet__in=Outlet.objects.filter(text_query(q)).values("pk")) | Q(new_address__icontains=q))
    return qs.exclude(state="new")
