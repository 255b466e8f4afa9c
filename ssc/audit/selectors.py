"""Reading the audit trail: the one filter both the pages and the API use."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from .models import AuditEvent


def day_start(d: date) -> datetime:
    """Midnight at the start of ``d`` in the platform's time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.combine(d, time.min))


def events_for(user: Any) -> QuerySet[AuditEvent]:
    """The events ``user`` may read: every event for the audit administrator and regulators, else none."""
    return AuditEvent.objects.restrict(user, "view")


def events_filter(qs: QuerySet[AuditEvent], params: dict[str, Any]) -> QuerySet[AuditEvent]:
    """Apply validated filter parameters (all optional):

    ``action``, ``object_type``, ``object_id``, ``article``, ``request_id`` — exact match;
    ``actor`` — the actor's user id (digits) or username; ``from`` / ``to`` — dates, inclusive, local
    time; ``q`` — text contained in the object's name (``object_repr``).
    """
    for key in ("action", "object_type", "object_id", "article", "request_id"):
        value = params.get(key)
        if value not in (None, ""):
            qs = qs.filter(**{key: value})
    actor = params.get("actor")
    if actor not in (None, ""):
        actor = str(actor).strip()
        is_id = actor.isascii() and actor.isdigit() and len(actor) <= 18
        qs = qs.filter(actor_id=int(actor)) if is_id else qs.filter(actor_username=actor)
    if params.get("from"):
        qs = qs.filter(at__gte=day_start(params["from"]))
    if params.get("to"):
        qs = qs.filter(at__lt=day_start(params["to"] + timedelta(days=1)))
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(object_repr__icontains=q)
    return qs


def decoded_sides(event: AuditEvent) -> list[dict[str, Any]]:
    """Before and after side by side: one row per key (for dicts), changed keys marked.

    Values that are not both dicts (a list, a number, one side missing) give one row with the whole
    values. Used by the detail page.
    """
    before, after = event.before, event.after
    if isinstance(before, dict) or isinstance(after, dict):
        b = before if isinstance(before, dict) else {}
        a = after if isinstance(after, dict) else {}
        keys = list(dict.fromkeys([*b.keys(), *a.keys()]))
        return [
            {
                "key": k,
                "before": b.get(k),
                "after": a.get(k),
                "in_before": k in b,
                "in_after": k in a,
                "changed": (k in b) != (k in a) or b.get(k) != a.get(k),
            }
            for k in keys
        ]
    if before is None and after is None:
        return []
    return [
        {
            "key": "",
            "before": before,
            "after": after,
            "in_before": before is not None,
            "in_after": after is not None,
            "changed": before != after,
        }
    ]
