"""Organisation-subtree scoping, in one place (NetBox's ``restrict``).

Every scoped model's manager is built from ``ScopedQuerySet`` and the model implements
``scope_filter(user)`` returning:

- ``ALL``   — the user sees every row (center, regulators);
- a ``Q``   — the rows inside the user's organisation subtree;
- ``NONE``  — nothing.

Views, API endpoints, exports and selectors call ``Model.objects.restrict(user)``; nothing else decides
what a user may see. Objects outside the scope answer 404 (their existence is not disclosed).
"""

from __future__ import annotations

from typing import Any, Self, TypeVar

from django.db import models
from django.db.models import Q

ALL = object()
NONE = Q(pk__in=[])

_M = TypeVar("_M", bound=models.Model, covariant=True)


class ScopedQuerySet(models.QuerySet[_M]):
    def restrict(self, user: Any, action: str = "view") -> Self:
        if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
            return self.none()
        flt = self.model.scope_filter(user, action)  # type: ignore[attr-defined]
        if flt is ALL:
            return self
        if flt is None or flt == NONE:
            return self.none()
        return self.filter(flt)


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def restricted(model: type[models.Model], user: Any, action: str = "view") -> ScopedQuerySet[Any]:
    """``model.objects.restrict(user, action)`` for a model known only at run time (a workflow's case model)."""
    manager = model.objects  # type: ignore[attr-defined]  # ``Model`` declares no ``objects``; scoped models do
    return manager.restrict(user, action)
