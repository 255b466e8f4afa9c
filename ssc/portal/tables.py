"""The outlet table: sortable columns of the list page and the columns of its export."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ssc.registry.models import Outlet

# ``sort`` parameter → ORDER BY. Names sort by pinyin (the order Chinese readers expect); ``pk`` breaks ties
# so pages never overlap.
SORTS: dict[str, tuple[str, ...]] = {
    "code": ("code",),
    "name": ("name_pinyin",),
    "district": ("district__code",),
    "bank": ("bank__sort_order", "bank__name"),
    "status": ("status",),
    "instant_issuance": ("instant_issuance",),
    "interconnection_mode": ("interconnection_mode",),
    "updated": ("updated_at",),
}
# Outlet codes read BANK-DISTRICT-NNNN; the unique index on ``code`` makes this order free for 100k rows.
DEFAULT_SORT = "code"


def ordering(sort: str | None) -> tuple[str, list[str]]:
    """The validated ``sort`` value and the ORDER BY it means; unknown values fall back to the default."""
    key = (sort or "").lstrip("-")
    if key not in SORTS:
        sort, key = DEFAULT_SORT, DEFAULT_SORT
    desc = bool(sort and sort.startswith("-"))
    fields = [("-" if desc else "") + f for f in SORTS[key]]
    if key != "code":
        fields.append("-code" if desc else "code")
    fields.append("-pk" if desc else "pk")
    return sort or DEFAULT_SORT, fields


# The export has the import's columns, in the import's order, so that an exported file can be edited and
# imported again (``ssc.registry.imports.COLUMNS`` is the one declaration of the spreadsheet layout).
_GETTERS: dict[str, Callable[[Outlet], Any]] = {
    "bank": lambda o: o.bank.name,
    "sub_branch": lambda o: o.sub_branch.name,
    "district": lambda o: o.district.name,
    "services": lambda o: "、".join(s.name for s in o.services.all()),
    "interconnection_mode": lambda o: o.get_interconnection_mode_display(),
    "status": lambda o: o.get_status_display(),
}


def _getter(key: str) -> Callable[[Outlet], Any]:
    return _GETTERS.get(key) or (lambda o: getattr(o, key))


def export_columns() -> list[tuple[Any, Callable[[Outlet], Any]]]:
    from ssc.registry.imports import COLUMNS

    return [(c.header, _getter(c.key)) for c in COLUMNS]


def export_headers() -> list[Any]:
    return [h for h, _get in export_columns()]


def export_rows(outlets: Iterable[Outlet]) -> Iterator[list[Any]]:
    getters = [get for _h, get in export_columns()]
    for o in outlets:
        yield [get(o) for get in getters]
