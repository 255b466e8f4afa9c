"""Writing the audit trail. Every change in every service goes through ``record``."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from ssc.core import context

from .chain import canonical_time, event_hash
from .models import AuditChainHead, AuditEvent

_encoder = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def canonical_json(value: Any) -> str:
    if value is None:
        return ""
    return _encoder.encode(value)


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` (foreign keys as ids), for before/after."""
    data: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if not f.editable and f.name not in ("version", "status"):
            continue
        data[f.attname] = f.value_from_object(obj)
    return data


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[dict | None, dict | None]:
    """Keep only the keys that changed (both sides), so the trail stays readable."""
    if before is None or after is None:
        return before, after
    keys = [k for k in after if before.get(k) != after.get(k)] + [k for k in before if k not in after]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


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
    """Append one event to the chain, inside the caller's transaction (it commits or rolls back with it)."""
    ctx = context.current()
    actor = actor if actor is not None else ctx.actor
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    org = getattr(actor, "organisation", None) if actor is not None else None
    fields = {
        "at": timezone.now(),
        "actor_id": getattr(actor, "pk", None),
        "actor_username": getattr(actor, "username", "") or "",
        "actor_role": getattr(actor, "role", "") or "",
        "organisation_id": getattr(org, "pk", None),
        "organisation_name": (getattr(org, "name", "") or "")[:100],
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id or ""),
        "object_repr": (object_repr or "")[:200],
        "before_json": canonical_json(before),
        "after_json": canonical_json(after),
        "article": article,
        "request_id": ctx.request_id,
        "client_ip": ctx.client_ip,
        "source": ctx.source,
    }
    with transaction.atomic(savepoint=False):
        # The head row is locked first: appends serialise, so two transactions never fork the chain.
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditChainHead.objects.create(pk=1)
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        seq = head.seq + 1
        values = [seq, canonical_time(fields["at"]), *[fields[k] for k in list(fields)[1:]]]
        h = event_hash(head.hash, values)
        event = AuditEvent.objects.create(seq=seq, prev_hash=head.hash, hash=h, **fields)
        AuditChainHead.objects.filter(pk=1).update(seq=seq, hash=h)
    return event


def record_read(*, obj: models.Model, what: str, article: str = "") -> AuditEvent:
    """A read of personal data (e.g. an unmasked caller number) is recorded like a change."""
    return record(action=f"{obj._meta.model_name}.read_personal_data", obj=obj, after={"field": what}, article=article)


def json_loads(text: str) -> Any:
    return json.loads(text) if text else None
