"""Every inspection action × every role (district A / bank A, district B / bank B, and a regulator of the other
inspecting organisation) × every state, generated from the ``INSPECTION`` table and its ``in_action_scope``: 404
outside the caller's scope (banks, hotlines, other districts, the security/audit administrators), 403 for a role the
table does not name or an organisation it does not cover, 409 in a state the action does not leave from; where the
table allows it the action is offered and succeeds. A refusal changes nothing."""

from __future__ import annotations

import pytest

from ssc.accounts.choices import CITYWIDE_ROLES, DISTRICT_ROLES
from ssc.core.tests.api import assert_problem, bearer_client
from ssc.inspections.workflow import INSPECTION
from ssc.workflow.api.testing import post_action
from ssc.workflow.models import CaseEvent

from .conftest import PAYLOADS, put_in_state

STATES = [s for s in INSPECTION.states if s != INSPECTION.initial]  # ``new`` never outlives ``record``
ACTIONS = [t for t in INSPECTION.transitions if t.action != "record"]  # ``record`` creates the case (POST)


def _users(world, nfra_regulator):
    """(user, sees): the inspection covers outlet A of district A, recorded by the HRSS."""
    out = [(u, u.role in CITYWIDE_ROLES or u.role in DISTRICT_ROLES) for u in world.users.values()]
    out += [(u, False) for u in world.other.values()]
    out.append((nfra_regulator, True))
    return out


def _expected(user, sees, t, state, case):
    if not sees:
        return 404
    if user.role not in t.roles or not INSPECTION.actor_in_scope(case, user, t):
        return 403
    if state not in t.sources:
        return 409
    return 200


@pytest.mark.parametrize("state", STATES)
def test_every_role_action_state(world, nfra_regulator, state):
    case = put_in_state(world, state)
    assert case.state == state
    version = case.version
    events = CaseEvent.objects.filter(case_type="inspection", case_id=case.pk).count()
    checked = {403: 0, 404: 0, 409: 0, 200: 0}
    for user, sees in _users(world, nfra_regulator):
        client = bearer_client(user)
        offered = client.get(f"/api/v1/inspections/{case.pk}/")
        if not sees:
            assert_problem(offered, 404)
        for t in ACTIONS:
            expected = _expected(user, sees, t, state, case)
            checked[expected] += 1
            if expected == 200:
                assert offered.json()["allowed_actions"] == [t.action], (state, user.username)
                continue
            if sees:
                assert t.action not in offered.json()["allowed_actions"]
            assert_problem(post_action(client, "inspections", case.pk, t.action, PAYLOADS[t.action]), expected)
    case.refresh_from_db()
    assert case.version == version and case.state == state
    assert CaseEvent.objects.filter(case_type="inspection", case_id=case.pk).count() == events
    assert checked[404] and checked[403] and checked[409]
    assert bool(checked[200]) == (state in ("action_requested", "responded"))


@pytest.mark.parametrize(("action", "state"), [(t.action, s) for t in ACTIONS for s in t.sources])
def test_every_allowed_move_succeeds(world, nfra_regulator, action, state):
    t = INSPECTION.get(action)
    done = 0
    for user, sees in _users(world, nfra_regulator):
        case = put_in_state(world, state)
        if _expected(user, sees, t, state, case) != 200:
            continue
        resp = post_action(bearer_client(user), "inspections", case.pk, action, PAYLOADS[action])
        assert resp.status_code == 200, (user.username, resp.content)
        assert resp.json()["state"] == t.target
        done += 1
    assert done > 0
