"""Reads of inspections (监督检查): the list with its filters, an outlet's inspections."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .models import Inspection, InspectionState


def inspections_for_list(user: Any, params: dict[str, Any] | None = None) -> QuerySet[Inspection]:
    """The inspections ``user`` may see (``Inspection.objects.restrict``), filtered by ``state`` (one or a comma
    list), ``organisation`` (id), ``district`` (id), ``outlet`` (id), ``requests_action`` (bool),
    ``inspected_from``/``inspected_to`` (dates, inclusive) and ``q`` (scope, findings or requested action)."""
    params = params or {}
    qs = (
        Inspection.objects.restrict(user)
        .exclude(state=InspectionState.NEW)
        .select_related("organisation", "district", "recorded_by", "responded_by")
    )
    state = params.get("state")
    if state:
        qs = qs.filter(state__in=[s for s in str(state).split(",") if s])
    for key, field in (("organisation", "organisation_id"), ("district", "district_id")):
        if params.get(key) not in (None, ""):
            qs = qs.filter(**{field: int(params[key])})
    if params.get("outlet") not in (None, ""):
        through = Inspection.outlets.through.objects.filter(outlet_id=int(params["outlet"]))
        qs = qs.filter(pk__in=through.values("inspection_id"))
    if params.get("requests_action") is not None and params.get("requests_action") != "":
        qs = qs.filter(requests_action=bool(params["requests_action"]))
    if params.get("inspected_from"):
        qs = qs.filter(inspected_on__gte=params["inspected_from"])
    if params.get("inspected_to"):
        qs = qs.filter(inspected_on__lte=params["inspected_to"])
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(scope__icontains=q) | Q(findings__icontains=q) | Q(requested_action__icontains=q))
    return qs


def for_outlet(user: Any, outlet_id: int) -> list[Inspection]:
    """The inspections of one outlet the user may see, newest first (for the outlet page)."""
    return list(
        inspections_for_list(user, {"outlet": outlet_id})
        .select_related(None)
        .select_related("organisation")
        .order_by("-inspected_on", "-pk")
    )
