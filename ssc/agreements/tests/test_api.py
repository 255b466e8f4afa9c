"""The agreement API: the role × action × state matrix generated from the ``AGREEMENT`` table, scoping of every
endpoint for every role (404 outside the scope), renew over HTTP (multipart, If-Match, Idempotency-Key, 400/409),
registering, the list filters (expiring, Art 9(4)), framework agreements, and a query count that does not grow with
the rows."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ssc.accounts.choices import Role
from ssc.agreements import services
from ssc.agreements.models import Agreement, FrameworkAgreement
from ssc.agreements.workflow import AGREEMENT, SYSTEM_ACTIONS
from ssc.audit.models import AuditEvent
from ssc.core.testing import make_outlet
from ssc.core.tests.api import assert_problem, bearer_client, ids
from ssc.registry.models import Outlet
from ssc.workflow.api.testing import if_match, post_action
from ssc.workflow.models import CaseEvent

from .conftest import at, pdf, register, renew_payload

R = Role
pytestmark = pytest.mark.django_db
# Who sees outlet A's agreement: every district-A / bank-A user but the hotline and the two administrators without
# outlet business; no district-B / bank-B user.
NO_SCOPE = {R.HOTLINE_OPERATOR, R.SECURITY_ADMIN, R.AUDIT_ADMIN}


def _users(world):
    return [(u, u.role not in NO_SCOPE) for u in world.users.values()] + [(u, False) for u in world.other.values()]


def _in_state(world, state):
    """Outlet A's agreement in ``state``, through the services (``terminated`` is set by the termination work)."""
    if state == "renewed":
        old = register(world, end="2026-11-30")
        services.daily(today=date(2026, 12, 1))  # expired
        return services.perform(
            old.pk,
            "renew",
            actor=world.users[R.DISTRICT_OFFICER],
            data=renew_payload(signed="2026-12-01", start="2026-12-01"),
            files={"signed_copy": pdf()},
            at=at("2026-12-02"),
        )
    if state == "expired":
        return register(world, end="2026-11-30")
    a = register(world)
    if state == "terminated":
        Agreement.objects.filter(pk=a.pk).update(status="terminated")
        a.refresh_from_db()
    return a


@pytest.mark.parametrize("state", list(AGREEMENT.states))
def test_matrix_every_role_action_and_state(world, state):
    agreement = _in_state(world, state)
    assert agreement.status == state
    version = agreement.version
    clients = {u.pk: bearer_client(u) for u, _ in _users(world)}
    checked = 0
    for t in AGREEMENT.transitions:
        for user, sees in _users(world):
            client = clients[user.pk]
            data, files = renew_payload(number=f"N-{user.pk}"), {"signed_copy": pdf()}
            if t.action in SYSTEM_ACTIONS:  # the daily job's moves have no route at all
                resp = post_action(client, "agreements", agreement.pk, t.action, {})
                assert_problem(resp, 404)
                continue
            may = user.role in t.roles
            if state in t.sources:
                if sees and may:
                    body = client.get(f"/api/v1/agreements/{agreement.pk}/").json()
                    assert body["allowed_actions"] == [t.action]
                    continue
                expected = 404 if not sees else 403
            else:
                if not may:
                    continue
                expected = 404 if not sees else 409
            assert_problem(post_action(client, "agreements", agreement.pk, t.action, data, files), expected)
            checked += 1
    assert checked > 0
    agreement.refresh_from_db()
    assert agreement.version == version and agreement.status == state
    assert Agreement.objects.count() == (2 if state == "renewed" else 1)


@pytest.mark.parametrize("state", list(AGREEMENT.states))
def test_allowed_actions_follow_the_table(world, state):
    agreement = _in_state(world, state)
    for user, sees in _users(world):
        resp = bearer_client(user).get(f"/api/v1/agreements/{agreement.pk}/")
        if not sees:
            assert_problem(resp, 404)
            continue
        expected = {t.action for t in AGREEMENT.transitions if user.role in t.roles and state in t.sources}
        assert set(resp.json()["allowed_actions"]) == expected, (state, user.role)


# --- scoping of the list ------------------------------------------------------------------------------------------


