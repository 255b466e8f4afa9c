"""Every termination action × every role (district A / bank A and district B / bank B users) × every state (on the
grounds that shape the path), generated from the ``TERMINATION`` table and its rules: 404 outside the caller's
scope (another district's officer included), 403 for a role the table does not name or a user outside the action's
own scope (the other side agrees, the initiating organisation cancels), 409 in a state the action does not leave
from or on a ground that does not allow it; where everything allows it, the action is offered (``allowed_actions``).
A refusal changes nothing. Then every allowed move is performed through the API by each role the table names."""

from __future__ import annotations

import pytest

from ssc.accounts.choices import Role
from ssc.core.tests.api import assert_problem, bearer_client
from ssc.terminations.workflow import TERMINATION, ground_allows
from ssc.workflow.api.testing import post_action
from ssc.workflow.models import CaseEvent

from .conftest import payload, put_in_state

NO_OUTLET_SCOPE = {Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
ACTIONS = [t for t in TERMINATION.transitions if t.action != "initiate"]  # ``initiate`` creates the case (POST)
CASES = [
    ("initiated", "8.1"),
    ("initiated", "9.1"),
    ("initiated", "9.2"),
    ("consented", "9.1"),
    ("agreed", "9.2"),
    ("decided", "8.3"),
    ("filed", "8.1"),
    ("closed", "8.1"),
    ("cancelled", "9.2"),
]


def _users(world):
    return [(u, True) for u in world.users.values()] + [(u, False) for u in world.other.values()]


def _expected(user, sees, t, state, case):
    if not sees:
        return 404
    if user.role not in t.roles or not TERMINATION.actor_in_scope(case, user, t):
        return 403
    if state not in t.sources or not ground_allows(case.ground, state, t.action):
        return 409
    return 200


@pytest.mark.parametrize(("state", "ground"), CASES)
def test_every_role_action_state(world, state, ground):
    case = put_in_state(world, state, ground)
    assert case.state == state
    version = case.version
    events = CaseEvent.objects.filter(case_type="termination", case_id=case.pk).count()
    checked = {403: 0, 404: 0, 409: 0, 200: 0}
    for user, district_a in _users(world):
        client = bearer_client(user)
        sees = district_a and user.role not in NO_OUTLET_SCOPE
        detail = client.get(f"/api/v1/terminations/{case.pk}/")
        if not sees:
            assert_problem(detail, 404)
        offered = detail.json().get("allowed_actions", []) if sees else []
        expected_offer = []
        for t in ACTIONS:
            expected = _expected(user, sees, t, state, case)
            checked[expected] += 1
            if expected == 200:
                expected_offer.append(t.action)
                continue
            data, files = payload(t.action, ground)
            resp = post_action(client, "terminations", case.pk, t.action, data, files)
            assert_problem(resp, expected)
        assert offered == expected_offer, (state, ground, user.username)
    case.refresh_from_db()
    assert case.version == version and case.state == state
    assert CaseEvent.objects.filter(case_type="termination", case_id=case.pk).count() == events
    assert checked[404] and checked[403]
    if state in ("closed", "cancelled"):
        assert checked[200] == 0  # terminal: nobody may act
    else:
        assert checked[200] and checked[409]


def test_another_districts_officer_gets_404_on_detail_list_and_actions(world):
    case = put_in_state(world, "decided", "8.1")
    other = bearer_client(world.other[Role.DISTRICT_OFFICER])
    assert_problem(other.get(f"/api/v1/terminations/{case.pk}/"), 404)
    assert case.pk not in [r["id"] for r in other.get("/api/v1/terminations/").json()["results"]]
    assert_problem(post_action(other, "terminations", case.pk, "file_with_center", {}), 404)
    assert_problem(post_action(other, "terminations", case.pk, "no_such_action", {}), 404)


MOVES = [
    ("center_consent", "initiated", "9.1"),
    ("counterparty_agree", "initiated", "9.2"),
    ("decide", "initiated", "8.1"),
    ("decide", "consented", "9.1"),
    ("decide", "agreed", "9.2"),
    ("file_with_center", "decided", "9.4"),
    ("close_accounts", "filed", "8.1"),
    ("cancel", "initiated", "9.1"),
    ("cancel", "consented", "9.1"),
    ("cancel", "agreed", "9.2"),
    ("cancel", "decided", "8.1"),
]
CANCELLER = {"9.1": Role.BANK_HEAD_OFFICE, "9.2": Role.BANK_APPLICANT, "8.1": Role.DISTRICT_OFFICER}
ACTORS = {
    "center_consent": [Role.CENTER_LEADER],
    "counterparty_agree": [Role.DISTRICT_OFFICER],  # the case is the bank applicant's 9(2)
    "decide": [Role.DISTRICT_LEADER],
    "file_with_center": [Role.DISTRICT_OFFICER],
    "close_accounts": [Role.CENTER_OFFICER],
}


@pytest.mark.parametrize(("action", "state", "ground"), MOVES, ids=lambda v: str(v))
def test_every_allowed_move_succeeds(world, action, state, ground):
    t = TERMINATION.get(action)
    roles = ACTORS.get(action) or [CANCELLER[ground]]
    for role in roles:
        case = put_in_state(world, state, ground)
        data, files = payload(action, ground)
        if action == "close_accounts":
            data["accounts"] = []  # outlet A of the bare world has no system accounts
        resp = post_action(bearer_client(world.users[role]), "terminations", case.pk, action, data, files)
        assert resp.status_code == 200, (role, resp.content)
        body = resp.json()
        assert body["state"] == t.target and body["history"][-1]["action"] == action
        assert body["history"][-1]["payload"]["ground"] == ground
