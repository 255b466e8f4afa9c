"""The SM3 hash chain: how one event's hash is computed, and how a whole chain is verified."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

try:  # OpenSSL's SM3 through hashlib where the build has it (fast, C)
    hashlib.new("sm3")

    def sm3_hex(data: bytes) -> str:
        return hashlib.new("sm3", data).hexdigest()

except ValueError:  # pragma: no cover - depends on the OpenSSL build
    from cryptography.hazmat.primitives import hashes

    def sm3_hex(data: bytes) -> str:
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize().hex()


# The order of the fields that enter the hash. Changing it invalidates every existing chain.
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "actor_role",
    "organisation_id",
    "organisation_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before_json",
    "after_json",
    "article",
    "request_id",
    "client_ip",
    "source",
)

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def canonical_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(prev_hash: str, values: Iterable[Any]) -> str:
    """``values`` in ``HASHED_FIELDS`` order, ``at`` already canonical."""
    return sm3_hex((prev_hash + _dumps(list(values))).encode())


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str


def verify_rows(rows: Iterator[tuple[Any, ...]], head: tuple[int, str] | None) -> tuple[int, Break | None]:
    """Check rows ``(seq, prev_hash, hash, *HASHED_FIELDS[1:])`` in ``seq`` order.

    Returns the number of rows checked and the first broken link (or ``None``).
    """
    expected_prev = "0" * 64
    expected_seq = 1
    n = 0
    for row in rows:
        seq, prev_hash, stored_hash, at, *rest = row
        n += 1
        if seq != expected_seq:
            return n, Break(expected_seq, f"missing event(s): expected seq {expected_seq}, found {seq}")
        if prev_hash != expected_prev:
            return n, Break(seq, "prev_hash does not match the previous event's hash")
        computed = event_hash(prev_hash, (seq, canonical_time(at), *rest))
        if computed != stored_hash:
            return n, Break(seq, "content does not match its hash (edited)")
        expected_prev = stored_hash
        expected_seq = seq + 1
    if head is not None:
        head_seq, head_hash = head
        if head_seq != expected_seq - 1 or (head_seq and head_hash != expected_prev):
            return n, Break(
                expected_seq if head_seq >= expected_seq else head_seq,
                f"chain head says {head_seq} events, found {expected_seq - 1} (deleted at the end)",
            )
    return n, None
