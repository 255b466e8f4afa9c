"""Writing the audit trail. Every change in every service goes through ``record``."""

from __future__ import annotations

import json
import threading
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from ssc.core import context

from .chain import canonical_time, event_hash, sm3_hex
from .models import AuditChainHead, AuditEvent


class _AuditJSONEncoder(DjangoJSONEncoder):
    """Django's encoder (dates, decimals, UUIDs, lazy strings) plus what snapshots may hold."""

    def default(self, o: Any) -> Any:
        if isinstance(o, set | frozenset):
            return sorted(o, key=str)
        if isinstance(o, FieldFile):
            return o.name or ""
        if isinstance(o, models.Model):
            return o.pk
        if isinstance(o, bytes):
            return o.hex()
        return super().default(o)


_encoder = _AuditJSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)

# Fields whose values never enter the trail; a short fingerprint shows that they changed.
SENSITIVE_FIELDS = frozenset({"password", "key_digest"})

# C0 control characters (U+0000–U+001F, U+007F) become spaces in the plain text fields: U+001F separates
# the fields of the hashed text (see ``chain``), and the others have no place in a name or an action.
_CONTROL = dict.fromkeys((*range(32), 127), " ")

# Column widths of ``AuditEvent``: longer values are cut, so an event is never refused for its length.
_MAX = {f.name: f.max_length for f in AuditEvent._meta.concrete_fields if getattr(f, "max_length", None)}


def canonical_json(value: Any) -> str:
    if value is None:
        return ""
    return _encoder.encode(value)


def _fingerprint(value: Any) -> str:
    return f"sm3:{sm3_hex(str(value).encode())[:8]}" if value else ""


def snapshot(obj: models.Model, fields: list[str] | None = None, *, m2m: bool = False) -> dict[str, Any]:
    """The concrete field values of ``obj`` (foreign keys as ids), for before/after.

    ``m2m=True`` adds many-to-many fields as sorted lists of ids (needs a saved object). Secrets
    (``SENSITIVE_FIELDS``) appear only as a fingerprint, so a change shows without revealing the value.
    """
    data: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if not f.editable and f.name not in ("version", "status"):
            continue
        value = f.value_from_object(obj)
        data[f.attname] = _fingerprint(value) if f.name in SENSITIVE_FIELDS else value
    if m2m and obj.pk is not None:
        for f in obj._meta.many_to_many:
            if fields is not None and f.name not in fields:
                continue
            data[f.name] = sorted(getattr(obj, f.name).values_list("pk", flat=True))
    return data


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[dict | None, dict | None]:
    """Keep only the keys that changed (both sides), so the trail stays readable."""
    if before is None or after is None:
        return before, after
    keys = [k for k in after if before.get(k) != after.get(k)] + [k for k in before if k not in after]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def _text(name: str, value: Any) -> str:
    text = str(value) if value is not None else ""
    return text.translate(_CONTROL)[: _MAX.get(name, 200)]


