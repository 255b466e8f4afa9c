"""Scenario A through the API: draft → active, each step by the user of the role the table names, each with a
bearer token obtained from ``POST /api/v1/auth/token/``; multipart where the step carries documents.

The engine's ``at`` is not exposed (actions happen now), so the center's deadline starts today and is due on the
5th working day after today (computed with the calendar, not hard-coded)."""

from __future__ import annotations

from django.utils import timezone
from rest_framework.test import APIClient

from ssc.accounts.choices import Role
from ssc.admission.workflow import ADMISSION
from ssc.core.testing import PASSWORD
from ssc.registry.models import Outlet
from ssc.workcalendar.services import add_workdays
from ssc.workflow.api.testing import if_match, post_action
from ssc.workflow.models import CaseEvent

from .conftest import payloads


def token_client(user) -> APIClient:
    resp = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD, "name": "walk"}, format="json"
    )
    assert resp.status_code == 200, resp.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {resp.json()['token']}")
    return client


def test_scenario_a_through_the_api(world):
    Outlet.objects.filter(pk=world.outlets["A"].pk).update(status="applying")
    clients = {role: token_client(world.users[role]) for role in {step[1] for step in payloads(world)}}

    resp = clients[Role.BANK_APPLICANT].post("/api/v1/applications/", {"outlet": world.outlets["A"].pk}, format="json")
    assert resp.status_code == 201, resp.content
    app = resp.json()
    assert app["state"] == "draft" and app["version"] == 1
    assert resp["ETag"] == '"1"'
    assert set(app["allowed_actions"]) == {"submit", "withdraw"}

    steps = payloads(world)
    for i, (action, role, _day, data, files) in enumerate(steps):
        client = clients[role]
        # The acting user sees the action offered before taking it.
        detail = client.get(f"/api/v1/applications/{app['id']}/")
        assert detail.status_code == 200
        assert action in detail.json()["allowed_actions"], (action, detail.json()["allowed_actions"])
        version = detail.json()["version"]
        assert detail["ETag"] == f'"{version}"'

        resp = post_action(client, "applications", app["id"], action, data, files, **if_match(version))
        assert resp.status_code == 200, (action, resp.content)
        app = resp.json()
        assert app["version"] == version + 1
        assert resp["ETag"] == f'"{app["version"]}"'
        assert app["history"][-1]["action"] == action
        assert app["history"][-1]["actor"]["username"] == world.users[role].username
        assert app["history"][-1]["article"] == ADMISSION.get(action).article
        if i + 1 < len(steps):
            nxt_action, nxt_role = steps[i + 1][0], steps[i + 1][1]
            offered = clients[nxt_role].get(f"/api/v1/applications/{app['id']}/").json()["allowed_actions"]
            assert nxt_action in offered

    assert app["state"] == "active"
    assert app["state_display"] == str(ADMISSION.state_label("active"))
    assert app["allowed_actions"] == []
    assert [e["action"] for e in app["history"]] == [s[0] for s in steps]
    assert CaseEvent.objects.filter(case_type="application", case_id=app["id"]).count() == len(steps)
    assert app["filing_number"] == "渝社卡备〔2026〕001号"
    assert app["outlet"]["status"] == "active"

    # Documents: consent letter, site report, minutes, agreement — each with a download link.
    kinds = {d["kind"] for d in app["documents"]}
    assert {"consent_letter", "site_report", "minutes", "agreement"} <= kinds
    for doc in app["documents"]:
        v = doc["versions"][0]
        assert v["content_type"] == "application/pdf" and len(v["sm3"]) == 64 and v["size"] > 0
        assert v["download_url"].endswith(f"/api/v1/documents/{doc['id']}/versions/1/download/")

    # The center's 5-working-day deadline started today (request_system_opening) and was met today.
    today = timezone.localdate()
    (deadline,) = app["deadlines"]
    assert deadline["kind"] == "center_open_accounts"
    assert deadline["started_on"] == today.isoformat()
    assert deadline["due_on"] == add_workdays(today, 5).isoformat()
    assert deadline["completed_on"] == today.isoformat()
    assert deadline["status"] == "met" and deadline["overdue"] is False
    listed = clients[Role.CENTER_OFFICER].get("/api/v1/deadlines/", {"case_id": app["id"], "status": "met"}).json()
    assert [d["id"] for d in listed["results"]] == [deadline["id"]]

    # The outlet is in the new roster version (Art 7(5)), readable by any signed-in user.
    latest = clients[Role.OUTLET_STAFF].get("/api/v1/roster_versions/latest/")
    assert latest.status_code == 200
    body = latest.json()
    assert body["counts"]["added"] == 1
    (change,) = body["changes"]
    assert change["kind"] == "added" and change["outlet"]["id"] == world.outlets["A"].pk
    assert change["after"]["name"] == world.outlets["A"].name and change["before"] is None
    assert app["history"][-1]["payload"]["roster_version"] == body["number"]
