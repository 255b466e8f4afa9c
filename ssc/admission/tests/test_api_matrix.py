"""Every admission action refused to every other role (403, or 404 outside the caller's scope) and in every other
state (409) — the matrix is generated from the ``ADMISSION`` table, not written by hand.

For each state the application is put there through the service layer (``walk``); then, for every action:

- in a state the action leaves from, every world user whose role the table does not name is refused — 404 when
  the case is outside the user's scope (district B and bank B users, the administrators without outlet scope;
  SCENARIOS A.2), 403 otherwise — and every user whose role it names is offered the action (``allowed_actions``);
- in any other state, the users whose role the table names get 409.

A refusal changes nothing: the version and the history of the case stay as they were.
"""

from __future__ import annotations

import pytest

from ssc.accounts.choices import Role
from ssc.admission import services
from ssc.admission.workflow import ADMISSION
from ssc.core.tests.api import assert_problem, bearer_client
from ssc.registry.models import Outlet
from ssc.workflow.api.testing import post_action
from ssc.workflow.models import CaseEvent

from .conftest import at, payloads, walk

# Who can see outlet A's application at all (the scope rule under test, REGULATION Art 5 / SCENARIOS A.2): every
# district-A / bank-A user except the two administrator duties without outlet scope; no district-B/bank-B user.
NO_OUTLET_SCOPE = {Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}


def _step(world, action):
    return next(s for s in payloads(world) if s[0] == action)


# Valid payloads of the actions off the scenario path.
OFF_PATH = {"withdraw": {"reason": "网点暂不开展"}, "return": {"reasons": "补充营业执照"}}


def _payload(world, action):
    """``(data, files)`` valid for ``action`` (fresh files each time)."""
    if action in OFF_PATH:
        return OFF_PATH[action], None
    step = _step(world, action)
    return step[3], step[4]


def _put_in_state(world, state):
    """A fresh application for outlet A in ``state``, through the service layer."""
    Outlet.objects.filter(pk=world.outlets["A"].pk).update(status="applying")
    app = services.application_create(actor=world.users[Role.BANK_APPLICANT], outlet_id=world.outlets["A"].pk)
    path = [s[0] for s in payloads(world)]
    if state == "active":
        return walk(world, app)
    side = {
        "returned": ("record_site_verification", "return", OFF_PATH["return"]),
        "rejected": (
            "decide",
            "decide",
            {"meeting_date": "2026-03-09", "attendees": ["甲", "乙", "丙"], "decision": "rejected", "reasons": "不符"},
        ),
        "withdrawn": ("submit", "withdraw", OFF_PATH["withdraw"]),
    }
    if state in side:
        until, action, data = side[state]
        app = walk(world, app, until=until)
        t = ADMISSION.get(action)
        actor = world.users[next(iter(sorted(t.roles)))]
        files = {"minutes": _step(world, "decide")[4]["minutes"]} if action == "decide" else None
        return services.perform(app.pk, action, actor=actor, data=data, files=files, at=at("2026-03-10"))
    # The state reached just before the action that leaves it on the scenario path.
    leaving = next(s[0] for s in payloads(world) if state in ADMISSION.get(s[0]).sources)
    assert leaving in path
    return walk(world, app, until=leaving)


ALL_STATES = list(ADMISSION.states)


def _users(world):
    return [(u, True) for u in world.users.values()] + [(u, False) for u in world.other.values()]


@pytest.mark.parametrize("state", ALL_STATES)
def test_every_refusal_in_state(world, state):
    app = _put_in_state(world, state)
    app.refresh_from_db()
    assert app.state == state
    version = app.version
    events = CaseEvent.objects.filter(case_type="application", case_id=app.pk).count()
    clients = {u.pk: bearer_client(u) for u, _ in _users(world)}
    checked = 0
    offered: dict[int, list[str]] = {}
    for t in ADMISSION.transitions:
        data, files = _payload(world, t.action)
        for user, district_a in _users(world):
            sees = district_a and user.role not in NO_OUTLET_SCOPE
            may = user.role in t.roles
            client = clients[user.pk]
            if state in t.sources:
                if sees and may:
                    if user.pk not in offered:
                        offered[user.pk] = client.get(f"/api/v1/applications/{app.pk}/").json()["allowed_actions"]
                    assert t.action in offered[user.pk], (state, t.action, user.username)
                    continue
                expected = 404 if not sees else 403
            else:
                if not may:
                    continue  # role refusals are checked in the states the action leaves from
                expected = 404 if not sees else 409
            resp = post_action(client, "applications", app.pk, t.action, data, files)
            assert_problem(resp, expected)
            checked += 1
    assert checked > 0
    app.refresh_from_db()
    assert app.version == version and app.state == state
    assert CaseEvent.objects.filter(case_type="application", case_id=app.pk).count() == events


@pytest.mark.parametrize("state", ALL_STATES)
def test_allowed_actions_follow_the_table(world, state):
    """``allowed_actions`` of every user who can see the case is exactly what the table gives its role."""
    app = _put_in_state(world, state)
    for user, district_a in _users(world):
        resp = bearer_client(user).get(f"/api/v1/applications/{app.pk}/")
        if not district_a or user.role in NO_OUTLET_SCOPE:
            assert_problem(resp, 404)
            continue
        expected = {t.action for t in ADMISSION.transitions if user.role in t.roles and state in t.sources}
        assert set(resp.json()["allowed_actions"]) == expected, (state, user.role)
        assert resp.json()["state"] == state
