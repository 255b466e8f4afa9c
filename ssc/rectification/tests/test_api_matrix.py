"""Every rectification action × every role (district A / bank A and district B / bank B users) × every state,
generated from the ``RECTIFICATION`` table: 404 outside the caller's scope, 403 for a role the table does not name,
409 in a state the action does not leave from; where the table allows it, the action is offered
(``allowed_actions``) and succeeds, moving the case to the table's target. A refusal changes nothing."""

from __future__ import annotations

import pytest

from ssc.accounts.choices import Role
from ssc.core.tests.api import assert_problem, bearer_client
from ssc.rectification.workflow import RECTIFICATION
from ssc.workflow.api.testing import post_action
from ssc.workflow.models import CaseEvent

from .conftest import PAYLOADS, put_in_state

# Who sees outlet A's rectification (Outlet scope): every district-A / bank-A user but the two administrator duties
# without outlet scope; no district-B / bank-B user.
NO_OUTLET_SCOPE = {Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
STATES = [s for s in RECTIFICATION.states if s != RECTIFICATION.initial]  # ``new`` never outlives ``issue``
ACTIONS = [t for t in RECTIFICATION.transitions if t.action != "issue"]  # ``issue`` creates the case (POST)


def _users(world):
    return [(u, True) for u in world.users.values()] + [(u, False) for u in world.other.values()]


def _expected(user, sees, t, state, case):
    if not sees:
        return 404
    if user.role not in t.roles or not RECTIFICATION.actor_in_scope(case, user, t):
        return 403
    if state not in t.sources:
        return 409
    return 200


@pytest.mark.parametrize("state", STATES)
def test_every_role_action_state(world, state):
    case = put_in_state(world, state)
    assert case.state == state
    version = case.version
    events = CaseEvent.objects.filter(case_type="rectification", case_id=case.pk).count()
    offered: dict[int, list[str]] = {}
    checked = {403: 0, 404: 0, 409: 0, 200: 0}
    for user, district_a in _users(world):
        client = bearer_client(user)
        sees = district_a and user.role not in NO_OUTLET_SCOPE
        for t in ACTIONS:
            expected = _expected(user, sees, t, state, case)
            checked[expected] += 1
            if expected == 200:
                if user.pk not in offered:
                    offered[user.pk] = client.get(f"/api/v1/rectifications/{case.pk}/").json()["allowed_actions"]
                assert t.action in offered[user.pk], (state, t.action, user.username)
                continue
            resp = post_action(client, "rectifications", case.pk, t.action, PAYLOADS[t.action])
            assert_problem(resp, expected)
    case.refresh_from_db()
    assert case.version == version and case.state == state
    assert CaseEvent.objects.filter(case_type="rectification", case_id=case.pk).count() == events
    assert checked[404] and checked[403]
    if state in ("closed", "overdue"):
        assert checked[200] == 0  # terminal: nobody may act
    else:
        assert checked[200] and checked[409]


@pytest.mark.parametrize("state", STATES)
def test_allowed_actions_follow_the_table(world, state):
    case = put_in_state(world, state)
    for user, district_a in _users(world):
        resp = bearer_client(user).get(f"/api/v1/rectifications/{case.pk}/")
        if not district_a or user.role in NO_OUTLET_SCOPE:
            assert_problem(resp, 404)
            continue
        expected = [t.action for t in ACTIONS if user.role in t.roles and state in t.sources]
        assert resp.json()["allowed_actions"] == expected, (state, user.role)


@pytest.mark.parametrize(("action", "state"), [(t.action, s) for t in ACTIONS for s in t.sources], ids=lambda v: str(v))
def test_every_allowed_move_succeeds(world, action, state):
    """Where the table allows an action, each role it names (in scope) performs it and reaches the target."""
    t = RECTIFICATION.get(action)
    for role in sorted(t.roles):
        case = put_in_state(world, state)
        resp = post_action(bearer_client(world.users[role]), "rectifications", case.pk, action, PAYLOADS[action])
        assert resp.status_code == 200, (role, resp.content)
        assert resp.json()["state"] == t.target
        assert resp.json()["history"][-1]["action"] == action
