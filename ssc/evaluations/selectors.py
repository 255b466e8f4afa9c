"""Reads of evaluations: lists, the complaint count of a period, the rectifications an evaluation led to, and the
outlets flagged for two consecutive failing years."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from ssc.registry.models import Outlet

from .models import Evaluation, EvaluationState, Grade, IndicatorSet, PeriodKind
from .workflow import EVALUATION


def complaint_count(outlet_id: int, start: date, end: date) -> int:
    """Complaints (投诉) about the outlet received from ``start`` to ``end`` (both included), whatever their state:
    the hotline tickets' own count (``ssc.tickets.selectors.complaint_count``)."""
    from ssc.tickets.selectors import complaint_count as tickets_complaint_count

    return tickets_complaint_count(outlet_id, start, end)


def states_awaiting(role: str) -> set[str]:
    return {s for t in EVALUATION.transitions if role in t.roles for s in t.sources} - {EvaluationState.NEW}


def evaluations_for_list(user: Any, params: dict[str, Any] | None = None) -> QuerySet[Evaluation]:
    """The evaluations ``user`` may see (``Evaluation.objects.restrict``), filtered by ``period`` (code, e.g.
    ``2026H1``), ``year``, ``period_kind``, ``grade`` (comma list), ``state`` (comma list), ``district``,
    ``bank``, ``outlet`` (ids), ``awaiting="me"`` and ``q`` (outlet name, address, code or pinyin)."""
    params = params or {}
    qs = Evaluation.objects.restrict(user).select_related(
        "outlet", "outlet__district", "outlet__bank", "indicator_set", "evaluator"
    )
    if params.get("awaiting") == "me":
        qs = qs.filter(state__in=states_awaiting(user.role))
    for key in ("period", "period_kind"):
        if params.get(key):
            qs = qs.filter(**{key: params[key]})
    if params.get("year"):
        qs = qs.filter(year=int(params["year"]))
    for key in ("grade", "state"):
        if params.get(key):
            qs = qs.filter(**{f"{key}__in": [p for p in str(params[key]).split(",") if p]})
    for key, field in (("outlet", "outlet_id"), ("district", "outlet__district_id"), ("bank", "outlet__bank_id")):
        if params.get(key) not in (None, ""):
            qs = qs.filter(**{field: int(params[key])})
    q = (params.get("q") or "").strip()
    if q:
        from ssc.registry.selectors import text_query

        qs = qs.filter(outlet__in=Outlet.objects.filter(text_query(q)).values("pk"))
    return qs


def for_outlet(user: Any, outlet_id: int, limit: int = 10) -> list[Evaluation]:
    """The latest evaluations of one outlet that ``user`` may see (the outlet page's panel)."""
    return list(Evaluation.objects.restrict(user).filter(outlet_id=outlet_id).order_by("-period_end", "-pk")[:limit])


def indicator_sets_for_list(user: Any) -> QuerySet[IndicatorSet]:
    return IndicatorSet.objects.restrict(user).prefetch_related("indicators").order_by("period_kind", "-version")


# --- failing grades ---------------------------------------------------------------------------------------------


def _failing_years() -> Q:
    return Q(period_kind=PeriodKind.YEAR, state=EvaluationState.FINALISED, grade=Grade.POOR)


def failing_neighbour_years(outlet_id: int, year: int) -> list[int]:
    """The years next to ``year`` (before or after) in which the outlet's yearly evaluation was finalised 差."""
    return sorted(
        Evaluation.objects.filter(_failing_years(), outlet_id=outlet_id, year__in=[year - 1, year + 1]).values_list(
            "year", flat=True
        )
    )


def outlets_flagged_two_failing_years(user: Any = None) -> QuerySet[Outlet]:
    """Outlets whose yearly evaluations were finalised 差 in two consecutive years (the sister rules end
    cooperation after that; here the center is told and decides). Annotated with ``flag_year``: the later year
    of the latest such pair. Only yearly evaluations count (half-years do not make a failing year). With
    ``user``, only what the user's evaluation scope shows."""
    base = Evaluation.objects.restrict(user) if user is not None else Evaluation.objects.all()
    previous = Evaluation.objects.filter(_failing_years(), outlet_id=OuterRef("outlet_id"), year=OuterRef("year") - 1)
    second = base.filter(_failing_years()).filter(Exists(previous))
    latest = second.filter(outlet_id=OuterRef("pk")).order_by("-year").values("year")[:1]
    return (
        Outlet.objects.filter(pk__in=second.values("outlet_id"))
        .annotate(flag_year=Subquery(latest))
        .select_related("district", "bank")
        .order_by("-flag_year", "district__code", "name_pinyin", "pk")
    )


def failing_years_by_outlet(outlet_ids: list[int]) -> dict[int, list[tuple[int, int]]]:
    """``outlet id → [(year, evaluation id), …]`` of the yearly evaluations finalised 差, oldest first."""
    out: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rows = (
        Evaluation.objects.filter(_failing_years(), outlet_id__in=outlet_ids)
        .order_by("year")
        .values_list("outlet_id", "year", "pk")
    )
    for outlet_id, year, pk in rows:
        out[outlet_id].append((year, pk))
    return dict(out)


def rectifications_from(evaluation: Evaluation) -> QuerySet:
    """The rectifications issued from this evaluation (``source=evaluation``, ``source_ref=<id>``)."""
    from ssc.rectification.models import Rectification, RectificationSource

    return Rectification.objects.filter(
        outlet_id=evaluation.outlet_id, source=RectificationSource.EVALUATION, source_ref=str(evaluation.pk)
    ).order_by("-pk")


def offers_rectification(evaluation: Evaluation, user: Any) -> bool:
    """Whether ``user`` is offered “issue a rectification” on this evaluation: it was finalised 差, none was issued
    from it yet, the outlet can be ordered to rectify, and the user is the district officer who issues one."""
    from ssc.accounts.choices import Role
    from ssc.rectification.services import RECTIFIABLE

    if not evaluation.is_failing or getattr(user, "role", None) != Role.DISTRICT_OFFICER:
        return False
    if evaluation.outlet.status not in RECTIFIABLE:
        return False
    if not Outlet.objects.restrict(user).filter(pk=evaluation.outlet_id).exists():
        return False
    return not rectifications_from(evaluation).exists()
