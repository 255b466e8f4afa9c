"""Counts for the home page (selectors): outlets by status, and city totals by district and by bank."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from ssc.registry.choices import OUTLET_STATUS_COLOURS, OutletStatus
from ssc.registry.models import Bank, District, Outlet


@dataclass
class StatusCount:
    status: str
    label: Any
    colour: str
    count: int


@dataclass
class TotalsRow:
    pk: int
    name: str
    counts: list[int] = field(default_factory=list)  # in ``OutletStatus`` order

    @property
    def total(self) -> int:
        return sum(self.counts)


def status_counts(outlets: QuerySet[Outlet]) -> list[StatusCount]:
    """Every status (zeros included), in the order of the workflow."""
    found = dict(outlets.order_by().values_list("status").annotate(n=Count("pk")))
    return [StatusCount(s.value, s.label, OUTLET_STATUS_COLOURS[s], found.get(s.value, 0)) for s in OutletStatus]


def _totals(outlets: QuerySet[Outlet], key: str, groups: list[tuple[int, str]]) -> list[TotalsRow]:
    index = {s.value: i for i, s in enumerate(OutletStatus)}
    rows = {pk: TotalsRow(pk, name, [0] * len(index)) for pk, name in groups}
    for group_id, status, n in outlets.order_by().values_list(key, "status").annotate(n=Count("pk")):
        if group_id in rows:
            rows[group_id].counts[index[status]] = n
    return list(rows.values())


def totals_by_district(outlets: QuerySet[Outlet]) -> list[TotalsRow]:
    return _totals(outlets, "district_id", list(District.objects.values_list("pk", "name")))


def totals_by_bank(outlets: QuerySet[Outlet]) -> list[TotalsRow]:
    groups = [(b.pk, b.short_name or b.name) for b in Bank.objects.only("pk", "name", "short_name")]
    return _totals(outlets, "bank_id", groups)


def column_totals(rows: list[TotalsRow]) -> list[int]:
    return [sum(col) for col in zip(*(r.counts for r in rows), strict=True)] if rows else []
