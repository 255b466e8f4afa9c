"""Verifying the stored chain: stream every event in ``seq`` order and recompute its hash.

Used by ``manage.py verify_audit``, the audit page's "verify" button, ``GET /api/v1/audit_events/verify/``
and ``bench/p6_audit.py`` (which times ``chain_rows`` alone as the floor).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .chain import GENESIS_HASH, VERIFY_COLUMNS, Break, verify_rows
from .models import AuditChainHead, AuditEvent

CHUNK_SIZE = 5000


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken: Break | None
    from_seq: int
    head_seq: int
    head_hash: str

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


def chain_rows(from_seq: int, to_seq: int, chunk_size: int = CHUNK_SIZE) -> Iterator[tuple[Any, ...]]:
    """Events ``from_seq..to_seq`` as ``VERIFY_COLUMNS`` tuples in ``seq`` order, streamed in chunks."""
    qs = AuditEvent.objects.order_by("seq").filter(seq__lte=to_seq)
    if from_seq > 1:
        qs = qs.filter(seq__gte=from_seq)
    return qs.values_list(*VERIFY_COLUMNS).iterator(chunk_size=chunk_size)


def verify_chain(*, from_seq: int | None = None, chunk_size: int = CHUNK_SIZE) -> VerifyResult:
    """Verify the chain from ``from_seq`` (default: the first event) to the chain head.

    The head is read first and only events up to it are checked, so appends committed meanwhile do not
    disturb the run. Afterwards, an event *beyond* the head means the head was rolled back.
    """
    head_seq, head_hash = read_head()
    start = max(int(from_seq or 1), 1)

    def result(checked: int, broken: Break | None) -> VerifyResult:
        return VerifyResult(broken is None, checked, broken, start, head_seq, head_hash)

    start_prev = GENESIS_HASH
    if 1 < start <= head_seq:
        prev = AuditEvent.objects.filter(seq=start - 1).values_list("hash", flat=True).first()
        if prev is None:
            return result(0, Break(start - 1, "start", (("seq", start - 1),)))
        start_prev = prev
    checked, broken = verify_rows(
        chain_rows(start, head_seq, chunk_size),
        (head_seq, head_hash) if start <= head_seq else None,
        start_seq=start,
        start_prev=start_prev,
    )
    if broken is None:
        # Read the highest seq before the head again: an event commits together with its head update,
        # so a committed event beyond the head can only be there if the head was moved back.
        last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        now_head = read_head()[0]
        if last > now_head:
            broken = Break(now_head + 1, "beyond_head", (("head", now_head), ("found", last)))
    return result(checked, broken)
