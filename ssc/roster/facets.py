"""Facet counts of the visible roster entries (名单分面计数), kept by triggers (roster migration 0005).

``roster_entry_facet`` holds, per ``(service, district_id, bank_id, instant_issuance)``, how many visible entries
have that district, bank and flag — ``service = ''`` for all of them, otherwise those offering that card service.
The public directory counts a search without text terms from it (:func:`count`) instead of reading every
matching entry.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import connection

from .models import RosterEntry

TABLE = "roster_entry_facet"


def equal_to(**columns: Any) -> tuple[list[str], list[Any]]:
    """``(["column = %s", …], [value, …])`` for the columns whose value is not None (a hand-written WHERE)."""
    given = {c: v for c, v in columns.items() if v is not None}
    return [f"{c} = %s" for c in given], list(given.values())


def count(
    *, district: int | None = None, bank: int | None = None, service: str | None = None, instant: bool | None = None
) -> int:
    """The number of visible entries with these (optional) district, bank, card service and instant-issuance
    flag — the same number as ``COUNT(*)`` over the entries with those filters (:func:`check` proves it)."""
    where, params = equal_to(service=service or "", district_id=district, bank_id=bank, instant_issuance=instant)
    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(SUM(n), 0) FROM {TABLE} WHERE {' AND '.join(where)}", params)  # noqa: S608
        return int(cur.fetchone()[0])


def stored() -> Counter[tuple[Any, ...]]:
    """The stored counts, without zero rows, as ``{(service, district, bank, instant): n}``."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT service, district_id, bank_id, instant_issuance, n FROM {TABLE} WHERE n <> 0")  # noqa: S608
        return Counter({(s, d, b, bool(i)): n for s, d, b, i, n in cur.fetchall()})


def recomputed() -> Counter[tuple[Any, ...]]:
    """The counts recomputed from the visible entries in Python."""
    out: Counter[tuple[Any, ...]] = Counter()
    rows = RosterEntry.objects.filter(hidden=False).values_list(
        "district_id", "bank_id", "instant_issuance", "services"
    )
    for district, bank, instant, services in rows.iterator():
        for service in {"", *(s for s in services.split("|") if s)}:
            out[(service, district, bank, bool(instant))] += 1
    return out


def check() -> None:
    """Raise ``AssertionError`` naming the differences when the stored counts are not the recomputed ones."""
    have, want = stored(), recomputed()
    if have != want:
        diff = {k: (have.get(k, 0), want.get(k, 0)) for k in set(have) | set(want) if have.get(k, 0) != want.get(k, 0)}
        raise AssertionError(f"roster facet counts out of step (stored, recomputed): {dict(sorted(diff.items()))}")
