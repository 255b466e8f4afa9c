"""The inspection API (Art 5): recording (JSON and multipart), the request reaching the district and its answer,
closing by the recording organisation only, files visible to exactly those who see the inspection, filters,
and bad input (400/403/404/409, never a 500). Regulators write nothing else."""

from __future__ import annotations

import json

import pytest

from ssc.accounts.choices import Role
from ssc.audit.models import AuditEvent
from ssc.core.tests.api import assert_problem, bearer_client, ids
from ssc.inspections.models import Inspection, InspectionDocument
from ssc.notifications.models import Notification
from ssc.workflow.api.testing import post_action

from .conftest import PAYLOADS, pdf, put_in_state, record, record_payload

R = Role
URL = "/api/v1/inspections/"


@pytest.fixture
def regulator(world):
    return bearer_client(world.users[R.REGULATOR])


def test_record_asking_the_district_to_act_reaches_its_inbox(world, regulator):
    resp = regulator.post(URL, record_payload(world), format="json")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["state"] == "action_requested"
    assert body["organisation"]["id"] == world.orgs["hrss"].pk
    assert body["district"]["id"] == world.districts["A"].pk  # derived from the outlet
    assert [o["code"] for o in body["outlets"]] == ["OA-001"]
    assert body["history"][0]["article"] == "5" and body["history"][0]["payload"]["outlets"] == ["OA-001"]
    assert "outcome" not in body["history"][0]["payload"]
    assert resp["Location"].endswith(f"{URL}{body['id']}/")
    # The district A agency is told and finds it in its inbox; district B does not.
    officer = world.users[R.DISTRICT_OFFICER]
    assert Notification.objects.filter(user=officer, case_type="inspection", case_id=body["id"]).exists()
    assert Notification.objects.filter(user=world.users[R.DISTRICT_LEADER], case_type="inspection").exists()
    assert not Notification.objects.filter(user=world.other[R.DISTRICT_OFFICER]).exists()
    for user in (officer, world.users[R.DISTRICT_LEADER]):
        items = bearer_client(user).get("/api/v1/inbox/").json()["results"]
        assert [(i["case_type"], i["id"], i["task"]) for i in items] == [("inspection", body["id"], "反馈处理情况")]
        assert items[0]["url"].endswith(f"/inspections/{body['id']}/")
    for user in (world.other[R.DISTRICT_OFFICER], world.users[R.CENTER_OFFICER], world.users[R.REGULATOR]):
        assert bearer_client(user).get("/api/v1/inbox/", {"kind": "inspection"}).json()["count"] == 0
    assert bearer_client(officer).get(f"{URL}{body['id']}/").json()["allowed_actions"] == ["respond"]


def test_respond_and_close_by_the_recording_organisation_only(world, regulator, nfra_regulator):
    case = record(world)
    officer = bearer_client(world.users[R.DISTRICT_OFFICER])
    resp = post_action(officer, "inspections", case.pk, "respond", PAYLOADS["respond"], {"documents": pdf("反馈.pdf")})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["state"] == "responded" and body["district_response"] == PAYLOADS["respond"]["response"]
    assert body["responded_by"]["username"] == world.users[R.DISTRICT_OFFICER].username
    assert [d["action"] for d in body["documents"]] == ["respond"]
    # Now it waits on the HRSS (who recorded it), not on the NFRA regulator nor the center.
    assert [i["id"] for i in regulator.get("/api/v1/inbox/").json()["results"]] == [case.pk]
    assert regulator.get(f"{URL}{case.pk}/").json()["allowed_actions"] == ["close"]
    nfra = bearer_client(nfra_regulator)
    assert nfra.get("/api/v1/inbox/").json()["count"] == 0
    assert nfra.get(f"{URL}{case.pk}/").json()["allowed_actions"] == []
    assert_problem(post_action(nfra, "inspections", case.pk, "close", PAYLOADS["close"]), 403)
    center = bearer_client(world.users[R.CENTER_OFFICER])
    assert_problem(post_action(center, "inspections", case.pk, "close", PAYLOADS["close"]), 403)
    resp = post_action(regulator, "inspections", case.pk, "close", PAYLOADS["close"])
    assert resp.status_code == 200 and resp.json()["state"] == "closed"
    assert [e["action"] for e in resp.json()["history"]] == ["record", "respond", "close"]
    assert regulator.get("/api/v1/inbox/").json()["count"] == 0


def test_a_district_answers_only_for_itself(world):
    case = record(world)
    other = bearer_client(world.other[R.DISTRICT_OFFICER])
    assert_problem(post_action(other, "inspections", case.pk, "respond", PAYLOADS["respond"]), 404)
    # An inspection of district B outlets asked of district B: district A cannot see or answer it.
    b_case = record(world, outlets=[world.outlets["B"].code])
    assert b_case.district_id == world.districts["B"].pk
    officer = bearer_client(world.users[R.DISTRICT_OFFICER])
    assert_problem(officer.get(f"{URL}{b_case.pk}/"), 404)
    assert_problem(post_action(officer, "inspections", b_case.pk, "respond", PAYLOADS["respond"]), 404)
    assert post_action(other, "inspections", b_case.pk, "respond", PAYLOADS["respond"]).status_code == 200


