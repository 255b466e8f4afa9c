"""The API half of the scoping matrix: every role × every registry endpoint.

Expectations are written out here (not derived from ``scope_filter``), so a change of the rules shows up
as a failing row.
"""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from ssc.accounts.choices import Role
from ssc.core.tests.api import assert_problem, bearer_client, ids
from ssc.registry.choices import AccountType
from ssc.registry.models import SystemAccount

ALL_OUTLETS = {"A", "B", "AB"}
# Which of the world's outlets each role (district A / bank A user) sees.
OUTLETS_SEEN = {
    Role.BANK_APPLICANT: {"A", "AB"},  # its sub-branch A
    Role.OUTLET_STAFF: {"A"},  # its own outlet
    Role.BANK_HEAD_OFFICE: {"A", "AB"},  # bank A in Chongqing
    Role.DISTRICT_OFFICER: {"A"},  # district A only (AB is bank A's outlet in district B)
    Role.DISTRICT_LEADER: {"A"},
    Role.CENTER_OFFICER: ALL_OUTLETS,
    Role.CENTER_LEADER: ALL_OUTLETS,
    Role.REGULATOR: ALL_OUTLETS,
    Role.HOTLINE_OPERATOR: ALL_OUTLETS,
    Role.SYSTEM_ADMIN: ALL_OUTLETS,
    Role.SECURITY_ADMIN: set(),
    Role.AUDIT_ADMIN: set(),
}
# The district B / bank B users.
OTHER_OUTLETS_SEEN = {
    Role.BANK_APPLICANT: {"B"},
    Role.OUTLET_STAFF: {"B"},
    Role.BANK_HEAD_OFFICE: {"B"},
    Role.DISTRICT_OFFICER: {"B", "AB"},
    Role.DISTRICT_LEADER: {"B", "AB"},
}
ALL_ORGS = {"center", "hrss", "nfra", "hotline", "operator", "agencyA", "agencyB", "branchA", "branchB", "subA", "subB"}
PUBLIC_ORGS = {"center", "hrss", "nfra", "agencyA", "agencyB"}
ORGS_SEEN = {
    Role.BANK_APPLICANT: PUBLIC_ORGS | {"branchA", "subA"},
    Role.OUTLET_STAFF: PUBLIC_ORGS | {"branchA", "subA"},
    Role.BANK_HEAD_OFFICE: PUBLIC_ORGS | {"branchA", "subA"},
    Role.DISTRICT_OFFICER: PUBLIC_ORGS | {"subA"},
    Role.DISTRICT_LEADER: PUBLIC_ORGS | {"subA"},
    Role.CENTER_OFFICER: ALL_ORGS,
    Role.CENTER_LEADER: ALL_ORGS,
    Role.REGULATOR: ALL_ORGS,
    Role.HOTLINE_OPERATOR: ALL_ORGS,
    Role.SYSTEM_ADMIN: ALL_ORGS,
    Role.SECURITY_ADMIN: ALL_ORGS,
    Role.AUDIT_ADMIN: {"operator"},
}
# PATCH of master data on a visible outlet: who may, who gets 403 (NotAllowed).
MAY_EDIT = {Role.CENTER_OFFICER, Role.SYSTEM_ADMIN, Role.DISTRICT_OFFICER, Role.BANK_APPLICANT}
EVERY_ROLE = list(Role)


def outlet_ids(world, keys):
    return {world.outlets[k].pk for k in keys}


@pytest.fixture
def accounts(world):
    opened = datetime.date(2025, 3, 1)
    return {
        key: SystemAccount.objects.create(
            outlet=world.outlets[key],
            account_type=AccountType.OPERATOR,
            identifier=f"OP-{key}",
            holder="张三",
            opened_on=opened,
        )
        for key in ALL_OUTLETS
    }


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_outlet_list_and_detail_scope(world, role):
    client = bearer_client(world.users[role])
    seen = OUTLETS_SEEN[role]
    resp = client.get("/api/v1/outlets/")
    assert resp.status_code == 200
    assert ids(resp) == outlet_ids(world, seen)
    assert resp.json()["count"] == len(seen)
    for key in ALL_OUTLETS:
        detail = client.get(f"/api/v1/outlets/{world.outlets[key].pk}/")
        if key in seen:
            assert detail.status_code == 200
            assert detail.json()["code"] == world.outlets[key].code
        else:
            assert_problem(detail, 404, "not_found")