@pytest.fixture
def three(world):
    return {
        "A": register(world, "A", number="A-1", end="2027-12-31"),
        "B": register(world, "B", number="B-1", end="2027-12-31"),
        "AB": register(world, "AB", number="AB-1", end="2027-12-31"),
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
            resp = client.get("/api/v1/agreements/")
            assert resp.status_code == 200
            assert ids(resp) == {three[k].pk for k in keys}, role
            for k, a in three.items():
                detail = client.get(f"/api/v1/agreements/{a.pk}/")
                if k in keys:
                    assert detail.status_code == 200 and detail["ETag"] == f'"{a.version}"'
                else:
                    assert_problem(detail, 404)


def test_list_filters(world, three):
    client = bearer_client(world.users[R.CENTER_OFFICER])
    today = timezone.localdate()
    Agreement.objects.filter(pk=three["B"].pk).update(term_end=today + timedelta(days=20))
    Agreement.objects.filter(pk=three["AB"].pk).update(term_end=today - timedelta(days=3))
    assert ids(client.get("/api/v1/agreements/", {"expiring_within_days": 30})) == {three["B"].pk}
    assert ids(client.get("/api/v1/agreements/", {"expired_unrenewed": "true"})) == {three["AB"].pk}
    assert ids(client.get("/api/v1/agreements/", {"outlet": world.outlets["A"].pk})) == {three["A"].pk}
    assert ids(client.get("/api/v1/agreements/", {"district": "500106"})) == {three["B"].pk, three["AB"].pk}
    assert ids(client.get("/api/v1/agreements/", {"bank": "icbc", "status": "in_force"})) == {
        three["A"].pk,
        three["AB"].pk,
    }
    assert ids(client.get("/api/v1/agreements/", {"q": "AB-1"})) == {three["AB"].pk}
    body = client.get("/api/v1/agreements/", {"ordering": "-term_end"}).json()
    assert body["results"][0]["id"] == three["A"].pk
    row = next(r for r in body["results"] if r["id"] == three["AB"].pk)
    assert row["expired_unrenewed"] is True and row["days_left"] == -3 and row["renewed"] is False
    for bad in ({"status": "valid"}, {"expiring_within_days": "-1"}, {"ordering": "bank"}, {"outlet": "x"}):
        body = assert_problem(client.get("/api/v1/agreements/", bad), 400)
        assert set(body["errors"]) & {"status", "expiring_within_days", "ordering", "outlet"}


def test_list_query_count_does_not_grow(world):
    client = bearer_client(world.users[R.CENTER_OFFICER])
    register(world, "A", number="Q-A")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/agreements/").status_code == 200
        return len(ctx.captured_queries)

    count()  # the first call of a token records its use
    few = count()
    for i in range(6):
        o = make_outlet(
            f"Q-{i}", f"网点{i}", bank=world.banks["B"], sub_branch=world.orgs["subB"], district=world.districts["B"]
        )
        terms = {"signed_on": "2024-01-01", "term_start": "2024-01-01", "term_end": "2027-06-30"}
        services.agreement_register(
            actor=world.other[R.DISTRICT_OFFICER], outlet_id=o.pk, data={"number": f"Q-{i}", **terms}
        )
    assert count() == few


# --- renew and register over HTTP ---------------------------------------------------------------------------------


def test_renew_over_http(world, agreement):
    client = bearer_client(world.users[R.DISTRICT_OFFICER])
    bad = post_action(client, "agreements", agreement.pk, "renew", renew_payload(start="2026-12-15"), None)
    body = assert_problem(bad, 400)
    assert {"term_start", "signed_copy"} <= set(body["errors"])
    assert_problem(
        post_action(
            client, "agreements", agreement.pk, "renew", renew_payload(), {"signed_copy": pdf()}, **if_match(9)
        ),
        412,
    )
    headers = {"HTTP_IDEMPOTENCY_KEY": "renew-1", **if_match(agreement.version)}
    first = post_action(client, "agreements", agreement.pk, "renew", renew_payload(), {"signed_copy": pdf()}, **headers)
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["state"] == "in_force" and body["renewed"] is True and body["renewed_by"]
    assert body["allowed_actions"] == []  # renewed already: nothing more to do on it
    assert [c["number"] for c in body["chain"]] == [agreement.number, "渝中社卡合〔2026〕88号"]
    assert body["history"][-1]["action"] == "renew" and body["history"][-1]["article"] == "9(4)"
    again = post_action(client, "agreements", agreement.pk, "renew", renew_payload(), {"signed_copy": pdf()}, **headers)
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert Agreement.objects.filter(renews=agreement).count() == 1
    new = client.get(f"/api/v1/agreements/{body['renewed_by']}/").json()
    assert new["renews"] == agreement.pk and new["documents"][0]["kind"] == "agreement"
    later = post_action(client, "agreements", agreement.pk, "renew", renew_payload(number="X"), {"signed_copy": pdf()})
    assert "已续签" in assert_problem(later, 409)["detail"]
    assert CaseEvent.objects.filter(case_type="agreement", case_id=agreement.pk, action="renew").count() == 1


def test_register_over_http(world):
    client = bearer_client(world.other[R.DISTRICT_OFFICER])
    data = {"outlet": world.outlets["AB"].pk, "number": "沙社卡合〔2023〕5号", "signed_on": "2023-05-01"}
    data |= {"term_start": "2023-05-01", "term_end": "2026-04-30"}
    resp = client.post("/api/v1/agreements/", {"payload": json.dumps(data), "signed_copy": pdf()}, format="multipart")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["status"] == "expired" and body["expired_unrenewed"] is True and body["document"]
    assert_problem(client.post("/api/v1/agreements/", data, format="json"), 409)  # already on record
    assert assert_problem(client.post("/api/v1/agreements/", {"number": "x"}, format="json"), 400)["errors"]["outlet"]
    assert_problem(client.post("/api/v1/agreements/", {**data, "outlet": world.outlets["A"].pk}, format="json"), 404)
    assert_problem(
        bearer_client(world.users[R.BANK_APPLICANT]).post(
            "/api/v1/agreements/", {**data, "outlet": world.outlets["A"].pk, "number": "y"}, format="json"
        ),
        403,
    )


# --- framework agreements ---------------------------------------------------------------------------------------


def _framework(world, bank="A", number="人社框架〔2025〕1号"):
    data = {
        "bank": world.banks[bank].pk,
        "bank_organisation": world.orgs[f"branch{bank}"].pk,
        "number": number,
        "signed_on": "2025-03-01",
        "term_start": "2025-03-01",
        "liability_clauses": "一、网点违反协议约定造成持卡人损失的，由银行承担赔偿责任。",
    }
    return services.framework_agreement_create(
        actor=world.users[R.CENTER_OFFICER], data=data, files={"document": pdf("framework.pdf")}
    )


def test_framework_agreements_api(world):
    center = bearer_client(world.users[R.CENTER_OFFICER])
    data = {
        "bank": world.banks["A"].pk,
        "bank_organisation": world.orgs["branchB"].pk,  # another bank's branch
        "number": "人社框架〔2025〕1号",
        "signed_on": "2025-03-01",
        "term_start": "2025-03-01",
        "liability_clauses": "责任条款",
    }
    bad = center.post("/api/v1/framework_agreements/", {"payload": json.dumps(data)}, format="multipart")
    assert {"bank_organisation", "document"} <= set(assert_problem(bad, 400)["errors"])
    data["bank_organisation"] = world.orgs["branchA"].pk
    resp = center.post(
        "/api/v1/framework_agreements/", {"payload": json.dumps(data), "document": pdf()}, format="multipart"
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["hrss"]["id"] == world.orgs["hrss"].pk and body["in_force"] is True and body["term_end"] is None
    assert len(body["document"]["sm3"]) == 64
    fb = _framework(world, "B", "人社框架〔2025〕2号")
    for user, expected in [
        (world.users[R.REGULATOR], {body["id"], fb.pk}),
        (world.other[R.DISTRICT_OFFICER], {body["id"], fb.pk}),
        (world.users[R.BANK_HEAD_OFFICE], {body["id"]}),
        (world.other[R.OUTLET_STAFF], {fb.pk}),
        (world.users[R.HOTLINE_OPERATOR], set()),
        (world.users[R.AUDIT_ADMIN], set()),
    ]:
        c = bearer_client(user)
        assert ids(c.get("/api/v1/framework_agreements/")) == expected, user.role
        for pk in (body["id"], fb.pk):
            r = c.get(f"/api/v1/framework_agreements/{pk}/document/")
            if pk in expected:
                assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
            else:
                assert_problem(r, 404)
    assert AuditEvent.objects.filter(action="framework_agreement.download").count() == 6
    for role in (R.CENTER_LEADER, R.REGULATOR, R.DISTRICT_OFFICER, R.BANK_HEAD_OFFICE):
        resp = bearer_client(world.users[role]).post(
            "/api/v1/framework_agreements/", {"payload": json.dumps({**data, "number": "n"}), "document": pdf()}
        )
        assert_problem(resp, 403)
    # The agreement's detail names its bank's framework agreement (Art 6(1)).
    a = register(world)
    detail = bearer_client(world.users[R.OUTLET_STAFF]).get(f"/api/v1/agreements/{a.pk}/").json()
    assert detail["framework_agreement"]["number"] == "人社框架〔2025〕1号"
    assert FrameworkAgreement.objects.count() == 2
    assert Outlet.objects.filter(pk=world.outlets["A"].pk).exists()