def test_record_multipart_with_files_and_the_download(world, regulator):
    data = record_payload(world, outlets=[world.outlets["A"].pk], district=world.districts["A"].pk)
    resp = regulator.post(
        URL,
        {"payload": json.dumps(data, ensure_ascii=False), "documents": [pdf("检查记录.pdf"), pdf("照片.pdf")]},
        format="multipart",
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert [d["original_name"] for d in body["documents"]] == ["检查记录.pdf", "照片.pdf"]
    assert body["history"][0]["payload"]["attachments"] == ["检查记录.pdf", "照片.pdf"]
    url = body["documents"][0]["download_url"]
    downloads = AuditEvent.objects.filter(action="inspection_document.download").count()
    got = regulator.get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")
    assert got["ETag"] == f'"{body["documents"][0]["sm3"]}"'
    assert AuditEvent.objects.filter(action="inspection_document.download").count() == downloads + 1
    # The district sees the inspection and its files; a bank, another district and the hotline do not.
    assert bearer_client(world.users[R.DISTRICT_LEADER]).get(url).status_code == 200
    for user in (world.users[R.BANK_HEAD_OFFICE], world.users[R.OUTLET_STAFF], world.other[R.DISTRICT_OFFICER]):
        assert_problem(bearer_client(user).get(url), 404)
    assert_problem(bearer_client(world.users[R.HOTLINE_OPERATOR]).get(url), 404)
    assert_problem(regulator.get(f"{URL}{body['id']}/documents/999999/"), 404)


def test_record_only_as_a_record(world, regulator):
    resp = regulator.post(URL, record_payload(world, requests_action=False), format="json")
    assert resp.status_code == 201
    assert resp.json()["state"] == "recorded" and resp.json()["allowed_actions"] == []
    assert bearer_client(world.users[R.DISTRICT_OFFICER]).get("/api/v1/inbox/").json()["count"] == 0


def test_record_refusals(world, regulator):
    # Each bad field named.
    resp = regulator.post(URL, {"inspected_on": "2099-01-01", "requests_action": True}, format="json")
    body = assert_problem(resp, 400, "validation_failed")
    assert {"inspected_on", "scope", "findings"} <= set(body["errors"])
    resp = regulator.post(URL, record_payload(world, outlets=["NOPE-1"]), format="json")
    assert "NOPE-1" in assert_problem(resp, 400)["errors"]["outlets"][0]
    # Outlets outside the district named.
    resp = regulator.post(URL, record_payload(world, district=world.districts["B"].pk), format="json")
    assert list(assert_problem(resp, 400)["errors"]) == ["outlets"]
    # Asking to act needs one district and says what to do.
    two = [world.outlets["A"].code, world.outlets["B"].code]
    resp = regulator.post(URL, record_payload(world, outlets=two), format="json")
    assert list(assert_problem(resp, 400)["errors"]) == ["district"]
    resp = regulator.post(URL, record_payload(world, requested_action=""), format="json")
    assert list(assert_problem(resp, 400)["errors"]) == ["requested_action"]
    resp = regulator.post(URL, record_payload(world, outlets=[], requests_action=False), format="json")
    assert list(assert_problem(resp, 400)["errors"]) == ["district"]
    # A city-wide inspection of two districts' outlets, only recorded, is fine.
    resp = regulator.post(URL, record_payload(world, outlets=two, requests_action=False), format="json")
    assert resp.status_code == 201 and resp.json()["district"] is None
    # Only regulators and the center record inspections (Art 5).
    for role in (R.DISTRICT_OFFICER, R.DISTRICT_LEADER, R.BANK_HEAD_OFFICE, R.OUTLET_STAFF, R.HOTLINE_OPERATOR):
        assert_problem(bearer_client(world.users[role]).post(URL, record_payload(world), format="json"), 403)
    assert Inspection.objects.count() == 1
    assert not InspectionDocument.objects.exists()


def test_regulators_write_nothing_else(world, regulator):
    """Art 5: a regulator reads everything and records inspections — no other write is open to it."""
    from ssc.rectification.tests.conftest import issue

    rect = issue(world)
    body = {"outlet": world.outlets["A"].pk, "items": ["x"], "issued_on": "2026-06-30", "source": "inspection"}
    assert_problem(regulator.post("/api/v1/rectifications/", body, format="json"), 403)
    assert regulator.get(f"/api/v1/rectifications/{rect.pk}/").json()["allowed_actions"] == []
    for action in ("submit_report", "reject_report", "verify"):
        assert_problem(post_action(regulator, "rectifications", rect.pk, action, {}), 403)


def test_list_filters(world, regulator, nfra_regulator):
    a = put_in_state(world, "action_requested")
    closed = put_in_state(world, "closed")
    only = record(world, requests_action=False, inspected_on="2026-03-02", scope="金渝网迁移进度检查")
    b = record(world, by=nfra_regulator, outlets=[world.outlets["B"].code])
    assert ids(regulator.get(URL)) == {a.pk, closed.pk, only.pk, b.pk}
    assert ids(regulator.get(URL, {"state": "action_requested,closed"})) == {a.pk, closed.pk, b.pk}
    assert ids(regulator.get(URL, {"organisation": world.orgs["nfra"].pk})) == {b.pk}
    assert ids(regulator.get(URL, {"district": "500106"})) == {b.pk}
    assert ids(regulator.get(URL, {"outlet": world.outlets["A"].pk})) == {a.pk, closed.pk, only.pk}
    assert ids(regulator.get(URL, {"requests_action": "false"})) == {only.pk}
    assert ids(regulator.get(URL, {"inspected_to": "2026-06-30"})) == {only.pk}
    assert ids(regulator.get(URL, {"q": "金渝网"})) == {only.pk}
    assert regulator.get(URL, {"ordering": "inspected_on"}).json()["results"][0]["id"] == only.pk
    for bad in ({"state": "nope"}, {"inspected_from": "x"}, {"ordering": "scope"}, {"organisation": "x"}):
        assert set(assert_problem(regulator.get(URL, bad), 400)["errors"]) == set(bad)
    body = assert_problem(regulator.get(URL, {"inspected_from": "2026-05-01", "inspected_to": "2026-04-01"}), 400)
    assert list(body["errors"]) == ["inspected_to"]
