"""Concurrent appends never fork the chain: each transaction locks the chain head first (PostgreSQL: row
lock on the head; SQLite: ``BEGIN IMMEDIATE`` takes the write lock up front and the others wait)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction

from ssc.audit import services
from ssc.audit.models import AuditChainHead, AuditEvent
from ssc.audit.verification import verify_chain

THREADS = 6
PER_THREAD = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork():
    services.record(action="test.start")
    start = AuditChainHead.objects.get(pk=1).seq
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            for i in range(PER_THREAD):
                with transaction.atomic():
                    services.record(action="test.concurrent", object_id=f"{n}-{i}", after={"thread": n, "i": i})
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    total = THREADS * PER_THREAD
    head = AuditChainHead.objects.get(pk=1)
    assert head.seq == start + total
    seqs = list(AuditEvent.objects.filter(seq__gt=start).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(start + 1, start + total + 1))  # no gaps, no duplicates
    prev = list(AuditEvent.objects.filter(seq__gte=start).order_by("seq").values_list("prev_hash", "hash"))
    assert all(prev[i + 1][0] == prev[i][1] for i in range(len(prev) - 1))  # one line, no fork
    assert len({h for _p, h in prev}) == len(prev)
    result = verify_chain()
    assert result.ok and result.checked == head.seq
    objects = set(AuditEvent.objects.filter(action="test.concurrent").values_list("object_id", flat=True))
    assert objects == {f"{n}-{i}" for n in range(THREADS) for i in range(PER_THREAD)}
