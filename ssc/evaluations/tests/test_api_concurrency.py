"""Two officers start the same outlet's evaluation for the same period at the same moment, and two leaders finalise
the same evaluation at once: exactly one succeeds each time (real threads, real transactions — SQLite's IMMEDIATE
write lock, PostgreSQL's row lock and the unique constraint)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from ssc.accounts.choices import Role
from ssc.core.testing import make_user
from ssc.core.tests.api import bearer_client
from ssc.evaluations.models import Evaluation
from ssc.workcalendar.testing import ensure_seeded
from ssc.workflow.api.testing import post_action
from ssc.workflow.models import CaseEvent

from .conftest import put_in_state

pytestmark = pytest.mark.django_db(transaction=True)


def _race(requests):
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


def test_two_starts_of_the_same_period_one_wins(world):
    ensure_seeded()
    second = make_user("district_officer_a2", Role.DISTRICT_OFFICER, world.orgs["agencyA"])
    clients = [bearer_client(world.users[Role.DISTRICT_OFFICER]), bearer_client(second)]
    data = {"outlet": world.outlets["A"].pk, "period": "2026H1"}
    results = _race([lambda c=c: c.post("/api/v1/evaluations/", data, format="json") for c in clients])
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201, 409], [getattr(r, "content", r) for r in results]
    assert Evaluation.objects.count() == 1


def test_two_finalisations_one_wins(world):
    ensure_seeded()
    ev = put_in_state(world, "submitted")
    second = make_user("district_leader_a2", Role.DISTRICT_LEADER, world.orgs["agencyA"])
    clients = [bearer_client(world.users[Role.DISTRICT_LEADER]), bearer_client(second)]
    results = _race([lambda c=c: post_action(c, "evaluations", ev.pk, "finalise", {}) for c in clients])
    assert sorted(r.status_code for r in results) == [200, 409], [getattr(r, "content", r) for r in results]
    assert CaseEvent.objects.filter(case_type="evaluation", case_id=ev.pk, action="finalise").count() == 1
