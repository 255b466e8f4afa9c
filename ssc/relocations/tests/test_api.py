"""The relocation API: the role × action × state matrix generated from the ``RELOCATION`` table, scoping of the list
and detail for every role (404 outside the scope), reporting and assessing over HTTP (roster republished), and a
query count that does not grow with the rows."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ssc.accounts.choices import Role
from ssc.core.tests.api import assert_problem, bearer_client, ids
from ssc.registry.models import Outlet
from ssc.relocations import services
from ssc.relocations.models import Relocation
from ssc.relocations.workflow import RELOCATION
from ssc.roster import services as roster
from ssc.roster.models import RosterVersion
from ssc.workflow.api.testing import if_match, post_action
from ssc.workflow.models import CaseEvent

from .conftest import NEW_ADDRESS, assess_data, pdf, report_data

R = Role
pytestmark = pytest.mark.django_db
NO_SCOPE = {R.HOTLINE_OPERATOR, R.SECURITY_ADMIN, R.AUDIT_ADMIN}
PAYLOADS = {"assess": assess_data(), "withdraw": {"reason": "租约续签，不再迁址"}, "report": {}}


def _users(world):
    return [(u, u.role not in NO_SCOPE) for u in world.users.values()] + [(u, False) for u in world.other.values()]


def _in_state(world, state):
    case = services.relocation_report(actor=world.users[R.OUTLET_STAFF], data=report_data(world))
    if state == "reported":
        return case
    action, actor = ("withdraw", R.BANK_APPLICANT) if state == "withdrawn" else ("assess", R.DISTRICT_OFFICER)
    data = assess_data(state) if action == "assess" else PAYLOADS["withdraw"]
    return services.perform(case.pk, action, actor=world.users[actor], data=data)


STATES = [s for s in RELOCATION.states if s != "new"]  # ``new`` exists only inside the report's transaction


@pytest.mark.parametrize("state", STATES)
def test_matrix_every_role_action_and_state(world, state):
    case = _in_state(world, state)
    case.refresh_from_db()
    assert case.state == state
    version = case.version
    events = CaseEvent.objects.filter(case_type="relocation", case_id=case.pk).count()
    clients = {u.pk: bearer_client(u) for u, _ in _users(world)}
    checked = 0
    for t in RELOCATION.transitions:
        for user, sees in _users(world):
            client = clients[user.pk]
            if t.action == "report":  # runs with POST /relocations/: no action route
                assert_problem(post_action(client, "relocations", case.pk, "report", {}), 404)
                continue
            may = user.role in t.roles
            if state in t.sources:
                if sees and may:
                    body = client.get(f"/api/v1/relocations/{case.pk}/").json()
                    assert t.action in body["allowed_actions"]
                    continue
                expected = 404 if not sees else 403
            else:
                if not may:
                    continue
                expected = 404 if not sees else 409
            assert_problem(post_action(client, "relocations", case.pk, t.action, PAYLOADS[t.action]), expected)
            checked += 1
    assert checked > 0
    case.refresh_from_db()
    assert case.version == version and case.state == state
    assert CaseEvent.objects.filter(case_type="relocation", case_id=case.pk).count() == events


@pytest.mark.parametrize("state", STATES)
def test_allowed_actions_follow_the_table(world, state):
    case = _in_state(world, state)
    for user, sees in _users(world):
        resp = bearer_client(user).get(f"/api/v1/relocations/{case.pk}/")
        if not sees:
            assert_problem(resp, 404)
            continue
        expected = {t.action for t in RELOCATION.transitions if user.role in t.roles and state in t.sources}
        assert set(resp.json()["allowed_actions"]) == expected, (state, user.role)


@pytest.fixture
def three(world):
    return {
        "A": services.relocation_report(actor=world.users[R.OUTLET_STAFF], data=report_data(world, "A")),
        "B": services.relocation_report(actor=world.other[R.OUTLET_STAFF], data=report_data(world, "B")),
        "AB": services.relocation_report(
            actor=world.users[R.BANK_APPLICANT], outlet_id=world.outlets["AB"].pk, data=report_data(world, "AB")
        ),
    }


ALL = {"A", "B", "AB"}
EXPECTED_A = {
    R.BANK_APPLICANT: {"A", "AB"},
    R.OUTLET_STAFF: {"A"},
    R.BANK_HEAD_OFFICE: {"A", "AB"},
    R.DISTRICT_OFFICER: {"A"},
    R.DISTRICT_LEADER: {"A"},
    R.CENTER_OFFICER: ALL,
    R.CENTER_LEADER: ALL,
    R.REGULATOR: ALL,
    R.HOTLINE_OPERATOR: set(),
    R.SYSTEM_ADMIN: ALL,
    R.SECURITY_ADMIN: set(),
    R.AUDIT_ADMIN: set(),
}
EXPECTED_B = {
    R.BANK_APPLICANT: {"B"},
    R.OUTLET_STAFF: {"B"},
    R.BANK_HEAD_OFFICE: {"B"},
    R.DISTRICT_OFFICER: {"B", "AB"},
    R.DISTRICT_LEADER: {"B", "AB"},
}


def test_list_and_detail_scoped_for_every_role(world, three):
    for users, expected in ((world.users, EXPECTED_A), (world.other, EXPECTED_B)):
        for role, keys in expected.items():
            client = bearer_client(users[role])
            assert ids(client.get("/api/v1/relocations/")) == {three[k].pk for k in keys}, role
            for k, case in three.items():
                resp = client.get(f"/api/v1/relocations/{case.pk}/")
                if k in keys:
                    assert resp.status_code == 200
                else:
                    assert_problem(resp, 404)


def test_list_filters_and_query_count(world, three):
    client = bearer_client(world.users[R.CENTER_OFFICER])
    services.perform(three["B"].pk, "assess", actor=world.other[R.DISTRICT_OFFICER], data=assess_data("non_compliant"))
    assert ids(client.get("/api/v1/relocations/", {"state": "non_compliant"})) == {three["B"].pk}
    assert ids(client.get("/api/v1/relocations/", {"state": "reported,non_compliant", "district": "500106"})) == {
        three["B"].pk,
        three["AB"].pk,
    }
    assert ids(client.get("/api/v1/relocations/", {"bank": "icbc"})) == {three["A"].pk, three["AB"].pk}
    assert ids(client.get("/api/v1/relocations/", {"q": "环球金融"})) == set(ids(client.get("/api/v1/relocations/")))
    assert_problem(client.get("/api/v1/relocations/", {"state": "moved"}), 400)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/relocations/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    Relocation.objects.filter(pk=three["B"].pk).update(state="withdrawn")
    for key in ("B",):
        services.relocation_report(actor=world.other[R.OUTLET_STAFF], data=report_data(world, key))
    assert count() == few


def test_report_and_assess_over_http(world):
    roster.publish(outlet_ids=[world.outlets["A"].pk], actor=None, reason="seed")
    staff = bearer_client(world.users[R.OUTLET_STAFF])
    wrong = report_data(world, new_district=world.districts["B"].pk)
    body = assert_problem(staff.post("/api/v1/relocations/", wrong, format="json"), 400)
    assert "重新申请准入" in body["errors"]["new_district"][0]
    payload = report_data(world)
    resp = staff.post(
        "/api/v1/relocations/",
        {"payload": json.dumps(payload, ensure_ascii=False), "documents": [pdf("a.pdf"), pdf("b.pdf")]},
        format="multipart",
    )
    assert resp.status_code == 201, resp.content
    case = resp.json()
    assert case["state"] == "reported" and len(case["documents"]) == 2 and case["allowed_actions"] == ["withdraw"]
    assert_problem(staff.post("/api/v1/relocations/", payload, format="json"), 409)  # one open move per outlet
    other_applicant = bearer_client(world.other[R.BANK_APPLICANT])
    assert_problem(other_applicant.post("/api/v1/relocations/", {**payload, "outlet": world.outlets["A"].pk}), 404)
    officer = bearer_client(world.users[R.DISTRICT_OFFICER])
    assert_problem(
        post_action(officer, "relocations", case["id"], "assess", assess_data(), None, **if_match(case["version"] - 1)),
        412,
    )
    resp = post_action(officer, "relocations", case["id"], "assess", assess_data(), {"photos": [pdf("p.pdf")]})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["state"] == "compliant" and body["history"][-1]["payload"]["roster_version"]
    assert Outlet.objects.get(pk=world.outlets["A"].pk).address == NEW_ADDRESS
    latest = RosterVersion.objects.order_by("-number").first()
    assert latest.number == body["history"][-1]["payload"]["roster_version"] and latest.changed_count == 1
