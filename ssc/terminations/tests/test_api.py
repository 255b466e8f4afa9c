"""The termination API (Art 8, 9): initiating on each ground (refused without its record, accepted with it), the
grounds available for an outlet, the ground-dependent steps, closing accounts (refused while one stays open), the
list's filters and ordering, Idempotency-Key, If-Match, Scenario D (no 2027 calendar → 422, nothing changes), and bad
input answered 400 naming the field — never a 500."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from django.utils import timezone

from ssc.accounts.choices import Role
from ssc.core.tests.api import assert_problem, bearer_client, ids
from ssc.deadlines.models import Deadline
from ssc.registry.models import Outlet, SystemAccount
from ssc.roster.models import RosterEntry
from ssc.terminations.models import Termination
from ssc.workflow.api.testing import if_match, post_action
from ssc.workflow.models import CaseEvent, IdempotencyRecord

from .conftest import ACCOUNTS, TZ, agreement, initiate, make_ground_available, payload, pdf, put_in_state

R = Role
URL = "/api/v1/terminations/"


def _body(world, ground="8.1", outlet="A", **extra):
    return {"outlet": world.outlets[outlet].pk, "ground": ground, "reasons": "经查证属实", **extra}


@pytest.fixture
def officer(world):
    return bearer_client(world.users[R.DISTRICT_OFFICER])


@pytest.mark.parametrize("ground", ["8.3", "9.3", "9.4"])
def test_initiate_refused_without_the_grounds_record_and_accepted_with_it(world, officer, ground):
    body = assert_problem(officer.post(URL, _body(world, ground), format="json"), 409, "invalid_state")
    assert {"8.3": "整改", "9.3": "迁址", "9.4": "协议"}[ground] in body["detail"]
    assert not Termination.objects.exists()
    make_ground_available(world, ground)
    resp = officer.post(URL, _body(world, ground), format="json")
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert data["state"] == "initiated" and data["ground"] == ground
    assert data["ground_article"] == f"{ground[0]}({ground[2]})"
    key = {"8.3": "rectification", "9.3": "relocation", "9.4": "agreement"}[ground]
    assert data[key] is not None
    assert resp["ETag"] == f'"{data["version"]}"' and resp["Location"].endswith(f"{URL}{data['id']}/")
    [event] = data["history"]
    assert (event["action"], event["from_state"], event["to_state"]) == ("initiate", "new", "initiated")
    assert event["payload"]["ground_article"] == data["ground_article"]
    assert data["outlet"]["status"] in ("active", "under_rectification")


@pytest.mark.parametrize(
    ("role", "ground", "status"),
    [
        (R.BANK_HEAD_OFFICE, "9.1", 201),
        (R.BANK_HEAD_OFFICE, "9.2", 201),
        (R.BANK_HEAD_OFFICE, "8.1", 403),
        (R.BANK_APPLICANT, "9.2", 201),
        (R.BANK_APPLICANT, "9.1", 403),
        (R.OUTLET_STAFF, "9.2", 403),
        (R.DISTRICT_LEADER, "8.1", 403),
        (R.CENTER_OFFICER, "8.1", 403),
        (R.REGULATOR, "8.1", 403),
    ],
)
def test_initiate_by_role_and_ground(world, role, ground, status):
    resp = bearer_client(world.users[role]).post(URL, _body(world, ground), format="json")
    if status == 201:
        assert resp.status_code == 201, resp.content
        assert resp.json()["initiator_side"] == "bank"
    else:
        assert_problem(resp, status)
        assert not Termination.objects.exists()


def test_initiate_refusals(world, officer):
    body = assert_problem(officer.post(URL, {"outlet": world.outlets["A"].pk, "ground": "7.9"}, format="json"), 400)
    assert set(body["errors"]) == {"ground", "reasons"}
    assert "outlet" in assert_problem(officer.post(URL, {"ground": "8.1"}, format="json"), 400)["errors"]
    assert "outlet" in officer.post(URL, {**_body(world), "outlet": "abc"}, format="json").json()["errors"]
    assert_problem(officer.post(URL, ["not", "an", "object"], format="json"), 400)
    body = assert_problem(officer.post(URL, _body(world, requested_on="2099-01-01"), format="json"), 400)
    assert "requested_on" in body["errors"]
    # Another district's outlets do not exist for this officer.
    assert_problem(officer.post(URL, _body(world, outlet="B"), format="json"), 404)
    assert_problem(officer.post(URL, _body(world, outlet="AB"), format="json"), 404)
    assert_problem(officer.post(URL, {**_body(world), "outlet": 10**12}, format="json"), 404)
    # One open termination per outlet.
    assert officer.post(URL, _body(world), format="json").status_code == 201
    body = assert_problem(officer.post(URL, _body(world, "8.2"), format="json"), 409)
    assert "办理中" in body["detail"]
    assert Termination.objects.count() == 1


def test_initiate_multipart_with_evidence(world, officer):
    data = _body(world, "8.2")
    data["evidence"] = [pdf("事故报告.pdf"), pdf("损失清单.pdf")]
    resp = officer.post(URL, data, format="multipart")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert [d["kind"] for d in body["documents"]] == ["evidence", "evidence"]
    assert body["history"][0]["payload"]["documents"] == [d["id"] for d in body["documents"]]


def test_available_grounds(world, officer):
    url = f"{URL}available_grounds/"
    resp = officer.get(url, {"outlet": world.outlets["A"].pk})
    assert resp.status_code == 200, resp.content
    grounds = {g["code"]: g for g in resp.json()["grounds"]}
    assert list(grounds) == ["8.1", "8.2", "8.3", "8.4", "9.1", "9.2", "9.3", "9.4"]
    assert grounds["8.1"]["available"] and grounds["8.1"]["reason"] == "" and grounds["8.1"]["article"] == "8(1)"
    assert not grounds["8.3"]["available"] and "整改" in grounds["8.3"]["reason"]
    assert resp.json()["open_termination"] is None
    # The bank's head office: 9.1 and 9.2 only.
    head = bearer_client(world.users[R.BANK_HEAD_OFFICE]).get(url, {"outlet": world.outlets["A"].pk}).json()
    assert [g["code"] for g in head["grounds"] if g["available"]] == ["9.1", "9.2"]
    # Once a termination runs, nothing is available and the case is named.
    case = initiate(world, "8.1")
    body = officer.get(url, {"outlet": world.outlets["A"].pk}).json()
    assert body["open_termination"] == case.pk and not any(g["available"] for g in body["grounds"])
    # Scope and input.
    assert_problem(officer.get(url, {"outlet": world.outlets["B"].pk}), 404)
    assert "outlet" in assert_problem(officer.get(url), 400)["errors"]
    assert "outlet" in assert_problem(officer.get(url, {"outlet": "x"}), 400)["errors"]


def test_9_1_cannot_be_decided_before_the_centers_consent(world):
    case = initiate(world, "9.1")
    leader = bearer_client(world.users[R.DISTRICT_LEADER])
    assert leader.get(f"{URL}{case.pk}/").json()["allowed_actions"] == []
    data, files = payload("decide", "9.1")
    body = assert_problem(post_action(leader, "terminations", case.pk, "decide", data, files), 409)
    assert "书面同意" in body["detail"]
    center = bearer_client(world.users[R.CENTER_LEADER])
    assert center.get(f"{URL}{case.pk}/").json()["allowed_actions"] == ["center_consent"]
    # Written consent means a document: without it, 400 naming it.
    resp = post_action(center, "terminations", case.pk, "center_consent", {"consented_on": "2026-10-09"})
    assert "consent_document" in assert_problem(resp, 400)["errors"]
    data, files = payload("center_consent", "9.1")
    resp = post_action(center, "terminations", case.pk, "center_consent", data, files)
    assert resp.status_code == 200, resp.content
    assert [d["kind"] for d in resp.json()["documents"]] == ["written_consent"]
    assert leader.get(f"{URL}{case.pk}/").json()["allowed_actions"] == ["decide"]
    data, files = payload("decide", "9.1")
    assert post_action(leader, "terminations", case.pk, "decide", data, files).json()["state"] == "decided"


def test_art_8_decision_needs_the_legal_liability_record(world):
    case = initiate(world, "8.1")
    leader = bearer_client(world.users[R.DISTRICT_LEADER])
    resp = post_action(
        leader, "terminations", case.pk, "decide", {"decided_on": "2026-10-10"}, {"decision_document": pdf()}
    )
    assert set(assert_problem(resp, 400)["errors"]) == {"legal_liability"}
    data, files = payload("decide", "8.1")
    body = post_action(leader, "terminations", case.pk, "decide", data, files).json()
    assert body["legal_liability"] == "已依协议追究违约责任" and body["decided_on"] == "2026-10-10"


def test_close_accounts_through_the_api(listed):
    world = listed
    case = put_in_state(world, "filed")
    center = bearer_client(world.users[R.CENTER_OFFICER])
    detail = center.get(f"{URL}{case.pk}/").json()
    assert detail["allowed_actions"] == ["close_accounts"]
    [d] = detail["deadlines"]
    assert (d["kind"], d["due_on"], d["status"]) == ("center_close_accounts", "2026-10-19", "pending")
    # One account left open: refused, naming it, nothing changes.
    resp = post_action(
        center, "terminations", case.pk, "close_accounts", {"accounts": ACCOUNTS[1:], "closed_on": "2026-10-16"}
    )
    body = assert_problem(resp, 400)
    assert "CQ-OP-0001" in body["errors"]["accounts"][0]
    assert SystemAccount.objects.filter(outlet=world.outlets["A"], closed_on__isnull=True).count() == 3
    assert Termination.objects.get(pk=case.pk).state == "filed"
    # As lines of text (a form's textarea) too.
    resp = post_action(
        center, "terminations", case.pk, "close_accounts", {"accounts": "\n".join(ACCOUNTS), "closed_on": "2026-10-16"}
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["state"] == "closed" and body["outlet"]["status"] == "terminated"
    assert body["deadlines"][0]["status"] in ("met", "missed")
    assert not RosterEntry.objects.filter(outlet=world.outlets["A"]).exists()


def test_list_filters_and_ordering(world, officer):
    a = initiate(world, "8.1")
    b_case = put_in_state_other(world)
    center = bearer_client(world.users[R.CENTER_OFFICER])
    assert ids(center.get(URL)) == {a.pk, b_case.pk}
    assert ids(officer.get(URL)) == {a.pk}  # district scoping
    assert ids(center.get(URL, {"district": world.districts["B"].pk})) == {b_case.pk}
    assert ids(center.get(URL, {"district": world.districts["A"].code})) == {a.pk}
    assert ids(center.get(URL, {"bank": "icbc"})) == {a.pk}
    assert ids(center.get(URL, {"bank": world.banks["B"].pk})) == {b_case.pk}
    assert ids(center.get(URL, {"outlet": world.outlets["A"].pk})) == {a.pk}
    assert ids(center.get(URL, {"ground": "9.2"})) == {b_case.pk}
    assert ids(center.get(URL, {"ground": "8.1,9.2"})) == {a.pk, b_case.pk}
    assert ids(center.get(URL, {"state": "initiated"})) == {a.pk, b_case.pk}
    assert ids(center.get(URL, {"state": "closed"})) == set()
    rows = center.get(URL, {"ordering": "-ground"}).json()["results"]
    assert [r["id"] for r in rows] == [b_case.pk, a.pk]
    rows = center.get(URL, {"ordering": "outlet"}).json()["results"]
    assert len(rows) == 2
    assert "ordering" in assert_problem(center.get(URL, {"ordering": "password"}), 400)["errors"]
    assert "state" in assert_problem(center.get(URL, {"state": "nope"}), 400)["errors"]
    assert "ground" in assert_problem(center.get(URL, {"ground": "10.1"}), 400)["errors"]
    assert "outlet" in assert_problem(center.get(URL, {"outlet": "x"}), 400)["errors"]


def put_in_state_other(world):
    from ssc.terminations import services

    return services.initiate(
        actor=world.other[R.BANK_APPLICANT],
        outlet_id=world.outlets["B"].pk,
        data={"ground": "9.2", "reasons": "网点撤并"},
    )


def test_idempotency_key_on_initiate_and_actions(world, officer):
    first = officer.post(URL, _body(world), format="json", HTTP_IDEMPOTENCY_KEY="term-1")
    again = officer.post(URL, _body(world), format="json", HTTP_IDEMPOTENCY_KEY="term-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert Termination.objects.count() == 1
    other = officer.post(URL, _body(world, "8.2"), format="json", HTTP_IDEMPOTENCY_KEY="term-1")
    assert_problem(other, 422, "idempotency_key_reused")
    case_id = first.json()["id"]
    cancel = {"reason": "撤销"}
    r1 = post_action(officer, "terminations", case_id, "cancel", cancel, HTTP_IDEMPOTENCY_KEY="cancel-1")
    r2 = post_action(officer, "terminations", case_id, "cancel", cancel, HTTP_IDEMPOTENCY_KEY="cancel-1")
    assert r1.status_code == r2.status_code == 200 and r2["Idempotent-Replayed"] == "true"
    assert CaseEvent.objects.filter(case_type="termination", case_id=case_id, action="cancel").count() == 1
    assert IdempotencyRecord.objects.count() == 2


def test_if_match(world):
    case = put_in_state(world, "decided")
    client = bearer_client(world.users[R.DISTRICT_OFFICER])
    etag = client.get(f"{URL}{case.pk}/")["ETag"]
    assert etag == f'"{case.version}"'
    assert_problem(
        post_action(client, "terminations", case.pk, "file_with_center", {}, **if_match(case.version - 1)), 412
    )
    assert Termination.objects.get(pk=case.pk).state == "decided"
    resp = post_action(client, "terminations", case.pk, "file_with_center", {}, **if_match(case.version))
    assert resp.status_code == 200 and resp["ETag"] == f'"{case.version + 1}"'


def test_scenario_d_filing_in_january_2027_without_its_calendar_is_422(world, monkeypatch):
    """SCENARIOS.md D: the agreement ended 2026-12-31 without renewal; on 2027-01-04 the district files an Art 9(4)
    termination, but the 2027 holiday calendar is not entered: the center's deadline cannot be computed, so the
    filing is refused (422) and nothing changes — the outlet stays listed, no deadline, no history row."""
    from ssc.roster import services as roster

    roster.publish(outlet_ids=[world.outlets["A"].pk], actor=None, reason="initial")
    agreement(world, date(2026, 12, 31))
    case = put_in_state(world, "decided", "9.4")
    assert case.agreement_id is not None
    version, events = case.version, CaseEvent.objects.filter(case_type="termination").count()
    january = datetime(2027, 1, 4, 10, tzinfo=TZ)
    monkeypatch.setattr(timezone, "now", lambda: january)
    client = bearer_client(world.users[R.DISTRICT_OFFICER])
    body = assert_problem(post_action(client, "terminations", case.pk, "file_with_center", {}), 422, "calendar_missing")
    assert "2027" in body["detail"]
    case.refresh_from_db()
    assert (case.state, case.version, case.filed_on) == ("decided", version, None)
    assert Outlet.objects.get(pk=world.outlets["A"].pk).status == "active"
    assert RosterEntry.objects.get(outlet=world.outlets["A"]).hidden is False
    assert not Deadline.objects.filter(case_type="termination").exists()
    assert CaseEvent.objects.filter(case_type="termination").count() == events


def test_wrong_typed_payloads_never_500(world):
    officer = bearer_client(world.users[R.DISTRICT_OFFICER])
    for ground in (5, {"a": 1}, [["x"]], None):
        resp = officer.post(URL, {"outlet": world.outlets["A"].pk, "ground": ground, "reasons": 1}, format="json")
        assert "ground" in assert_problem(resp, 400)["errors"]
    assert not Termination.objects.exists()
    case = initiate(world, "9.2", role=R.DISTRICT_OFFICER)
    head = bearer_client(world.users[R.BANK_HEAD_OFFICE])
    for bad in ({"agreed_on": 5, "statement": ["x"]}, {"agreed_on": "not a date"}, {"agreed_on": {"a": 1}}):
        resp = post_action(head, "terminations", case.pk, "counterparty_agree", bad)
        assert set(assert_problem(resp, 400)["errors"]) & {"agreed_on", "statement"}
    resp = head.post(
        f"{URL}{case.pk}/actions/counterparty_agree/", data=json.dumps([1, 2]), content_type="application/json"
    )
    assert_problem(resp, 400)
    assert Termination.objects.get(pk=case.pk).state == "initiated"


def test_a_terminated_outlets_case_stays_readable(listed):
    world = listed
    case = put_in_state(world, "closed", "9.1")
    for role in (R.DISTRICT_OFFICER, R.BANK_APPLICANT, R.BANK_HEAD_OFFICE, R.CENTER_LEADER, R.REGULATOR):
        body = bearer_client(world.users[role]).get(f"{URL}{case.pk}/").json()
        assert body["state"] == "closed" and body["allowed_actions"] == []
        assert [e["action"] for e in body["history"]] == [
            "initiate",
            "center_consent",
            "decide",
            "file_with_center",
            "close_accounts",
        ]
        assert {d["kind"] for d in body["documents"]} == {"written_consent", "decision"}
        assert body["outlet"]["status"] == "terminated" and body["closed_on"] == "2026-10-16"
        assert body["facts"]["close_accounts"]["accounts"] == ACCOUNTS


@pytest.mark.parametrize("role", [R.CENTER_OFFICER, R.DISTRICT_OFFICER, R.BANK_HEAD_OFFICE])
def test_list_query_count_does_not_grow_with_rows(world, role):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ssc.core.testing import make_outlet
    from ssc.terminations import services

    client = bearer_client(world.users[role])
    officer = world.users[R.DISTRICT_OFFICER]

    def add(i: int) -> None:
        outlet = make_outlet(
            f"QC-{i:03d}",
            f"查询网点{i:03d}",
            bank=world.banks["A"],
            sub_branch=world.orgs["subA"],
            district=world.districts["A"],
        )
        services.initiate(actor=officer, outlet_id=outlet.pk, data={"ground": "8.1", "reasons": "严重违约"})

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(URL)
            assert resp.status_code == 200
        return len(ctx.captured_queries)

    add(0)
    count()  # warm up: the token's first use is recorded once
    few = count()
    for i in range(1, 6):
        add(i)
    assert len(client.get(URL).json()["results"]) == 6
    assert count() == few
