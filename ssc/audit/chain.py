"""The SM3 hash chain: how one event's hash is computed, and how a whole chain is verified.

The hashed text (the *preimage*) of an event is::

    prev_hash + "\\x1f".join(field texts, in HASHED_FIELDS order)

where a field's text is: integers in decimal, ``NULL`` as the empty string, ``at`` as the number of
microseconds since 1970-01-01T00:00:00Z in decimal, every other field as stored. No
field may contain U+001F (the separator): ``record`` removes control characters from the plain text
fields, and ``before_json``/``after_json`` are JSON, which escapes them. So the preimage has exactly
``len(HASHED_FIELDS) - 1`` separators and splits back into the fields unambiguously; a row whose
fields contain the separator was written by someone else and is reported as edited.

``hash = SM3(preimage encoded as UTF-8)`` (GB/T 32905), as 64 lower-case hex digits. The first event's
``prev_hash`` is 64 zeros. The encoding is deliberately simple so that an external verifier (another
language, another team) can recompute the chain from a plain export, and cheap so that verifying a
million events costs little more than reading them (PERFORMANCE.md P6).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

try:  # OpenSSL's SM3 through hashlib where the build has it (fast, C)
    _SM3 = hashlib.new("sm3")

    def sm3_hex(data: bytes) -> str:
        h = _SM3.copy()
        h.update(data)
        return h.hexdigest()

except ValueError:  # pragma: no cover - depends on the OpenSSL build
    from cryptography.hazmat.primitives import hashes

    def sm3_hex(data: bytes) -> str:
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize().hex()


GENESIS_HASH = "0" * 64


def gettext_noop(message: str) -> str:
    """Marks a msgid for makemessages; this module stays free of Django settings (the benchmark imports it)."""
    return message


SEP = "\x1f"

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
# The columns a verifier reads, in this order: seq, prev_hash, hash, then the rest of HASHED_FIELDS.
VERIFY_COLUMNS = ("seq", "prev_hash", "hash", *HASHED_FIELDS[1:])
_SEPARATORS = len(HASHED_FIELDS) - 1
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def canonical_time(at: datetime) -> str:
    """``at`` (aware) as microseconds since the Unix epoch, e.g. ``1740360600000000`` for 2025-02-24 01:30Z.

    Exact (integer arithmetic on ``timedelta``), independent of the time zone the database hands back,
    and far cheaper than formatting a date string a million times.
    """
    return str((at - EPOCH) // MICROSECOND)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def preimage(prev_hash: str, values: Iterable[Any]) -> str:
    """``values`` in ``HASHED_FIELDS`` order, ``at`` already canonical (see ``canonical_time``)."""
    return prev_hash + SEP.join(map(_text, values))


def event_hash(prev_hash: str, values: Iterable[Any]) -> str:
    """``values`` in ``HASHED_FIELDS`` order, ``at`` already canonical."""
    return sm3_hex(preimage(prev_hash, values).encode())


# Why a link is broken: code → (Chinese, English). The Chinese text is the msgid that pages and the API
# translate; the command prints both.
REASONS: dict[str, tuple[str, str]] = {
    "missing": (
        gettext_noop("缺少事件：应为第 %(expected)s 号，实际为第 %(found)s 号（中间的事件被删除）"),
        "missing event(s): expected seq %(expected)s, found %(found)s (deleted in the middle)",
    ),
    "prev_hash": (
        gettext_noop("前一哈希与上一事件的哈希不符（链被改接）"),
        "prev_hash does not match the previous event's hash (chain re-linked)",
    ),
    "edited": (
        gettext_noop("内容与其哈希不符（事件被篡改）"),
        "content does not match its hash (event edited)",
    ),
    "head": (
        gettext_noop("链头记录共 %(head)s 个事件，实际只找到 %(found)s 个（末尾的事件被删除）"),
        "chain head says %(head)s events, found %(found)s (deleted at the end)",
    ),
    "head_hash": (
        gettext_noop("链头哈希与最后一个事件的哈希不符"),
        "chain head hash does not match the last event's hash",
    ),
    "beyond_head": (
        gettext_noop("链头记录共 %(head)s 个事件，却存在第 %(found)s 号事件（链头被回退）"),
        "chain head says %(head)s events, but event %(found)s exists (head moved back)",
    ),
    "start": (
        gettext_noop("起始序号之前的第 %(seq)s 号事件不存在"),
        "event %(seq)s before the starting seq does not exist",
    ),
}


@dataclass(frozen=True)
class Break:
    """The first broken link of a chain."""

    seq: int
    code: str
    params: tuple[tuple[str, Any], ...] = ()

    def _fmt(self, template: str) -> str:
        return template % dict(self.params) if self.params else template

    @property
    def reason_zh(self) -> str:
        return self._fmt(REASONS[self.code][0])

    @property
    def reason_en(self) -> str:
        return self._fmt(REASONS[self.code][1])

    @property
    def reason(self) -> str:
        """In the active language (the Chinese msgid, translated)."""
        from django.utils.translation import gettext

        return self._fmt(gettext(REASONS[self.code][0]))


def verify_rows(
    rows: Iterator[tuple[Any, ...]],
    head: tuple[int, str] | None,
    *,
    start_seq: int = 1,
    start_prev: str = GENESIS_HASH,
) -> tuple[int, Break | None]:
    """Check rows of ``VERIFY_COLUMNS`` in ``seq`` order, starting at ``start_seq``.

    ``head`` is the chain head ``(seq, hash)``: the rows must end exactly there (a deleted last event
    is caught here). Returns the number of rows verified and the first broken link (or ``None``).
    The loop is written out by hand: it runs once per event, a million times for P6.
    """
    expected_prev = start_prev
    expected_seq = start_seq
    n = 0
    new_hash = _SM3.copy
    seps = _SEPARATORS
    epoch = EPOCH
    us = MICROSECOND
    for (
        seq,
        prev_hash,
        stored_hash,
        at,
        actor_id,
        actor_username,
        actor_role,
        organisation_id,
        organisation_name,
        action,
        object_type,
        object_id,
        object_repr,
        before_json,
        after_json,
        article,
        request_id,
        client_ip,
        source,
    ) in rows:
        if seq != expected_seq:
            return n, Break(expected_seq, "missing", (("expected", expected_seq), ("found", seq)))
        if prev_hash != expected_prev:
            return n, Break(seq, "prev_hash")
        text = (
            f"{prev_hash}{seq}\x1f{(at - epoch) // us}\x1f{'' if actor_id is None else actor_id}\x1f"
            f"{actor_username}\x1f{actor_role}\x1f{'' if organisation_id is None else organisation_id}\x1f"
            f"{organisation_name}\x1f{action}\x1f{object_type}\x1f{object_id}\x1f{object_repr}\x1f"
            f"{before_json}\x1f{after_json}\x1f{article}\x1f{request_id}\x1f{client_ip}\x1f{source}"
        )
        h = new_hash()
        h.update(text.encode())
        if h.hexdigest() != stored_hash or text.count(SEP) != seps:
            return n, Break(seq, "edited")
        expected_prev = stored_hash
        expected_seq = seq + 1
        n += 1
    if head is not None:
        head_seq, head_hash = head
        last = expected_seq - 1
        if head_seq > last:
            return n, Break(last + 1, "head", (("head", head_seq), ("found", last)))
        if head_seq == last and head_seq >= start_seq and head_hash != expected_prev:
            return n, Break(last, "head_hash")
    return n, None
