"""Every ticket and problem report action refused to every other role (403, or 404 outside the caller's scope)
and in every other state (409) — generated from the ``TICKET`` and ``PROBLEM_REPORT`` tables.

For each state the case is put there through the service layer; then, for every action with a route:

- in a state the action leaves from, every user whose role the table does not name is refused — 404 when the
  case is outside the user's scope, 403 otherwise — and every user whose role it names is offered the action
  (``allowed_actions``);
- in any other state, the users whose role the table names get 409 (404 outside the scope).

Who sees outlet A's ticket logged by the 12345 hotline: every district-A / bank-A user and the citywide roles,
the 12345 hotline — not the 12333 hotline, not district B or bank B, not the security and audit administrators.
Problem reports: the same without any hotline. A refusal changes nothing (version, history).
"""

from __future__ import annotations

import pytest

from ssc.accounts.choices import Role
from ssc.core.tests.api import assert_problem, bearer_client
from ssc.tickets.workflow import PROBLEM_REPORT, TICKET
from ssc.workflow.api.testing import post_action
from ssc.workflow.models import CaseEvent

from .conftest import ACTION_DATA, report_in_state, ticket_in_state

R = Role
NO_OUTLET_SCOPE = {R.SECURITY_ADMIN, R.AUDIT_ADMIN}
CREATING = {"log", "report"}


def _users(world, hotline2):
    """(user, sees outlet A's cases in general) — world A users, world B users, the other hotline."""
    out = [(u, u.role not in NO_OUTLET_SCOPE) for u in world.users.values()]
    out += [(u, False) for u in world.other.values()]
    out.append((hotline2, False))
    return out


def _sees(user, in_scope, case_type):
    if case_type == "problem_report" and user.role == R.HOTLINE_OPERATOR:
        return False
    return in_scope


CASES = [("ticket", TICKET, s) for s in ("open", "answered", "closed")] + [
    ("problem_report", PROBLEM_REPORT, s) for s in ("submitted", "replied")
]
RESOURCES = {"ticket": "tickets", "problem_report": "problem_reports"}


def _put(world, case_type, state):
    return ticket_in_state(world, state) if case_type == "ticket" else report_in_state(world, state)


@pytest.mark.parametrize(("case_type", "workflow", "state"), CASES, ids=[f"{c}-{s}" for c, _w, s in CASES])
def test_every_refusal_in_state(world, hotline2, case_type, workflow, state):
    case = _put(world, case_type, state)
    case.refresh_from_db()
    assert case.state == state
    version = case.version
    events = CaseEvent.objects.filter(case_type=case_type, case_id=case.pk).count()
    resource = RESOURCES[case_type]
    clients = {u.pk: bearer_client(u) for u, _ in _users(world, hotline2)}
    checked = offered_checked = 0
    offered: dict[int, list[str]] = {}
    for t in workflow.transitions:
        if t.action in CREATING:
            continue
        for user, in_scope in _users(world, hotline2):
            sees = _sees(user, in_scope, case_type)
            may = user.role in t.roles
            client = clients[user.pk]
            if state in t.sources:
                if sees and may:
                    if user.pk not in offered:
                        offered[user.pk] = client.get(f"/api/v1/{resource}/{case.pk}/").json()["allowed_actions"]
                    assert t.action in offered[user.pk], (state, t.action, user.username)
                    offered_checked += 1
                    continue
                expected = 404 if not sees else 403
            else:
                if not may:
                    continue
                expected = 404 if not sees else 409
            resp = post_action(client, resource, case.pk, t.action, ACTION_DATA.get(t.action, {}))
            assert_problem(resp, expected)
            checked += 1
    assert checked > 0
    if any(state in t.sources for t in workflow.transitions if t.action not in CREATING):
        assert offered_checked > 0
    case.refresh_from_db()
    assert case.version == version and case.state == state
    assert CaseEvent.objects.filter(case_type=case_type, case_id=case.pk).count() == events


@pytest.mark.parametrize(("case_type", "workflow", "state"), CASES, ids=[f"{c}-{s}" for c, _w, s in CASES])
def test_allowed_actions_follow_the_table(world, hotline2, case_type, workflow, state):
    case = _put(world, case_type, state)
    resource = RESOURCES[case_type]
    for user, in_scope in _users(world, hotline2):
        resp = bearer_client(user).get(f"/api/v1/{resource}/{case.pk}/")
        if not _sees(user, in_scope, case_type):
            assert_problem(resp, 404)
            continue
        expected = {t.action for t in workflow.transitions if user.role in t.roles and state in t.sources}
        assert set(resp.json()["allowed_actions"]) == expected, (state, user.role)
        assert resp.json()["state"] == state


@pytest.mark.parametrize("action", ["log", "report"])
def test_creating_actions_have_no_route(world, action):
    case = ticket_in_state(world, "open") if action == "log" else report_in_state(world, "submitted")
    resource = "tickets" if action == "log" else "problem_reports"
    client = bearer_client(world.users[R.HOTLINE_OPERATOR if action == "log" else R.OUTLET_STAFF])
    assert_problem(post_action(client, resource, case.pk, action, {}), 404)
