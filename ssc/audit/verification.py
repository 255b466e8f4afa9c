"""Verifying the stored chain: stream every event in ``seq`` order and recompute its hash.

Used by ``manage.py verify_audit``, the audit page's "verify" button, ``GET /api/v1/audit_events/verify/``
and ``bench/p6_audit.py`` (which times ``chain_rows`` alone as the floor).

A long chain may be split into contiguous ``seq`` ranges verified by worker processes at once (the
command does so for large chains): each range is checked against the stored hash of the event just before
it, and that event is itself checked by the previous range, so the links between ranges are verified too.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections, transaction

from .chain import GENESIS_HASH, VERIFY_COLUMNS, Break, verify_rows
from .models import AuditChainHead, AuditEvent

CHUNK_SIZE = 5000
# Below this many events one process is quicker than starting workers.
PARALLEL_MIN_EVENTS = 200_000
MAX_WORKERS = 4
MIN_EVENTS_PER_WORKER = 1000


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken: Break | None
    from_seq: int
    head_seq: int
    head_hash: str
    workers: int = 1

    @property
    def broken_at(self) -> int | None:
        return self.broken.seq if self.broken else None

    def as_dict(self) -> dict[str, Any]:
        """The API's shape (``reason`` in the active language)."""
        return {
            "ok": self.ok,
            "checked": self.checked,
            "broken_at": self.broken_at,
            "reason": self.broken.reason if self.broken else None,
            "code": self.broken.code if self.broken else None,
            "from_seq": self.from_seq,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
        }


def read_head() -> tuple[int, str]:
    row = AuditChainHead.objects.filter(pk=1).values_list("seq", "hash").first()
    return (row[0], row[1]) if row else (0, GENESIS_HASH)


def reading() -> contextlib.AbstractContextManager[Any]:
    """Where to stream the chain from. PostgreSQL: inside a transaction, so the server-side cursor
    streams (outside one Django declares it WITH HOLD, and PostgreSQL materialises the whole result
    first). SQLite: as is — a BEGIN IMMEDIATE would block every writer for the whole run, while the
    open read statement already sees one snapshot (WAL)."""
    return transaction.atomic() if connection.vendor == "postgresql" else contextlib.nullcontext()


def chain_rows(from_seq: int, to_seq: int, chunk_size: int = CHUNK_SIZE) -> Iterator[tuple[Any, ...]]:
    """Events ``from_seq..to_seq`` as ``VERIFY_COLUMNS`` tuples in ``seq`` order, streamed in chunks."""
    qs = AuditEvent.objects.order_by("seq").filter(seq__lte=to_seq)
    if from_seq > 1:
        qs = qs.filter(seq__gte=from_seq)
    return qs.values_list(*VERIFY_COLUMNS).iterator(chunk_size=chunk_size)


def verify_range(
    start: int, end: int, head: tuple[int, str] | None, chunk_size: int = CHUNK_SIZE, *, first: bool = True
) -> tuple[int, Break | None]:
    """Verify events ``start..end``. ``head`` (for the range that ends the chain) also checks the head;
    without it the range must simply reach ``end``. ``first``: the caller's starting point, so a missing
    event before it is reported as a bad start rather than as a hole."""
    start_prev = GENESIS_HASH
    if start > 1:
        prev = AuditEvent.objects.filter(seq=start - 1).values_list("hash", flat=True).first()
        if prev is None:
            if first:
                return 0, Break(start - 1, "start", (("seq", start - 1),))
            return 0, Break(start - 1, "missing", (("expected", start - 1), ("found", start)))
        start_prev = prev
    with reading():
        checked, broken = verify_rows(chain_rows(start, end, chunk_size), head, start_seq=start, start_prev=start_prev)
    if broken is None and head is None and start + checked - 1 < end:
        last = start + checked - 1
        found = AuditEvent.objects.filter(seq__gt=last).order_by("seq").values_list("seq", flat=True).first()
        broken = Break(last + 1, "missing", (("expected", last + 1), ("found", found)))
    return checked, broken


def _worker(args: tuple[int, int, tuple[int, str] | None, int]) -> tuple[int, Break | None]:
    start, end, head, chunk_size = args
    try:
        return verify_range(start, end, head, chunk_size, first=False)
    finally:
        connections.close_all()


def auto_workers(events: int) -> int:
    """Worker processes worth starting for ``events`` events (1 inside a transaction: workers could not
    see its uncommitted rows)."""
    if events < PARALLEL_MIN_EVENTS or connection.in_atomic_block:
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def verify_chain(*, from_seq: int | None = None, chunk_size: int = CHUNK_SIZE, workers: int = 1) -> VerifyResult:
    """Verify the chain from ``from_seq`` (default: the first event) to the chain head.

    The head is read first and only events up to it are checked, so appends committed meanwhile do not
    disturb the run. Afterwards, an event *beyond* the head means the head was moved back.
    ``workers`` > 1 splits the range over that many processes (0: ``auto_workers``).
    """
    head_seq, head_hash = read_head()
    start = max(int(from_seq or 1), 1)
    total = max(head_seq - start + 1, 0)
    if workers == 0:
        workers = auto_workers(total)
    workers = max(1, min(workers, total // MIN_EVENTS_PER_WORKER or 1))
    if connection.in_atomic_block:
        workers = 1
    head = (head_seq, head_hash)
    if total == 0:
        checked, broken = 0, None
    elif workers == 1:
        checked, broken = verify_range(start, head_seq, head, chunk_size)
        workers = 1
    else:
        checked, broken = _verify_parallel(start, head_seq, head, chunk_size, workers)
    if broken is None:
        # Read the highest seq before the head again: an event commits together with its head update,
        # so a committed event beyond the head can only be there if the head was moved back.
        last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        now_head = read_head()[0]
        if last > now_head:
            broken = Break(now_head + 1, "beyond_head", (("head", now_head), ("found", last)))
    return VerifyResult(broken is None, checked, broken, start, head_seq, head_hash, workers)


def _verify_parallel(
    start: int, end: int, head: tuple[int, str], chunk_size: int, workers: int
) -> tuple[int, Break | None]:
    size = (end - start + 1 + workers - 1) // workers
    ranges = [(a, min(a + size - 1, end)) for a in range(start, end + 1, size)]
    if start > 1:  # the caller's starting point: a missing event before it is a bad start
        prev_missing = not AuditEvent.objects.filter(seq=start - 1).exists()
        if prev_missing:
            return 0, Break(start - 1, "start", (("seq", start - 1),))
    jobs = [(a, b, head if b == end else None, chunk_size) for a, b in ranges]
    connections.close_all()  # each forked worker opens its own connection
    with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
        results = pool.map(_worker, jobs)
    checked = 0
    for n, broken in results:  # ranges in seq order: the first break is the first broken link
        checked += n
        if broken is not None:
            return checked, broken
    return checked, None
