"""Query parameters validated by a serializer, and ordering that pages stably."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rest_framework import serializers
from rest_framework.filters import OrderingFilter


def parse_query(serializer_class: type[serializers.Serializer], request: Any) -> dict[str, Any]:
    """Validate ``request.query_params`` with ``serializer_class`` (400 naming each bad parameter) and
    return the parameters given. Parameters the serializer does not know are ignored."""
    fields = serializer_class().fields
    data = {k: v for k, v in request.query_params.items() if k in fields and v != ""}
    ser = serializer_class(data=data)
    ser.is_valid(raise_exception=True)
    return {k: v for k, v in ser.validated_data.items() if v is not None and v != ""}


class StableOrderingFilter(OrderingFilter):
    """``?ordering=`` on the view's ``ordering_fields``, with the primary key appended as a tie-breaker so
    that rows never repeat or vanish between pages (not needed after a unique field: the view lists those in
    ``unique_ordering_fields``, which keeps an index usable for the sort)."""

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> Sequence[str] | None:
        ordering = super().get_ordering(request, queryset, view)
        unique = {"pk", "id", *getattr(view, "unique_ordering_fields", ())}
        if ordering and not any(o.lstrip("-") in unique for o in ordering):
            ordering = [*ordering, "pk"]
        return ordering
