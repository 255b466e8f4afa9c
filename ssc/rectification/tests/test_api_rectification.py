"""The rectification API (Art 8(3)): issuing (JSON and multipart), the 3-month deadline by the Civil Code through the
API, the report cycle, overdue after the sweep, filters, ordering, idempotency, If-Match, bad input (400/404/409/422,
never a 500)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ssc.accounts.choices import Role
from ssc.core.testing import make_outlet
from ssc.core.tests.api import assert_problem, bearer_client, ids
from ssc.deadlines import services as deadlines
from ssc.deadlines.models import Deadline
from ssc.documents.models import Document
from ssc.rectification import services
from ssc.rectification.models import Rectification
from ssc.registry.models import Outlet
from ssc.workflow.api.testing import if_match, post_action
from ssc.workflow.models import CaseEvent, IdempotencyRecord

from .conftest import PAYLOADS, issue, pdf, put_in_state

R = Role
URL = "/api/v1/rectifications/"


def _body(world, issued_on="2026-06-30", outlet="A", **extra):
    return {
        "outlet": world.outlets[outlet].pk,
        "items": ["公示投诉电话", "维修即时制卡设备"],
        "issued_on": issued_on,
        "source": "evaluation",
        **extra,
    }


@pytest.fixture
def officer(world):
    return bearer_client(world.users[R.DISTRICT_OFFICER])


@pytest.mark.parametrize(
    ("issued", "due"),
    [
        ("2025-11-30", "2026-02-28"),  # Art 202: no 30 February → the last day of February
        ("2026-04-05", "2026-07-06"),  # Art 203: 2026-07-05 is a Sunday → Monday
        ("2025-10-01", "2026-01-04"),  # Art 203: the New Year holiday → the first working day after it
        ("2026-06-30", "2026-09-30"),  # scenario B
    ],
)
def test_issue_computes_the_deadline_from_the_notice_date(world, officer, issued, due):
    resp = officer.post(URL, _body(world, issued), format="json")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["state"] == "open" and body["issued_on"] == issued and body["due_on"] == due
    assert resp["ETag"] == f'"{body["version"]}"'
    assert resp["Location"].endswith(f"{URL}{body['id']}/")
    [d] = body["deadlines"]
    assert (d["kind"], d["started_on"], d["due_on"], d["status"]) == ("rectification", issued, due, "pending")
    assert d["article"] == "8(3)"
    [event] = body["history"]
    assert (event["action"], event["from_state"], event["to_state"]) == ("issue", "new", "open")
    assert event["article"] == "8(3)"
    assert event["actor"]["username"] == world.users[R.DISTRICT_OFFICER].username
    assert body["outlet"]["status"] == "under_rectification" and body["outlet"]["status_display"] == "整改中"
    assert Outlet.objects.get(pk=world.outlets["A"].pk).status == "under_rectification"
    # The detail answers the same last day.
    assert officer.get(f"{URL}{body['id']}/").json()["due_on"] == due


def test_issue_multipart_with_the_notice(world, officer):
    data = _body(world)
    data["notice"] = [pdf("整改通知书.pdf"), pdf("附件.pdf")]
    data["items"] = "公示投诉电话\n维修即时制卡设备"
    resp = officer.post(URL, data, format="multipart")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["items"] == ["公示投诉电话", "维修即时制卡设备"]
    assert [d["kind"] for d in body["documents"]] == ["rectification_notice", "rectification_notice"]
    assert body["history"][0]["payload"]["documents"] == [d["id"] for d in body["documents"]]
    # Also as one JSON part.
    body2 = {"payload": json.dumps(_body(world, "2026-05-06"), ensure_ascii=False), "notice": pdf()}
    resp = officer.post(URL, body2, format="multipart")
    assert resp.status_code == 201, resp.content
    assert resp.json()["due_on"] == "2026-08-06"


def test_issue_refusals(world, officer):
    # Bad payload: each field named, nothing created.
    resp = officer.post(URL, {"outlet": world.outlets["A"].pk, "issued_on": "2099-01-01", "source": "x"}, format="json")
    body = assert_problem(resp, 400, "validation_failed")
    assert set(body["errors"]) == {"items", "issued_on", "source"}
    assert_problem(officer.post(URL, {"items": ["x"]}, format="json"), 400)
    assert "outlet" in officer.post(URL, {"items": ["x"]}, format="json").json()["errors"]
    assert "outlet" in officer.post(URL, {**_body(world), "outlet": "abc"}, format="json").json()["errors"]
    assert_problem(officer.post(URL, ["not", "an", "object"], format="json"), 400)
    # Outside the officer's district: not disclosed.
    assert_problem(officer.post(URL, _body(world, outlet="B"), format="json"), 404)
    assert_problem(officer.post(URL, _body(world, outlet="AB"), format="json"), 404)
    assert_problem(officer.post(URL, {**_body(world), "outlet": 10**12}, format="json"), 404)
    # Roles that may see the outlet but not issue.
    for role in (R.DISTRICT_LEADER, R.CENTER_OFFICER, R.REGULATOR, R.OUTLET_STAFF, R.BANK_APPLICANT):
        assert_problem(bearer_client(world.users[role]).post(URL, _body(world), format="json"), 403)
    # An outlet that does not cooperate.
    Outlet.objects.filter(pk=world.outlets["A"].pk).update(status="preparing")
    assert_problem(officer.post(URL, _body(world), format="json"), 409)
    assert not Rectification.objects.exists()
    assert not Deadline.objects.filter(case_type="rectification").exists()


def test_issue_without_the_calendar_of_the_deadline_year_is_422(world, officer):
    """2026-11-02 + 3 months ends in 2027, a year without a holiday calendar: refuse rather than guess."""
    resp = officer.post(URL, _body(world, "2026-11-02"), format="json")
    body = assert_problem(resp, 422)
    assert "2027" in body["detail"]
    assert not Rectification.objects.exists()
    assert Outlet.objects.get(pk=world.outlets["A"].pk).status == "active"


def test_issue_is_idempotent_with_a_key(world, officer):
    first = officer.post(URL, _body(world), format="json", HTTP_IDEMPOTENCY_KEY="rect-1")
    again = officer.post(URL, _body(world), format="json", HTTP_IDEMPOTENCY_KEY="rect-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert Rectification.objects.count() == 1
    other = officer.post(URL, _body(world, "2026-05-06"), format="json", HTTP_IDEMPOTENCY_KEY="rect-1")
    assert_problem(other, 422, "idempotency_key_reused")
    assert IdempotencyRecord.objects.count() == 1


def test_report_cycle_through_the_api(world, officer):
    case = issue(world)
    staff = bearer_client(world.users[R.OUTLET_STAFF])
    detail = staff.get(f"{URL}{case.pk}/").json()
    assert detail["allowed_actions"] == ["submit_report"]
    files = {"evidence": pdf()}
    resp = post_action(staff, "rectifications", case.pk, "submit_report", PAYLOADS["submit_report"], files)
    assert resp.status_code == 200, resp.content
    assert resp.json()["state"] == "report_submitted" and resp.json()["allowed_actions"] == []
    assert officer.get(f"{URL}{case.pk}/").json()["allowed_actions"] == ["reject_report", "verify"]
    resp = post_action(officer, "rectifications", case.pk, "reject_report", {})
    assert assert_problem(resp, 400)["errors"].keys() == {"reasons"}
    resp = post_action(officer, "rectifications", case.pk, "reject_report", PAYLOADS["reject_report"])
    assert resp.json()["state"] == "report_rejected"
    resp = post_action(staff, "rectifications", case.pk, "submit_report", {"report": "补充维修记录"})
    assert resp.json()["state"] == "report_submitted"
    # A stale If-Match changes nothing.
    version = resp.json()["version"]
    stale = post_action(officer, "rectifications", case.pk, "verify", PAYLOADS["verify"], **if_match(version - 1))
    assert_problem(stale, 412)
    resp = post_action(officer, "rectifications", case.pk, "verify", PAYLOADS["verify"], **if_match(version))
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["state"] == "closed" and body["closed_on"] == "2026-08-03"
    # The deadline is completed on the day the verification is recorded (today, past 2026-09-30): missed.
    [d] = body["deadlines"]
    assert d["completed_on"] is not None
    assert d["status"] == ("met" if date.fromisoformat(d["completed_on"]) <= date(2026, 9, 30) else "missed")
    assert body["outlet"]["status"] == "active"
    assert [e["action"] for e in body["history"]] == [
        "issue",
        "submit_report",
        "reject_report",
        "submit_report",
        "verify",
    ]
    assert [d["kind"] for d in body["documents"]] == ["rectification_report"]
    assert len(body["facts"]["submit_report"]) == 2
    # No route for an action outside the table, and none for ``issue`` (issuing creates the case).
    assert_problem(post_action(officer, "rectifications", case.pk, "issue", {}), 404)
    assert_problem(post_action(officer, "rectifications", case.pk, "approve", {}), 404)
    assert_problem(post_action(officer, "rectifications", 10**12, "verify", PAYLOADS["verify"]), 404)


def test_a_forged_evidence_file_is_refused(world):
    case = issue(world)
    staff = bearer_client(world.users[R.OUTLET_STAFF])
    forged = SimpleUploadedFile("evidence.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    resp = post_action(staff, "rectifications", case.pk, "submit_report", {"report": "x"}, {"evidence": forged})
    assert list(assert_problem(resp, 400)["errors"]) == ["evidence"]
    case.refresh_from_db()
    assert case.state == "open" and not Document.objects.filter(case_type="rectification", action="submit_report")


def test_overdue_after_the_sweep(world, officer, client):
    case = put_in_state(world, "report_rejected")
    deadlines.sweep(today=date(2026, 9, 30))  # the last day itself is still in time (Art 203)
    assert officer.get(f"{URL}{case.pk}/").json()["state"] == "report_rejected"
    deadlines.sweep(today=date(2026, 10, 1))
    body = officer.get(f"{URL}{case.pk}/").json()
    assert body["state"] == "overdue" and body["overdue"] is True
    assert body["allowed_actions"] == []
    assert body["history"][-1]["action"] == "overdue" and body["history"][-1]["actor"] is None
    assert [d["status"] for d in body["deadlines"]] == ["missed"]
    assert ids(officer.get(URL, {"overdue": "true"})) == {case.pk}
    assert ids(officer.get(URL, {"overdue": "false"})) == set()
    assert ids(officer.get(URL, {"state": "overdue"})) == {case.pk}
    # The outlet stays 整改中 (Art 8(3) termination is now available), on its page too.
    assert Outlet.objects.get(pk=world.outlets["A"].pk).status == "under_rectification"
    client.force_login(world.users[R.DISTRICT_OFFICER])
    html = client.get(f"/outlets/{world.outlets['A'].pk}/").content.decode()
    assert "整改中" in html and f"/rectifications/{case.pk}/" in html and "逾期未完成" in html
    # It waits on the district: decide on Art 8(3).
    items = officer.get("/api/v1/inbox/", {"kind": "rectification"}).json()["results"]
    assert [(i["id"], i["state"], i["overdue"]) for i in items] == [(case.pk, "overdue", True)]
    assert "第8条第(3)项" in items[0]["task"]
    assert items[0]["overdue_workdays"] > 0


def test_list_filters_and_ordering(world, officer):
    a1 = issue(world, "2026-03-02")
    a2 = issue(world, "2026-06-30")
    extra = make_outlet(
        "OA-101", "渝中第二网点", bank=world.banks["B"], sub_branch=world.orgs["subB"], district=world.districts["A"]
    )
    a3 = services.issue(
        actor=world.users[R.DISTRICT_OFFICER],
        outlet_id=extra.pk,
        data={"items": ["更新营业时间公示"], "issued_on": "2026-05-06", "source": "complaint"},
    )
    b = issue(world, "2026-06-30", outlet="B")
    assert ids(officer.get(URL)) == {a1.pk, a2.pk, a3.pk}
    assert [r["id"] for r in officer.get(URL).json()["results"]] == [a2.pk, a3.pk, a1.pk]  # newest notice first
    assert [r["id"] for r in officer.get(URL, {"ordering": "due_on"}).json()["results"]] == [a1.pk, a3.pk, a2.pk]
    assert ids(officer.get(URL, {"outlet": extra.pk})) == {a3.pk}
    assert ids(officer.get(URL, {"bank": "ccb"})) == {a3.pk}
    assert ids(officer.get(URL, {"q": "第二"})) == {a3.pk}
    center = bearer_client(world.users[R.CENTER_OFFICER])
    assert ids(center.get(URL)) == {a1.pk, a2.pk, a3.pk, b.pk}
    assert ids(center.get(URL, {"district": "500106"})) == {b.pk}
    assert ids(center.get(URL, {"district": str(world.districts["A"].pk)})) == {a1.pk, a2.pk, a3.pk}
    # Overdue without the sweep: open past the last day.
    assert ids(center.get(URL, {"overdue": "true"})) == {a1.pk, a2.pk, a3.pk, b.pk}
    for bad in ({"state": "nope"}, {"ordering": "secret"}, {"district": "x"}, {"overdue": "maybe"}, {"source": "x"}):
        body = assert_problem(center.get(URL, bad), 400)
        assert set(body["errors"]) == set(bad)


@pytest.mark.parametrize("role", [R.CENTER_OFFICER, R.DISTRICT_OFFICER])
def test_list_query_count_does_not_grow_with_rows(world, role):
    client = bearer_client(world.users[role])
    issue(world, "2026-03-02")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    count()  # warm up: the token's first use is recorded once
    few = count()
    for day in ("2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"):
        issue(world, day)
    assert count() == few


def test_history_rows_are_written_once_per_action(world):
    case = put_in_state(world, "closed")
    rows = CaseEvent.objects.filter(case_type="rectification", case_id=case.pk)
    assert list(rows.values_list("action", flat=True)) == ["issue", "submit_report", "verify"]
