"""Every evaluation action × every role × every state, generated from the ``EVALUATION`` table (not by hand).

For each state an evaluation of outlet A is put there through the service layer; then, for every action and every
world user:

- in a state the action leaves from: a user whose role the table names and who sees the case is offered the
  action (``allowed_actions``); anyone else is refused — 404 when the case is outside the user's scope (district B,
  bank B, hotlines, the security/audit administrators; banks before the evaluation is finalised), 403 otherwise;
- in any other state: the users whose role the table names get 409 (404 outside their scope).

A refusal changes nothing: the version and the history stay as they were.
"""

from __future__ import annotations

import pytest

from ssc.accounts.choices import BANK_ROLES, CITYWIDE_ROLES, DISTRICT_ROLES
from ssc.core.tests.api import assert_problem, bearer_client
from ssc.evaluations.workflow import EVALUATION
from ssc.workflow.api.testing import post_action
from ssc.workflow.models import CaseEvent

from .conftest import FULL, default_day, put_in_state, score

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "start": {"period": "2026H1"},
    "score": {"scores": {"premises": 9}},
    "submit": {"summary": "总体良好"},
    "return": {"reason": "请复核效率分"},
    "finalise": {"note": "同意"},
}
STATES = [s for s in EVALUATION.states if s != "new"]  # ``new`` lives only inside ``start``'s transaction


def sees(user, district_a: bool, state: str) -> bool:
    """Who sees an evaluation of outlet A (district A, bank A): the rule under test (``Evaluation.scope_filter``)."""
    if user.role in CITYWIDE_ROLES:
        return True
    if not district_a:
        return False
    if user.role in DISTRICT_ROLES:
        return True
    return user.role in BANK_ROLES and state == "finalised"


def _users(world):
    return [(u, True) for u in world.users.values()] + [(u, False) for u in world.other.values()]


def test_every_action_has_a_payload():
    assert set(PAYLOADS) == set(EVALUATION.actions)


@pytest.mark.parametrize("state", STATES)
def test_every_refusal_in_state(world, state):
    ev = put_in_state(world, state)
    version = ev.version
    events = CaseEvent.objects.filter(case_type="evaluation", case_id=ev.pk).count()
    clients = {u.pk: bearer_client(u) for u, _ in _users(world)}
    offered: dict[int, list[str]] = {}
    checked = 0
    for t in EVALUATION.transitions:
        for user, district_a in _users(world):
            visible = sees(user, district_a, state)
            may = user.role in t.roles
            client = clients[user.pk]
            if state in t.sources:
                if visible and may:
                    if user.pk not in offered:
                        offered[user.pk] = client.get(f"/api/v1/evaluations/{ev.pk}/").json()["allowed_actions"]
                    assert t.action in offered[user.pk], (state, t.action, user.username)
                    continue
                expected = 404 if not visible else 403
            else:
                if not may:
                    continue  # role refusals are checked in the states the action leaves from
                expected = 404 if not visible else 409
            resp = post_action(client, "evaluations", ev.pk, t.action, PAYLOADS[t.action])
            assert_problem(resp, expected)
            checked += 1
    assert checked > 0
    ev.refresh_from_db()
    assert ev.version == version and ev.state == state
    assert CaseEvent.objects.filter(case_type="evaluation", case_id=ev.pk).count() == events


@pytest.mark.parametrize("state", STATES)
def test_allowed_actions_follow_the_table(world, state):
    ev = put_in_state(world, state)
    for user, district_a in _users(world):
        resp = bearer_client(user).get(f"/api/v1/evaluations/{ev.pk}/")
        if not sees(user, district_a, state):
            assert_problem(resp, 404)
            continue
        body = resp.json()
        expected = {t.action for t in EVALUATION.transitions if user.role in t.roles and state in t.sources}
        assert set(body["allowed_actions"]) == expected, (state, user.role)
        assert body["state"] == state


@pytest.mark.parametrize("state", STATES)
def test_each_allowed_action_succeeds_for_its_role(world, state):
    """The positive half of the matrix: each action the table allows in ``state`` runs for its role (200)."""
    periods = iter(["2026H1", "2026H2", "2026", "2025H1", "2025H2", "2025"])
    ran = 0
    for t in EVALUATION.transitions:
        if state not in t.sources:
            continue
        for role in sorted(t.roles):
            ev = put_in_state(world, state, period=next(periods))
            if t.action == "submit":  # its precondition: every indicator scored
                ev = score(world, ev, FULL, day=default_day(ev.period))
            resp = post_action(bearer_client(world.users[role]), "evaluations", ev.pk, t.action, PAYLOADS[t.action])
            assert resp.status_code == 200, (state, t.action, resp.json())
            assert resp.json()["state"] in t.possible_targets()
            assert resp["ETag"] == f'"{ev.version + 1}"'
            ran += 1
    assert ran == sum(len(t.roles) for t in EVALUATION.transitions if state in t.sources)
