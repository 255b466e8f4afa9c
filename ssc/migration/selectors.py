"""Supervision reports (selectors):

- Jinyu Net migration (Art 6(2)): cooperating outlets by interconnection mode, by bank and by district — legacy /
  Jinyu Net counts, % migrated, legacy outlets planned to migrate this quarter, plans overdue (planned date passed,
  still legacy), legacy outlets without a plan;
- the Art 10 disclosure check: cooperating outlets that do not publish a consultation or a complaint number.

"Cooperating" = the statuses of the public directory (active, under rectification). Every figure is scoped through
``Outlet.objects.restrict``: a district sees its district, a bank its bank."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from ssc.registry.choices import PUBLIC_STATUSES, InterconnectionMode
from ssc.registry.models import Outlet
from ssc.registry.selectors import outlets_filter

COOPERATING = list(PUBLIC_STATUSES)


def quarter_of(day: date) -> tuple[date, date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return start, date.fromordinal(end.toordinal() - 1)


@dataclass
class MigrationRow:
    """One bank's or district's figures (or the totals: ``key`` None)."""

    key: int | None
    name: str
    total: int = 0
    jinyu: int = 0
    legacy: int = 0
    planned_this_quarter: int = 0
    overdue: int = 0
    unplanned: int = 0

    @property
    def percent_migrated(self) -> float:
        return round(100.0 * self.jinyu / self.total, 1) if self.total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.key,
            "name": self.name,
            "total": self.total,
            "jinyu": self.jinyu,
            "legacy": self.legacy,
            "percent_migrated": self.percent_migrated,
            "planned_this_quarter": self.planned_this_quarter,
            "overdue": self.overdue,
            "unplanned": self.unplanned,
        }


@dataclass
class MigrationReport:
    as_of: date
    quarter_start: date
    quarter_end: date
    totals: MigrationRow
    by_bank: list[MigrationRow] = field(default_factory=list)
    by_district: list[MigrationRow] = field(default_factory=list)


def _aggregates(as_of: date, qstart: date, qend: date) -> dict[str, Any]:
    legacy = Q(interconnection_mode=InterconnectionMode.LEGACY)
    return {
        "total": Count("pk"),
        "jinyu": Count("pk", filter=Q(interconnection_mode=InterconnectionMode.JINYU)),
        "legacy": Count("pk", filter=legacy),
        "planned_this_quarter": Count(
            "pk", filter=legacy & Q(jinyu_migration_planned_on__gte=qstart, jinyu_migration_planned_on__lte=qend)
        ),
        "overdue": Count("pk", filter=legacy & Q(jinyu_migration_planned_on__lt=as_of)),
        "unplanned": Count("pk", filter=legacy & Q(jinyu_migration_planned_on__isnull=True)),
    }


def _row(key: int | None, name: str, values: dict[str, Any]) -> MigrationRow:
    return MigrationRow(
        key=key,
        name=name,
        **{k: values.get(k) or 0 for k in ("total", "jinyu", "legacy", "planned_this_quarter", "overdue", "unplanned")},
    )


def migration_outlets(user: Any, params: dict[str, Any] | None = None) -> QuerySet[Outlet]:
    return outlets_filter(Outlet.objects.restrict(user).filter(status__in=COOPERATING), params or {})


def jinyu_migration(user: Any, *, as_of: date, params: dict[str, Any] | None = None) -> MigrationReport:
    """Migration progress of the cooperating outlets ``user`` may see, by bank and by district — three aggregate
    queries whatever the number of outlets."""
    qstart, qend = quarter_of(as_of)
    agg = _aggregates(as_of, qstart, qend)
    qs = migration_outlets(user, params).order_by()
    totals = _row(None, "", qs.aggregate(**agg))
    by_bank = [
        _row(r["bank_id"], r["bank__short_name"] or r["bank__name"], r)
        for r in qs.values("bank_id", "bank__name", "bank__short_name", "bank__sort_order")
        .annotate(**agg)
        .order_by("bank__sort_order", "bank__name")
    ]
    by_district = [
        _row(r["district_id"], r["district__name"], r)
        for r in qs.values("district_id", "district__name", "district__code").annotate(**agg).order_by("district__code")
    ]
    return MigrationReport(as_of, qstart, qend, totals, by_bank, by_district)


# --- Art 10 disclosure -------------------------------------------------------------------------------------------

MISSING_CHOICES = ("consultation", "complaint", "both")


def disclosure_missing(user: Any, params: dict[str, Any] | None = None) -> QuerySet[Outlet]:
    """Cooperating outlets without a published consultation or complaint number (Art 10), scoped. ``params``: the
    outlet list filters (``q``, ``district``, ``bank``) and ``missing`` (consultation / complaint / both).
    ``open_disclosure_rectification`` tells whether a rectification on this ground is already under way."""
    from ssc.rectification.models import OPEN_STATES, Rectification, RectificationSource, RectificationState

    params = dict(params or {})
    missing = params.pop("missing", None)
    no_consult, no_complaint = Q(consultation_phone=""), Q(complaint_phone="")
    cond = {"consultation": no_consult, "complaint": no_complaint, "both": no_consult & no_complaint}.get(
        missing or "", no_consult | no_complaint
    )
    return (
        migration_outlets(user, params)
        .filter(cond)
        .select_related("district", "bank", "sub_branch")
        .annotate(
            open_disclosure_rectification=Exists(
                Rectification.objects.filter(
                    outlet=OuterRef("pk"),
                    source=RectificationSource.DISCLOSURE,
                    state__in=[*OPEN_STATES, RectificationState.OVERDUE],
                )
            )
        )
        .order_by("district__code", "code")
    )
