"""Ticket and problem report API: lists and their filters per role, logging with ``POST /tickets/`` (idempotent),
masking in every response, the audited ``GET /tickets/{id}/contact/``, problem reports with documents, query
counts that do not grow with the rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ssc.accounts.choices import Role
from ssc.audit.models import AuditEvent
from ssc.core.tests.api import assert_problem, bearer_client, ids
from ssc.tickets.models import ProblemReport, Ticket
from ssc.workflow.api.testing import if_match, post_action

from .conftest import ACTION_DATA, CALLER, MASKED, PDF, PHONE, at, log, log_data, pdf, report, ticket_in_state

R = Role
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- lists and scope ---------------------------------------------------------------------------------------------


@pytest.fixture
def tickets(world, hotline2):
    """A: complaint on outlet A (12345, 05-11, open); B: consultation on outlet B (12345, 05-12); AB: complaint on
    outlet AB (05-20, answered); C: complaint on outlet A logged by the 12333 hotline (05-25, closed)."""
    from ssc.tickets import services

    a = log(world, day="2026-05-11")
    b = log(world, day="2026-05-12", outlet=world.outlets["B"].pk, category="consultation")
    ab = log(world, day="2026-05-20", outlet=world.outlets["AB"].pk)
    ab = services.perform_ticket(
        ab.pk, "answer", actor=world.other[R.DISTRICT_OFFICER], data=ACTION_DATA["answer"], at=at("2026-05-21")
    )
    c = services.ticket_log(
        actor=hotline2, data=log_data(world, channel="12333", received_at="2026-05-25T10:00:00+08:00"),
        at=at("2026-05-25", 11),
    )  # fmt: skip
    for action, actor in (("answer", world.users[R.OUTLET_STAFF]), ("close", hotline2)):
        c = services.perform_ticket(c.pk, action, actor=actor, data=ACTION_DATA[action], at=at("2026-05-26"))
    return {"A": a, "B": b, "AB": ab, "C": c}


def test_list_scope_per_role(world, hotline2, tickets):
    t = {k: v.pk for k, v in tickets.items()}
    expected = {
        world.users[R.HOTLINE_OPERATOR]: {t["A"], t["B"], t["AB"]},  # what the 12345 hotline logged
        hotline2: {t["C"]},
        world.users[R.OUTLET_STAFF]: {t["A"], t["C"]},
        world.users[R.BANK_APPLICANT]: {t["A"], t["AB"], t["C"]},
        world.users[R.BANK_HEAD_OFFICE]: {t["A"], t["AB"], t["C"]},
        world.users[R.DISTRICT_OFFICER]: {t["A"], t["C"]},
        world.users[R.DISTRICT_LEADER]: {t["A"], t["C"]},
        world.other[R.DISTRICT_OFFICER]: {t["B"], t["AB"]},
        world.other[R.OUTLET_STAFF]: {t["B"]},
        world.other[R.BANK_HEAD_OFFICE]: {t["B"]},
        world.users[R.CENTER_OFFICER]: set(t.values()),
        world.users[R.REGULATOR]: set(t.values()),
        world.users[R.SECURITY_ADMIN]: set(),
        world.users[R.AUDIT_ADMIN]: set(),
    }
    for user, want in expected.items():
        resp = bearer_client(user).get("/api/v1/tickets/")
        assert resp.status_code == 200
        assert ids(resp) == want, user.username
        for pk in set(t.values()) - want:
            assert_problem(bearer_client(user).get(f"/api/v1/tickets/{pk}/"), 404)


def test_list_filters(world, tickets):
    client = bearer_client(world.users[R.CENTER_OFFICER])
    t = {k: v.pk for k, v in tickets.items()}

    def got(**params):
        resp = client.get("/api/v1/tickets/", params)
        assert resp.status_code == 200, resp.content
        return ids(resp)

    assert got(channel="12333") == {t["C"]}
    assert got(category="consultation") == {t["B"]}
    assert got(state="answered,closed") == {t["AB"], t["C"]}
    assert got(outlet=world.outlets["A"].pk) == {t["A"], t["C"]}
    assert got(district=world.districts["B"].code) == {t["B"], t["AB"]}
    assert got(district=world.districts["B"].pk) == {t["B"], t["AB"]}
    assert got(bank="ccb") == {t["B"]}
    assert got(received_from="2026-05-12", received_to="2026-05-20") == {t["B"], t["AB"]}
    assert got(received_to="2026-05-11") == {t["A"]}
    assert got(overdue="true") == {t["A"], t["B"]}  # open, due 05-14 / 05-15, long past
    assert got(q="jfb") == {t["A"], t["C"]}  # 解放碑: pinyin initials
    rows = client.get("/api/v1/tickets/", {"ordering": "received_at"}).json()["results"]
    assert [r["id"] for r in rows] == [t["A"], t["B"], t["AB"], t["C"]]
    rows = client.get("/api/v1/tickets/").json()["results"]
    assert [r["id"] for r in rows] == [t["C"], t["AB"], t["B"], t["A"]]  # newest first


def test_bad_filters_are_named(world):
    client = bearer_client(world.users[R.CENTER_OFFICER])
    for params, field in [
        ({"channel": "fax"}, "channel"),
        ({"state": "open,lost"}, "state"),
        ({"received_from": "2026-13-01"}, "received_from"),
        ({"received_from": "2026-06-01", "received_to": "2026-05-01"}, "received_to"),
        ({"ordering": "caller_contact"}, "ordering"),
        ({"overdue": "maybe"}, "overdue"),
    ]:
        assert field in assert_problem(client.get("/api/v1/tickets/", params), 400)["errors"], params


def test_awaiting_me(world, tickets):
    assert ids(bearer_client(world.users[R.OUTLET_STAFF]).get("/api/v1/tickets/?awaiting=me")) == {tickets["A"].pk}
    assert ids(bearer_client(world.users[R.HOTLINE_OPERATOR]).get("/api/v1/tickets/?awaiting=me")) == {tickets["AB"].pk}


def test_response_status_and_overdue(world, tickets):
    client = bearer_client(world.users[R.CENTER_OFFICER])
    rows = {r["id"]: r for r in client.get("/api/v1/tickets/").json()["results"]}
    a, ab, c = rows[tickets["A"].pk], rows[tickets["AB"].pk], rows[tickets["C"].pk]
    assert (a["response_due_on"], a["response_status"], a["overdue"]) == ("2026-05-14", "overdue", True)
    assert (ab["response_due_on"], ab["response_status"], ab["overdue"]) == ("2026-05-25", "met", False)
    assert c["response_status"] == "met" and c["satisfaction"] == 4


# --- masking -----------------------------------------------------------------------------------------------------


def test_lists_and_details_mask_the_caller_for_everyone(world, tickets):
    for user in (world.users[R.HOTLINE_OPERATOR], world.users[R.OUTLET_STAFF], world.users[R.CENTER_OFFICER]):
        client = bearer_client(user)
        for url in ("/api/v1/tickets/", f"/api/v1/tickets/{tickets['A'].pk}/", "/api/v1/deadlines/"):
            resp = client.get(url)
            assert resp.status_code == 200
            text = resp.content.decode()
            assert PHONE not in text and CALLER not in text, (user.username, url)
        body = client.get(f"/api/v1/tickets/{tickets['A'].pk}/").json()
        assert body["caller_contact"] == MASKED and body["caller_name"] == "张**"
        assert body["history"][0]["payload"]["caller_contact"] == MASKED


def test_contact_revealable_flag(world, tickets):
    def flag(user, key="A"):
        return bearer_client(user).get(f"/api/v1/tickets/{tickets[key].pk}/").json()["contact_revealable"]

    assert flag(world.users[R.HOTLINE_OPERATOR]) is True
    assert flag(world.users[R.OUTLET_STAFF]) is True
    assert flag(world.users[R.DISTRICT_OFFICER]) is True
    assert flag(world.users[R.DISTRICT_LEADER]) is False
    assert flag(world.users[R.CENTER_OFFICER]) is False
    assert flag(world.users[R.OUTLET_STAFF], "C") is False  # closed


# --- the audited contact endpoint, role × result ----------------------------------------------------------------


def test_contact_endpoint_per_role(world, hotline2, tickets):
    pk = tickets["A"].pk
    url = f"/api/v1/tickets/{pk}/contact/"
    results = {
        world.users[R.HOTLINE_OPERATOR]: 200,
        world.users[R.OUTLET_STAFF]: 200,
        world.users[R.DISTRICT_OFFICER]: 200,
        world.users[R.DISTRICT_LEADER]: 403,
        world.users[R.BANK_APPLICANT]: 403,
        world.users[R.BANK_HEAD_OFFICE]: 403,
        world.users[R.CENTER_OFFICER]: 403,
        world.users[R.CENTER_LEADER]: 403,
        world.users[R.REGULATOR]: 403,
        world.users[R.SYSTEM_ADMIN]: 403,
        world.users[R.SECURITY_ADMIN]: 404,
        world.users[R.AUDIT_ADMIN]: 404,
        hotline2: 404,
        world.other[R.DISTRICT_OFFICER]: 404,
        world.other[R.OUTLET_STAFF]: 404,
    }
    for user, status in results.items():
        before = AuditEvent.objects.filter(action="ticket.read_personal_data").count()
        resp = bearer_client(user).get(url)
        if status == 200:
            assert resp.status_code == 200
            assert resp.json() == {"id": pk, "caller_name": CALLER, "caller_contact": PHONE}
            assert "no-store" in resp["Cache-Control"]
            event = AuditEvent.objects.filter(action="ticket.read_personal_data").latest("seq")
            assert event.actor_id == user.pk and event.object_id == str(pk) and event.source == "api"
            assert AuditEvent.objects.filter(action="ticket.read_personal_data").count() == before + 1
        else:
            assert_problem(resp, status)
            assert AuditEvent.objects.filter(action="ticket.read_personal_data").count() == before
    assert_problem(bearer_client(world.users[R.OUTLET_STAFF]).get(f"/api/v1/tickets/{tickets['C'].pk}/contact/"), 409)
    assert_problem(bearer_client(world.users[R.OUTLET_STAFF]).post(url), 405)


def test_unauthenticated_is_refused(world, tickets):
    from rest_framework.test import APIClient

    for url in ("/api/v1/tickets/", f"/api/v1/tickets/{tickets['A'].pk}/contact/", "/api/v1/problem_reports/"):
        assert APIClient().get(url).status_code == 401


# --- logging through the API -------------------------------------------------------------------------------------


def test_log_with_post(world):
    client = bearer_client(world.users[R.HOTLINE_OPERATOR])
    data = log_data(world, received_at="2026-11-30T09:00:00+08:00")
    resp = client.post("/api/v1/tickets/", data, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["state"] == "open" and body["allowed_actions"] == []  # operators act after the answer
    assert body["caller_contact"] == MASKED and PHONE not in resp.content.decode()
    assert body["response_due_on"] == "2026-12-03"  # Monday 11-30 + 3 working days
    assert body["deadlines"][0]["status"] == "pending" and resp["ETag"] == f'"{body["version"]}"'
    assert resp["Location"].endswith(f"/api/v1/tickets/{body['id']}/")
    again = client.post("/api/v1/tickets/", data, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true" and again.json()["id"] == body["id"]
    assert Ticket.objects.count() == 1
    assert_problem(
        client.post("/api/v1/tickets/", {**data, "content": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"), 422
    )


def test_log_refusals(world):
    data = log_data(world)
    for role in (R.OUTLET_STAFF, R.DISTRICT_OFFICER, R.CENTER_OFFICER, R.REGULATOR):
        assert_problem(bearer_client(world.users[role]).post("/api/v1/tickets/", data, format="json"), 403)
    client = bearer_client(world.users[R.HOTLINE_OPERATOR])
    errors = assert_problem(client.post("/api/v1/tickets/", {}, format="json"), 400)["errors"]
    assert {"outlet", "channel", "category", "content"} <= set(errors)
    bad = {**data, "received_at": "2099-01-01T00:00:00+08:00", "caller_contact": "call me"}
    errors = assert_problem(client.post("/api/v1/tickets/", bad, format="json"), 400)["errors"]
    assert {"received_at", "caller_contact"} == set(errors)
    assert_problem(client.post("/api/v1/tickets/", [1, 2], format="json"), 400)
    assert_problem(
        client.post("/api/v1/tickets/", {**data, "received_at": "2023-03-01T10:00:00+08:00"}, format="json"), 422
    )
    assert not Ticket.objects.exists()


def test_actions_through_the_api_with_if_match(world):
    ticket = log(world)
    staff = bearer_client(world.users[R.OUTLET_STAFF])
    assert_problem(post_action(staff, "tickets", ticket.pk, "answer", ACTION_DATA["answer"], **if_match(1)), 412)
    resp = post_action(staff, "tickets", ticket.pk, "answer", ACTION_DATA["answer"], **if_match(ticket.version))
    assert resp.status_code == 200 and resp.json()["state"] == "answered"
    assert resp.json()["deadlines"][0]["status"] in ("met", "missed")
    assert_problem(post_action(staff, "tickets", ticket.pk, "answer", ACTION_DATA["answer"]), 409)
    op = bearer_client(world.users[R.HOTLINE_OPERATOR])
    errors = assert_problem(post_action(op, "tickets", ticket.pk, "close", {"satisfaction": "9"}), 400)["errors"]
    assert "satisfaction" in errors
    resp = post_action(op, "tickets", ticket.pk, "close", {"satisfaction": 5})
    assert resp.status_code == 200 and resp.json()["state"] == "closed" and resp.json()["satisfaction"] == 5


# --- problem reports ---------------------------------------------------------------------------------------------


def test_problem_report_create_multipart_and_reply(world):
    client = bearer_client(world.users[R.OUTLET_STAFF])
    resp = client.post(
        "/api/v1/problem_reports/",
        {"title": "读卡器故障", "description": "两台读卡器报错", "documents": [pdf("a.pdf"), pdf("b.pdf")]},
        format="multipart",
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert (
        body["state"] == "submitted" and len(body["documents"]) == 2 and body["outlet"]["id"] == world.outlets["A"].pk
    )
    officer = bearer_client(world.users[R.DISTRICT_OFFICER])
    listed = officer.get("/api/v1/problem_reports/?awaiting=me")
    assert ids(listed) == {body["id"]}
    assert listed.json()["results"][0]["allowed_actions"] == ["reply"]
    resp = post_action(officer, "problem_reports", body["id"], "reply", ACTION_DATA["reply"])
    assert resp.status_code == 200 and resp.json()["state"] == "replied" and resp.json()["reply"]
    assert ids(officer.get("/api/v1/problem_reports/?awaiting=me")) == set()
    assert ids(officer.get("/api/v1/problem_reports/?state=replied")) == {body["id"]}


def test_problem_report_bad_documents_and_refusals(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = bearer_client(world.users[R.OUTLET_STAFF])
    forged = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    resp = client.post(
        "/api/v1/problem_reports/", {"title": "t", "description": "d", "documents": [forged]}, format="multipart"
    )
    assert "documents" in assert_problem(resp, 400)["errors"]
    assert not ProblemReport.objects.exists()
    for role in (R.HOTLINE_OPERATOR, R.DISTRICT_OFFICER, R.BANK_APPLICANT):
        resp = bearer_client(world.users[role]).post(
            "/api/v1/problem_reports/", {"title": "t", "description": "d"}, format="json"
        )
        assert_problem(resp, 403)


def test_problem_report_scope(world, hotline2):
    pr = report(world)
    for user, visible in [
        (world.users[R.OUTLET_STAFF], True),
        (world.users[R.BANK_APPLICANT], True),
        (world.users[R.BANK_HEAD_OFFICE], True),
        (world.users[R.DISTRICT_OFFICER], True),
        (world.users[R.DISTRICT_LEADER], True),
        (world.users[R.CENTER_OFFICER], True),
        (world.users[R.REGULATOR], True),
        (world.users[R.HOTLINE_OPERATOR], False),
        (hotline2, False),
        (world.users[R.SECURITY_ADMIN], False),
        (world.other[R.DISTRICT_OFFICER], False),
        (world.other[R.OUTLET_STAFF], False),
        (world.other[R.BANK_HEAD_OFFICE], False),
    ]:
        client = bearer_client(user)
        assert ids(client.get("/api/v1/problem_reports/")) == ({pr.pk} if visible else set()), user.username
        resp = client.get(f"/api/v1/problem_reports/{pr.pk}/")
        if visible:
            assert resp.status_code == 200
        else:
            assert_problem(resp, 404)


def test_problem_report_filters(world):
    pr = report(world, day="2026-05-12")
    client = bearer_client(world.users[R.CENTER_OFFICER])
    assert ids(client.get("/api/v1/problem_reports/", {"reported_from": "2026-05-12"})) == {pr.pk}
    assert ids(client.get("/api/v1/problem_reports/", {"reported_to": "2026-05-11"})) == set()
    assert ids(client.get("/api/v1/problem_reports/", {"reported_to": "2026-05-12"})) == {pr.pk}
    assert ids(client.get("/api/v1/problem_reports/", {"district": world.districts["B"].pk})) == set()
    assert ids(client.get("/api/v1/problem_reports/", {"q": "jfb"})) == {pr.pk}
    assert "state" in assert_problem(client.get("/api/v1/problem_reports/", {"state": "open"}), 400)["errors"]


# --- query counts ------------------------------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200, resp.content
    return len(ctx.captured_queries), resp.json()["count"]


@pytest.mark.parametrize("url", ["/api/v1/tickets/", "/api/v1/tickets/?awaiting=me", "/api/v1/problem_reports/"])
@pytest.mark.parametrize("role", [R.CENTER_OFFICER, R.DISTRICT_OFFICER, R.HOTLINE_OPERATOR, R.OUTLET_STAFF])
def test_query_count_does_not_grow_with_rows(world, settings, url, role):
    settings.SSC_CALENDAR_RECHECK_SECONDS = 3600  # no timed calendar re-check inside a measured request
    client = bearer_client(world.users[role])
    log(world)
    ticket_in_state(world, "answered")
    report(world)
    client.get(url)  # the token's first use records ``last_used_at``: not part of the list's cost
    few, n1 = _count(client, url)
    for _ in range(4):
        log(world)
        ticket_in_state(world, "answered")
        report(world)
    many, n2 = _count(client, url)
    nothing_waits = (role == R.HOTLINE_OPERATOR and "problem" in url) or (
        role == R.CENTER_OFFICER and "awaiting" in url
    )
    assert n2 == n1 == 0 if nothing_waits else n2 > n1 > 0
    assert many == few, (url, role, few, many)


def test_pdf_constant_is_a_pdf():
    assert PDF.startswith(b"%PDF")