@pytest.mark.parametrize("role", sorted(OTHER_OUTLETS_SEEN))
def test_outlet_scope_of_district_b_and_bank_b(world, role):
    client = bearer_client(world.other[role])
    assert ids(client.get("/api/v1/outlets/")) == outlet_ids(world, OTHER_OUTLETS_SEEN[role])


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_system_accounts_follow_the_outlet_scope(world, accounts, role):
    client = bearer_client(world.users[role])
    for key in ALL_OUTLETS:
        resp = client.get(f"/api/v1/outlets/{world.outlets[key].pk}/system_accounts/")
        if key in OUTLETS_SEEN[role]:
            assert resp.status_code == 200
            assert [row["identifier"] for row in resp.json()["results"]] == [f"OP-{key}"]
        else:
            assert_problem(resp, 404)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_organisation_scope(world, role):
    client = bearer_client(world.users[role])
    resp = client.get("/api/v1/organisations/", {"page_size": 200})
    assert resp.status_code == 200
    expected = {world.orgs[k].pk for k in ORGS_SEEN[role]}
    assert ids(resp) == expected
    hidden = ALL_ORGS - ORGS_SEEN[role]
    for key in hidden:
        assert_problem(client.get(f"/api/v1/organisations/{world.orgs[key].pk}/"), 404)
    for key in ORGS_SEEN[role]:
        assert client.get(f"/api/v1/organisations/{world.orgs[key].pk}/").status_code == 200


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_reference_data_is_readable_by_every_role(world, role):
    client = bearer_client(world.users[role])
    assert ids(client.get("/api/v1/districts/")) == {d.pk for d in world.districts.values()}
    assert ids(client.get("/api/v1/banks/")) == {b.pk for b in world.banks.values()}
    assert ids(client.get("/api/v1/card_services/")) == {s.pk for s in world.services.values()}
    assert client.get(f"/api/v1/districts/{world.districts['B'].pk}/").status_code == 200
    assert client.get(f"/api/v1/banks/{world.banks['B'].pk}/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/outlets/",
        "/api/v1/outlets/1/",
        "/api/v1/outlets/1/system_accounts/",
        "/api/v1/organisations/",
        "/api/v1/districts/",
        "/api/v1/banks/",
        "/api/v1/card_services/",
        "/api/v1/auth/me/",
    ],
)
def test_every_endpoint_requires_authentication(world, url):
    assert_problem(APIClient().get(url), 401, "not_authenticated")


def test_revoked_token_is_401_on_registry_endpoints(world):
    client = bearer_client(world.users[Role.CENTER_OFFICER])
    assert client.get("/api/v1/outlets/").status_code == 200
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert_problem(client.get("/api/v1/outlets/"), 401)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_outlet_patch_permission(world, role):
    client = bearer_client(world.users[role])
    for key in ALL_OUTLETS:
        outlet = world.outlets[key]
        resp = client.patch(f"/api/v1/outlets/{outlet.pk}/", {"hours_note": f"{role} 改"}, format="json")
        if key not in OUTLETS_SEEN[role]:
            assert_problem(resp, 404)
        elif role in MAY_EDIT:
            assert resp.status_code == 200, resp.content
            assert resp.json()["hours_note"] == f"{role} 改"
        else:
            assert_problem(resp, 403, "forbidden")


def _new_outlet(world, code, district="A", sub="subA", bank="A"):
    return {
        "code": code,
        "name": f"测试网点{code}",
        "bank": world.banks[bank].pk,
        "sub_branch": world.orgs[sub].pk,
        "district": world.districts[district].pk,
        "address": "渝中区民族路1号",
        "latitude": 29.56,
        "longitude": 106.57,
    }


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_outlet_create_permission(world, role):
    client = bearer_client(world.users[role])
    resp = client.post("/api/v1/outlets/", _new_outlet(world, f"N-{role}"), format="json")
    if role in MAY_EDIT:
        assert resp.status_code == 201, resp.content
    else:
        assert_problem(resp, 403, "forbidden")


def test_create_outside_own_subtree_is_403(world):
    # District B's officer may not register an outlet in district A; bank B's applicant not under sub-branch A.
    district_b = bearer_client(world.other[Role.DISTRICT_OFFICER])
    assert_problem(district_b.post("/api/v1/outlets/", _new_outlet(world, "X-1"), format="json"), 403)
    bank_b = bearer_client(world.other[Role.BANK_APPLICANT])
    assert_problem(bank_b.post("/api/v1/outlets/", _new_outlet(world, "X-2"), format="json"), 403)
    # ...but each may in their own.
    resp = district_b.post("/api/v1/outlets/", _new_outlet(world, "X-3", district="B"), format="json")
    assert resp.status_code == 201
    resp = bank_b.post("/api/v1/outlets/", _new_outlet(world, "X-4", sub="subB", bank="B"), format="json")
    assert resp.status_code == 201


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_delete_is_never_allowed(world, role):
    client = bearer_client(world.users[role])
    resp = client.delete(f"/api/v1/outlets/{world.outlets['A'].pk}/")
    body = assert_problem(resp, 405, "method_not_allowed")
    assert "退出" in body["detail"]
    assert "DELETE" not in resp["Allow"]
