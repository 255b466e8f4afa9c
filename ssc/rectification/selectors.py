"""Reads of rectifications (整改): the list with its filters, one case, an outlet's cases."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import OPEN_STATES, Rectification
from .models import RectificationState as S


def rectifications_for_list(
    user: Any, params: dict[str, Any] | None = None, *, today: date | None = None
) -> QuerySet[Rectification]:
    """The rectifications ``user`` may see (``Rectification.objects.restrict``), filtered by ``state`` (one or a
    comma list), ``district`` (id), ``bank`` (id), ``outlet`` (id), ``source``, ``overdue`` (``True``: overdue, or
    still open past its last day; ``False``: neither) and ``q`` (outlet name, address, code or pinyin)."""
    params = params or {}
    qs = Rectification.objects.restrict(user).select_related("outlet", "outlet__district", "outlet__bank", "issued_by")
    state = params.get("state")
    if state:
        qs = qs.filter(state__in=[s for s in str(state).split(",") if s])
    for key, field in (("district", "outlet__district_id"), ("bank", "outlet__bank_id"), ("outlet", "outlet_id")):
        if params.get(key) not in (None, ""):
            qs = qs.filter(**{field: int(params[key])})
    if params.get("source"):
        qs = qs.filter(source=params["source"])
    overdue = params.get("overdue")
    if overdue is not None and overdue != "":
        cond = overdue_q(today)
        qs = qs.filter(cond) if overdue in (True, "true", "1", 1) else qs.exclude(cond)
    q = (params.get("q") or "").strip()
    if q:
        from ssc.registry.models import Outlet
        from ssc.registry.selectors import text_query

        qs = qs.filter(outlet__in=Outlet.objects.filter(text_query(q)).values("pk"))
    return qs


def overdue_q(today: date | None = None) -> Q:
    """Marked overdue by the sweep, or still open after its last day (the sweep has not run yet today)."""
    today = today or timezone.localdate()
    return Q(state=S.OVERDUE) | Q(state__in=list(OPEN_STATES), due_on__lt=today)


def for_outlet(user: Any, outlet_id: int) -> list[Rectification]:
    """An outlet's rectifications the user may see, newest first (for the outlet page)."""
    return list(Rectification.objects.restrict(user).filter(outlet_id=outlet_id).order_by("-issued_on", "-pk"))
