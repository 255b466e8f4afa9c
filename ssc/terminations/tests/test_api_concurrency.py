"""Two center officers close the same outlet's accounts at the same moment: exactly one closing is recorded. Two
officers initiate a termination of the same outlet at once: exactly one case opens (the row lock on the outlet, and
the partial unique index behind it).

Real threads, real transactions: on SQLite the IMMEDIATE transaction mode makes the second writer wait; on PostgreSQL
the row locks (``select_for_update``) do. The loser sees the new state (409) or, with ``If-Match``, the new version
(412)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from ssc.accounts.choices import Role
from ssc.core.testing import make_user
from ssc.core.tests.api import bearer_client
from ssc.registry.models import SystemAccount
from ssc.roster.models import RosterChange
from ssc.terminations.models import Termination
from ssc.workcalendar.testing import ensure_seeded
from ssc.workflow.api.testing import if_match, post_action
from ssc.workflow.models import CaseEvent

from .conftest import ACCOUNTS, put_in_state


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


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_if_match", [False, True])
def test_two_concurrent_closings_exactly_one_wins(world, with_if_match):
    ensure_seeded()
    for identifier in ACCOUNTS:
        SystemAccount.objects.create(
            outlet=world.outlets["A"], account_type="operator", identifier=identifier, opened_on="2026-04-01"
        )
    case = put_in_state(world, "filed")
    second = make_user("center_officer_2", Role.CENTER_OFFICER, world.orgs["center"])
    clients = [bearer_client(world.users[Role.CENTER_OFFICER]), bearer_client(second)]
    headers = if_match(case.version) if with_if_match else {}
    data = {"accounts": ACCOUNTS, "closed_on": "2026-10-16"}

    results = _race(
        [lambda c=c: post_action(c, "terminations", case.pk, "close_accounts", data, **headers) for c in clients]
    )

    assert not any(isinstance(r, Exception) for r in results), results
    codes = sorted(r.status_code for r in results)
    assert codes[0] == 200 and codes[1] in (409, 412), [r.content for r in results]
    case.refresh_from_db()
    assert case.state == "closed"
    assert CaseEvent.objects.filter(case_type="termination", case_id=case.pk, action="close_accounts").count() == 1
    assert RosterChange.objects.filter(outlet=world.outlets["A"], kind="removed").count() <= 1
    assert not SystemAccount.objects.filter(outlet=world.outlets["A"], closed_on__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_initiations_open_one_case(world):
    ensure_seeded()
    second = make_user("district_officer_2", Role.DISTRICT_OFFICER, world.orgs["agencyA"])
    clients = [bearer_client(world.users[Role.DISTRICT_OFFICER]), bearer_client(second)]
    body = {"outlet": world.outlets["A"].pk, "ground": "8.1", "reasons": "严重违约"}

    results = _race([lambda c=c: c.post("/api/v1/terminations/", body, format="json") for c in clients])

    assert not any(isinstance(r, Exception) for r in results), results
    assert sorted(r.status_code for r in results) == [201, 409], [r.content for r in results]
    assert Termination.objects.filter(outlet=world.outlets["A"]).count() == 1
