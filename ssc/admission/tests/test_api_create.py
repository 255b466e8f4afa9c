"""``POST /api/v1/applications/`` — the bank applicant starts a draft for a registered outlet or a new one."""

from __future__ import annotations

from ssc.accounts.choices import Role
from ssc.admission.models import Application
from ssc.core.tests.api import assert_problem, bearer_client
from ssc.registry.models import Outlet

NEW_OUTLET = {
    "code": "OA-NEW-1",
    "name": "中国工商银行重庆解放碑新华路分理处",
    "district": None,  # filled in per test
    "address": "渝中区新华路 88 号",
    "latitude": 29.5590,
    "longitude": 106.5790,
    "weekday_hours": "09:00-17:00",
    "weekend_hours": "09:30-12:00",
    "consultation_phone": "023-63001111",
    "complaint_phone": "023-63002222",
}


def test_create_with_a_new_outlet(world):
    client = bearer_client(world.users[Role.BANK_APPLICANT])
    data = {**NEW_OUTLET, "district": world.districts["A"].pk}
    resp = client.post(
        "/api/v1/applications/",
        {"outlet_data": data, "services": ["apply", "instant_issuance"]},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["state"] == "draft" and body["allowed_actions"] == ["submit", "withdraw"]
    outlet = Outlet.objects.get(code="OA-NEW-1")
    assert body["outlet"]["id"] == outlet.pk
    assert outlet.sub_branch_id == world.orgs["subA"].pk and outlet.bank_id == world.banks["A"].pk
    assert outlet.status == "applying" and outlet.interconnection_mode == "jinyu"
    assert sorted(outlet.services.values_list("code", flat=True)) == ["apply", "instant_issuance"]
    assert resp["Location"].endswith(f"/api/v1/applications/{body['id']}/")
    # The new outlet's district sees it in its list; the other district does not.
    listed = bearer_client(world.users[Role.DISTRICT_OFFICER]).get("/api/v1/applications/").json()["results"]
    assert body["id"] in {r["id"] for r in listed}
    assert bearer_client(world.other[Role.DISTRICT_OFFICER]).get("/api/v1/applications/").json()["count"] == 0


def test_create_validation_names_fields(world):
    client = bearer_client(world.users[Role.BANK_APPLICANT])
    assert "outlet" in assert_problem(client.post("/api/v1/applications/", {}, format="json"), 400)["errors"]
    both = {"outlet": world.outlets["A"].pk, "outlet_data": {**NEW_OUTLET, "district": world.districts["A"].pk}}
    assert "outlet" in assert_problem(client.post("/api/v1/applications/", both, format="json"), 400)["errors"]
    bad = {**NEW_OUTLET, "district": world.districts["A"].pk, "latitude": 39.9, "weekday_hours": "late"}
    errors = assert_problem(client.post("/api/v1/applications/", {"outlet_data": bad}, format="json"), 400)["errors"]
    assert "outlet_data.latitude" in errors
    unknown = {"outlet_data": {**NEW_OUTLET, "district": world.districts["A"].pk}, "services": ["teleport"]}
    assert "services" in assert_problem(client.post("/api/v1/applications/", unknown, format="json"), 400)["errors"]
    assert not Outlet.objects.filter(code="OA-NEW-1").exists()


def test_only_the_bank_applicant_creates(world):
    Outlet.objects.filter(pk=world.outlets["A"].pk).update(status="applying")
    for role in (Role.DISTRICT_OFFICER, Role.CENTER_OFFICER, Role.OUTLET_STAFF):
        resp = bearer_client(world.users[role]).post(
            "/api/v1/applications/", {"outlet": world.outlets["A"].pk}, format="json"
        )
        assert_problem(resp, 403)
    # Another bank's applicant cannot even see outlet A.
    resp = bearer_client(world.other[Role.BANK_APPLICANT]).post(
        "/api/v1/applications/", {"outlet": world.outlets["A"].pk}, format="json"
    )
    assert_problem(resp, 404)
    assert not Application.objects.exists()


def test_create_for_an_active_outlet_is_409(world):
    resp = bearer_client(world.users[Role.BANK_APPLICANT]).post(
        "/api/v1/applications/", {"outlet": world.outlets["A"].pk}, format="json"
    )
    assert_problem(resp, 409)
