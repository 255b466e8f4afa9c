"""Stored ``Idempotency-Key`` responses are kept ``SSC_IDEMPOTENCY_KEEP_DAYS`` days, then purged by the daily sweep."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from ssc.accounts.choices import Role
from ssc.workflow.api.idempotency import purge
from ssc.workflow.models import IdempotencyRecord


def _record(user, key: str, days_ago: float) -> IdempotencyRecord:
    r = IdempotencyRecord.objects.create(user=user, key=key, method="POST", path="/api/v1/x/", status=201, body={})
    IdempotencyRecord.objects.filter(pk=r.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))
    return r


def test_records_older_than_the_retention_are_purged_by_the_sweep(world, settings):
    user = world.users[Role.DISTRICT_OFFICER]
    _record(user, "fresh", 1)
    _record(user, "edge", 6.5)
    _record(user, "old", 9)
    out = StringIO()
    call_command("sweep_deadlines", "--quiet", stdout=out)
    assert "幂等记录清理：删除 1 条超过 7 天的记录。" in out.getvalue()
    assert set(IdempotencyRecord.objects.values_list("key", flat=True)) == {"fresh", "edge"}
    # Idempotent: a second run deletes nothing; a shorter retention is a setting.
    assert purge(timezone.localdate()) == 0
    settings.SSC_IDEMPOTENCY_KEEP_DAYS = 2
    assert purge(timezone.localdate()) == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]
