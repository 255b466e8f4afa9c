"""Records that hang off a workflow case by ``(case_type, case_id)`` — deadlines, documents — are visible to
exactly the users who can see the case. The case models' ``restrict`` stays the one place scoping is decided;
this only carries it over to the rows that point at a case."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from ssc.core.scoping import ALL, NONE
from ssc.workflow import engine


def case_types() -> list[str]:
    return sorted(engine._bindings)


def visible_cases_q(user: Any) -> Q:
    """``Q`` over ``case_type``/``case_id`` matching the cases of every registered workflow that ``user`` sees."""
    cond = Q(pk__in=[])
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return cond
    for name, binding in engine._bindings.items():
        model: Any = binding.model
        flt = model.scope_filter(user, "view")
        if flt is ALL:
            cond |= Q(case_type=name)
        elif flt is None or flt == NONE:
            continue
        else:
            cond |= Q(case_type=name, case_id__in=model.objects.filter(flt).values("pk"))
    return cond


def case_visible(user: Any, case_type: str, case_id: int) -> bool:
    binding = engine._bindings.get(case_type)
    if binding is None:
        return False
    return binding.model.objects.restrict(user).filter(pk=case_id).exists()  # type: ignore[attr-defined]


def cases_by_key(
    keys: set[tuple[str, int]], select_related: tuple[str, ...] = ("outlet",)
) -> dict[tuple[str, int], Any]:
    """Load the cases named by ``keys`` with one query per case type (for lists of deadlines or documents)."""
    out: dict[tuple[str, int], Any] = {}
    by_type: dict[str, set[int]] = {}
    for case_type, case_id in keys:
        by_type.setdefault(case_type, set()).add(case_id)
    for case_type, ids in by_type.items():
        binding = engine._bindings.get(case_type)
        if binding is None:
            continue
        model: Any = binding.model
        related = [r for r in select_related if any(f.name == r for f in model._meta.get_fields())]
        for case in model.objects.filter(pk__in=ids).select_related(*related):
            out[(case_type, case.pk)] = case
    return out
