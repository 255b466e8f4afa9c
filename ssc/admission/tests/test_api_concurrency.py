"""Two leaders decide the same application at the same moment: exactly one decision is taken.

Real threads, real transactions: on SQLite the IMMEDIATE transaction mode makes the second writer wait for the
first; on PostgreSQL the row lock (``select_for_update``) does. The loser then sees the new state (409) or, when
it sent ``If-Match``, the new version (412). Retries with one ``Idempotency-Key`` racing each other act once too.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from ssc.accounts.choices import Role
from ssc.admission.models import DEFAULT_READINESS_CHECKLIST, DEFAULT_SITE_CHECKLIST, Checklist
from ssc.core.tests.api import bearer_client
from ssc.workcalendar.testing import ensure_seeded
from ssc.workflow.api.testing import if_match, post_action
from ssc.workflow.models import CaseEvent

from .conftest import payloads, pdf, walk


def _reseed():
    """A transactional test may follow another one's flush: put back what the migrations seeded."""
    ensure_seeded()
    Checklist.objects.get_or_create(kind="site_verification", version=1, defaults={"items": DEFAULT_SITE_CHECKLIST})
    Checklist.objects.get_or_create(kind="readiness", version=1, defaults={"items": DEFAULT_READINESS_CHECKLIST})


def _race(requests):
    """Run the callables at the same moment, each in its own thread and database connection."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(i, fn):
        try:
            barrier.wait(timeout=10)
            results[i] = fn()
        except Exception as exc:  # surfaced by the assertions below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _site_verified(world):
    from ssc.admission import services
    from ssc.registry.models import Outlet

    Outlet.objects.filter(pk=world.outlets["A"].pk).update(status="applying")
    app = services.application_create(actor=world.users[Role.BANK_APPLICANT], outlet_id=world.outlets["A"].pk)
    return walk(world, app, until="decide")


def _decide_data(world, decision):
    data = dict(next(s for s in payloads(world) if s[0] == "decide")[3])
    data["decision"] = decision
    return data


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_if_match", [False, True])
def test_two_concurrent_decisions_exactly_one_wins(world, with_if_match):
    _reseed()
    app = _site_verified(world)
    leader = world.users[Role.DISTRICT_LEADER]
    clients = [bearer_client(leader), bearer_client(leader)]
    headers = if_match(app.version) if with_if_match else {}

    def decide(client, decision):
        return lambda: post_action(
            client, "applications", app.pk, "decide", _decide_data(world, decision), {"minutes": pdf()}, **headers
        )

    results = _race([decide(clients[0], "approved"), decide(clients[1], "rejected")])

    assert not any(isinstance(r, Exception) for r in results), results
    codes = sorted(r.status_code for r in results)
    assert codes[0] == 200, [r.content for r in results]
    assert codes[1] in (409, 412), [r.content for r in results]
    winner = next(r for r in results if r.status_code == 200).json()
    app.refresh_from_db()
    assert app.state == winner["state"] and app.version == winner["version"]
    assert CaseEvent.objects.filter(case_type="application", case_id=app.pk, action="decide").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_act_once(world):
    _reseed()
    app = _site_verified(world)
    leader = world.users[Role.DISTRICT_LEADER]
    clients = [bearer_client(leader), bearer_client(leader)]
    key = {"HTTP_IDEMPOTENCY_KEY": "same-click-twice"}

    def decide(client):
        return lambda: post_action(
            client, "applications", app.pk, "decide", _decide_data(world, "approved"), {"minutes": pdf()}, **key
        )

    results = _race([decide(clients[0]), decide(clients[1])])

    assert not any(isinstance(r, Exception) for r in results), results
    assert [r.status_code for r in results] == [200, 200], [r.content for r in results]
    assert results[0].json() == results[1].json()
    assert sorted(r.get("Idempotent-Replayed", "") for r in results) == ["", "true"]
    assert CaseEvent.objects.filter(case_type="application", case_id=app.pk, action="decide").count() == 1