def record(
    *,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: Any = "",
    object_repr: str = "",
    before: Any = None,
    after: Any = None,
    article: str = "",
    actor: Any = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction (it commits or rolls back with it).

    Appends serialise on the chain head row (locked first), so concurrent transactions never fork the
    chain: each event's ``prev_hash`` is the hash of the event with the previous ``seq``.
    """
    ctx = context.current()
    actor = actor if actor is not None else ctx.actor
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id if object_id not in ("", None) else obj.pk
        object_repr = object_repr or str(obj)
    org = getattr(actor, "organisation", None) if actor is not None else None
    actor_id = getattr(actor, "pk", None)
    org_id = getattr(org, "pk", None)
    fields = {
        "at": timezone.now(),
        "actor_id": actor_id if isinstance(actor_id, int) else None,
        "actor_username": _text("actor_username", getattr(actor, "username", "")),
        "actor_role": _text("actor_role", getattr(actor, "role", "")),
        "organisation_id": org_id if isinstance(org_id, int) else None,
        "organisation_name": _text("organisation_name", getattr(org, "name", "")),
        "action": _text("action", action),
        "object_type": _text("object_type", object_type),
        "object_id": _text("object_id", object_id),
        "object_repr": _text("object_repr", object_repr),
        "before_json": canonical_json(before),
        "after_json": canonical_json(after),
        "article": _text("article", article),
        "request_id": _text("request_id", ctx.request_id),
        "client_ip": _text("client_ip", ctx.client_ip),
        "source": _text("source", ctx.source),
    }
    with transaction.atomic(savepoint=False):
        event = _append(fields)
    return event


# --- the append itself: three plain statements, not the ORM (PERFORMANCE.md P3) ---------------------------------
#
# Every workflow action appends one to three events, so the append is on the hot path: it runs as plain SQL
# (lock/read the head, insert the event, move the head), which costs a fraction of building the same three
# statements through the ORM. Within one transaction the head just written is remembered, so a second append
# skips the read: the head row stays locked (PostgreSQL ``FOR UPDATE``; SQLite's write lock) until the
# transaction ends. The memory is only trusted while a marker registered with ``on_commit`` at the time of the
# write is still pending — Django drops it when the transaction commits or rolls back and when the savepoint it
# was registered in rolls back, so a rolled-back append is never chained onto.

_EVENT_COLUMNS = [
    f.name for f in AuditEvent._meta.concrete_fields if f.name != "id"
]  # seq, at, actor_id, ..., prev_hash, hash (model order)
_sql_cache: dict[str, tuple[str, str, str, bool]] = {}
_local = threading.local()  # .head: alias → (marker, seq, hash); per thread, like Django's connections


def _head_memory() -> dict[str, tuple[Any, int, str]]:
    memory = getattr(_local, "head", None)
    if memory is None:
        memory = _local.head = {}
    return memory


def _column(name: str) -> str:
    field = AuditEvent._meta.get_field(name)
    assert isinstance(field, models.Field)  # a concrete column, not a relation's reverse side
    return field.column


def _sql(connection: Any) -> tuple[str, str, str, bool]:
    key = connection.vendor
    if key not in _sql_cache:
        q = connection.ops.quote_name
        head, table = q(AuditChainHead._meta.db_table), q(AuditEvent._meta.db_table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        # Identifiers come from the model's metadata; every value is a bound parameter.
        select = f"SELECT {q('seq')}, {q('hash')} FROM {head} WHERE {q('id')} = 1{lock}"  # noqa: S608
        cols = ", ".join(q(_column(n)) for n in _EVENT_COLUMNS)
        marks = ", ".join(["%s"] * len(_EVENT_COLUMNS))
        returning = bool(connection.features.can_return_columns_from_insert)
        insert = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608
        if returning:
            insert += f" RETURNING {q('id')}"
        update = f"UPDATE {head} SET {q('seq')} = %s, {q('hash')} = %s WHERE {q('id')} = 1"  # noqa: S608
        _sql_cache[key] = (select, insert, update, returning)
    return _sql_cache[key]


def _remembered_head(connection: Any) -> tuple[int, str] | None:
    memory = _head_memory().get(connection.alias)
    if memory is None or not connection.in_atomic_block:
        return None
    marker, seq, h = memory
    if any(entry[1] is marker for entry in connection.run_on_commit):
        return seq, h
    return None


def _remember_head(connection: Any, seq: int, h: str) -> None:
    memory = _head_memory()

    def marker() -> None:  # runs (and is forgotten) at commit; dropped with its savepoint on rollback
        if memory.get(connection.alias, (None,))[0] is marker:
            memory.pop(connection.alias, None)

    connection.on_commit(marker)
    memory[connection.alias] = (marker, seq, h)


def _append(fields: dict[str, Any]) -> AuditEvent:
    connection = transaction.get_connection()
    select, insert, update, returning = _sql(connection)
    with connection.cursor() as cur:
        head = _remembered_head(connection)
        if head is None:
            cur.execute(select)
            row = cur.fetchone()
            if row is None:  # a freshly flushed database (tests); migration 0002 creates the row
                AuditChainHead.objects.get_or_create(pk=1)
                cur.execute(select)
                row = cur.fetchone()
            head = (int(row[0]), row[1])
        prev_seq, prev_hash = head
        seq = prev_seq + 1
        values = [seq, canonical_time(fields["at"]), *list(fields.values())[1:]]
        h = event_hash(prev_hash, values)
        row_values = {**fields, "seq": seq, "prev_hash": prev_hash, "hash": h}
        params = [
            connection.ops.adapt_datetimefield_value(row_values[n]) if n == "at" else row_values[n]
            for n in _EVENT_COLUMNS
        ]
        cur.execute(insert, params)
        pk = cur.fetchone()[0] if returning else cur.lastrowid
        cur.execute(update, [seq, h])
    _remember_head(connection, seq, h)
    event = AuditEvent(id=pk, **row_values)
    event._state.adding = False
    event._state.db = connection.alias
    return event


def record_read(*, obj: models.Model, what: str, article: str = "") -> AuditEvent:
    """A read of personal data (e.g. an unmasked caller number) is recorded like a change."""
    return record(action=f"{obj._meta.model_name}.read_personal_data", obj=obj, after={"field": what}, article=article)


def json_loads(text: str) -> Any:
    return json.loads(text) if text else None
