"""Publishing the roster (更新合作银行网点名单): each change is a new version with its diff."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from ssc.audit import services as audit
from ssc.registry.choices import PUBLIC_STATUSES
from ssc.registry.models import Outlet

from .models import ChangeKind, RosterChange, RosterEntry, RosterVersion

_LOCK_KEY = zlib.crc32(b"ssc.roster.publish")


def public_data(outlet: Outlet) -> dict[str, Any]:
    """What the roster publishes about an outlet (Art 7(5), 10): no internal fields."""
    services = sorted(outlet.services.all(), key=lambda s: (s.sort_order, s.code))
    return {
        "id": outlet.pk,
        "code": outlet.code,
        "name": outlet.name,
        "bank": {
            "id": outlet.bank_id,
            "name": outlet.bank.name,
            "short_name": outlet.bank.short_name,
            "hotline": outlet.bank.hotline,
        },
        "district": {"id": outlet.district_id, "code": outlet.district.code, "name": outlet.district.name},
        "address": outlet.address,
        "latitude": outlet.latitude,
        "longitude": outlet.longitude,
        "weekday_hours": outlet.weekday_hours,
        "weekend_hours": outlet.weekend_hours,
        "hours_note": outlet.hours_note,
        "services": [{"code": s.code, "name": s.name} for s in services],
        "instant_issuance": outlet.instant_issuance,
        "consultation_phone": outlet.consultation_phone,
        "complaint_phone": outlet.complaint_phone,
    }


def _entry_fields(outlet: Outlet, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "data": data,
        "name": outlet.name,
        "address": outlet.address,
        "name_initials": outlet.name_initials,
        "name_pinyin": outlet.name_pinyin,
        "district_id": outlet.district_id,
        "bank_id": outlet.bank_id,
        "instant_issuance": outlet.instant_issuance,
        "services": "|" + "|".join(s["code"] for s in data["services"]) + "|",
        "latitude": outlet.latitude,
        "longitude": outlet.longitude,
    }


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def latest() -> RosterVersion | None:
    return RosterVersion.objects.order_by("-number").first()


@transaction.atomic
def publish(*, outlet_ids: Iterable[int], actor: Any, reason: str = "") -> RosterVersion | None:
    """Bring the roster up to date for ``outlet_ids`` and publish a new version with the differences:
    an outlet in a public status is added or changed, any other is removed. Returns None if nothing changed."""
    _lock()
    outlets = list(
        Outlet.objects.filter(pk__in=list(outlet_ids)).select_related("bank", "district").prefetch_related("services")
    )
    entries = {e.outlet_id: e for e in RosterEntry.objects.select_for_update().filter(outlet__in=outlets)}
    number = (RosterVersion.objects.aggregate(m=Max("number"))["m"] or 0) + 1
    changes: list[tuple[Outlet, str, Any, Any]] = []
    for outlet in outlets:
        entry = entries.get(outlet.pk)
        listed = outlet.status in PUBLIC_STATUSES
        if listed:
            data = public_data(outlet)
            if entry is None:
                changes.append((outlet, ChangeKind.ADDED, None, data))
            elif entry.data != data or entry.hidden:
                changes.append((outlet, ChangeKind.CHANGED, entry.data, data))
        elif entry is not None:
            changes.append((outlet, ChangeKind.REMOVED, entry.data, None))
    if not changes:
        return None
    version = RosterVersion.objects.create(
        number=number,
        published_at=timezone.now(),
        published_by=actor if getattr(actor, "pk", None) else None,
        reason=reason[:200],
        added_count=sum(1 for c in changes if c[1] == ChangeKind.ADDED),
        changed_count=sum(1 for c in changes if c[1] == ChangeKind.CHANGED),
        removed_count=sum(1 for c in changes if c[1] == ChangeKind.REMOVED),
    )
    RosterChange.objects.bulk_create(
        [RosterChange(version=version, outlet=o, kind=k, before=b, after=a) for o, k, b, a in changes]
    )
    for outlet, kind, _before, after in changes:
        if kind == ChangeKind.REMOVED:
            RosterEntry.objects.filter(outlet=outlet).delete()
        elif kind == ChangeKind.ADDED:
            RosterEntry.objects.create(
                outlet=outlet, since_version=number, updated_version=number, **_entry_fields(outlet, after)
            )
        else:
            RosterEntry.objects.filter(outlet=outlet).update(
                updated_version=number, hidden=False, **_entry_fields(outlet, after)
            )
    version.total = RosterEntry.objects.count()
    version.save(update_fields=["total"])
    audit.record(
        action="roster.publish",
        obj=version,
        after={
            "number": number,
            "added": version.added_count,
            "changed": version.changed_count,
            "removed": version.removed_count,
            "reason": version.reason,
            "outlets": [o.pk for o, *_ in changes][:200],
        },
        actor=actor,
    )
    from ssc.roster import signals

    transaction.on_commit(lambda: signals.roster_published.send(sender=RosterVersion, version=version))
    return version


def hide(*, outlet: Outlet, actor: Any, reason: str = "") -> bool:
    """Take an outlet out of the public view at once (termination filed), until the next version drops it."""
    _lock()  # as publish: the facet counts' triggers then update their rows in one order at a time
    n = RosterEntry.objects.filter(outlet=outlet, hidden=False).update(hidden=True)
    if n:
        audit.record(action="roster.hide", obj=outlet, after={"hidden": True, "reason": reason}, actor=actor)
        from ssc.roster import signals

        transaction.on_commit(lambda: signals.roster_published.send(sender=RosterEntry, version=None))
    return bool(n)
