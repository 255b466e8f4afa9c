"""Verification split over worker processes finds the same first broken link as one process."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from ssc.audit import services, verification
from ssc.audit.triggers import TRIGGERS
from ssc.core import triggers as db_triggers

pytestmark = pytest.mark.django_db(transaction=True)
N = 12


@pytest.fixture(autouse=True)
def small_ranges(monkeypatch):
    monkeypatch.setattr(verification, "MIN_EVENTS_PER_WORKER", 2)


@pytest.fixture
def chain():
    for i in range(N):
        services.record(action="test.parallel", object_id=i, object_repr=f"事件{i}", after={"i": i})
    return verification.read_head()[0]


def tamper(sql: str, params: list) -> None:
    db_triggers.uninstall(connection, TRIGGERS)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_parallel_ok(chain):
    result = verification.verify_chain(workers=3)
    assert result.workers == 3 and result.ok and result.checked == chain
    out = StringIO()
    call_command("verify_audit", "--workers", "3", stdout=out)
    assert out.getvalue().startswith(f"OK: {chain} events verified")


@pytest.mark.parametrize("offset", [1, 4, 5, 8, 9, 12])  # the ends of the three ranges of four
def test_parallel_finds_an_edit_anywhere(chain, offset):
    target = chain - N + offset
    tamper("UPDATE audit_auditevent SET object_repr = 'x' WHERE seq = %s", [target])
    result = verification.verify_chain(workers=3)
    assert (result.broken_at, result.broken.code, result.checked) == (target, "edited", target - 1)


@pytest.mark.parametrize("offset", [4, 5, 6])  # the last of a range, the first of the next, inside
def test_parallel_finds_a_deleted_event_at_range_edges(chain, offset):
    target = chain - N + offset
    tamper("DELETE FROM audit_auditevent WHERE seq = %s", [target])
    result = verification.verify_chain(workers=3)
    assert (result.broken_at, result.broken.code) == (target, "missing")
    assert verification.verify_chain(workers=1).broken_at == target


def test_parallel_finds_a_deleted_last_event(chain):
    tamper("DELETE FROM audit_auditevent WHERE seq = %s", [chain])
    result = verification.verify_chain(workers=3)
    assert (result.broken_at, result.broken.code) == (chain, "head")


def test_parallel_finds_the_first_of_two_breaks(chain):
    tamper("UPDATE audit_auditevent SET object_repr = 'x' WHERE seq IN (%s, %s)", [chain - 1, chain - 9])
    assert verification.verify_chain(workers=3).broken_at == chain - 9
