"""Outlet endpoints: representation, filters, ordering, pagination, query counts, writes, concurrency."""

from __future__ import annotations

import pytest

from ssc.accounts.choices import Role
from ssc.audit.models import AuditEvent
from ssc.core.testing import make_outlet
from ssc.core.tests.api import assert_problem, bearer_client, ids
from ssc.registry.choices import InterconnectionMode, OutletStatus
from ssc.registry.models import Outlet

URL = "/api/v1/outlets/"


@pytest.fixture
def center(world):
    return bearer_client(world.users[Role.CENTER_OFFICER])


def detail_url(outlet):
    return f"{URL}{outlet.pk}/"


def test_representation(world, center):
    outlet = world.outlets["A"]
    resp = center.get(detail_url(outlet))
    assert resp.status_code == 200
    assert resp["ETag"] == f'"{outlet.version}"'
    body = resp.json()
    assert body["bank"] == {"id": world.banks["A"].pk, "name": "中国工商银行", "short_name": "工商银行"}
    assert body["sub_branch"] == {"id": world.orgs["subA"].pk, "name": world.orgs["subA"].name}
    assert body["district"] == {"id": world.districts["A"].pk, "code": "500103", "name": "渝中区"}
    assert body["services"] == ["apply", "instant_issuance", "replacement"]
    assert body["instant_issuance"] is True
    assert body["status"] == "active" and body["status_display"] == "合作中"
    assert body["opening_hours"] == "周一至周五 09:00-17:00；周六、周日 09:00-12:00"
    assert body["interconnection_mode"] == "jinyu" and body["interconnection_mode_display"] == "金渝网"
    assert body["latitude"] == pytest.approx(29.5573)
    assert body["updated_at"].endswith("+08:00")
    expected = {
        "id", "code", "name", "bank", "sub_branch", "district", "address", "latitude", "longitude",
        "weekday_hours", "weekend_hours", "hours_note", "opening_hours", "services", "instant_issuance",
        "consultation_phone", "complaint_phone", "interconnection_mode", "interconnection_mode_display",
        "jinyu_migration_planned_on", "status", "status_display", "version", "updated_at",
    }  # fmt: skip
    assert set(body) == expected


def test_list_shape_and_default_order(world, center):
    body = center.get(URL).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert [r["code"] for r in body["results"]] == ["OA-001", "OA-002", "OB-001"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "解放碑"}, {"A"}),
        ({"q": "沙坪坝"}, {"B", "AB"}),  # name and address
        ({"q": "jfb"}, {"A"}),  # pinyin initials of 解放碑
        ({"q": "jiefangbei"}, {"A"}),  # full pinyin
        ({"q": "oa-002"}, {"AB"}),  # code, case-insensitive
        ({"district": "500106"}, {"B", "AB"}),  # GB/T 2260 code
        ({"bank": "icbc"}, {"A", "AB"}),  # bank code
        ({"service": "instant_issuance"}, {"A"}),
        ({"instant_issuance": "true"}, {"A"}),
        ({"instant_issuance": "false"}, {"B", "AB"}),
        ({"status": "active"}, {"A", "B", "AB"}),
        ({"status": "preparing,terminated"}, set()),
        ({"interconnection_mode": "legacy"}, set()),
        ({"interconnection_mode": "jinyu"}, {"A", "B", "AB"}),
        ({"district": "500106", "q": "工商"}, {"AB"}),
    ],
)
def test_filters(world, center, params, expected):
    resp = center.get(URL, params)
    assert resp.status_code == 200, resp.content
    assert ids(resp) == {world.outlets[k].pk for k in expected}


def test_filters_by_id(world, center):
    assert ids(center.get(URL, {"district": world.districts["A"].pk})) == {world.outlets["A"].pk}
    assert ids(center.get(URL, {"bank": world.banks["B"].pk})) == {world.outlets["B"].pk}
    assert ids(center.get(URL, {"sub_branch": world.orgs["subA"].pk})) == {
        world.outlets["A"].pk,
        world.outlets["AB"].pk,
    }
    # An id beyond any integer column is simply not found, not a database error.
    assert center.get(URL, {"district": "9" * 18}).json()["count"] == 0


def test_filters_do_not_widen_the_scope(world):
    client = bearer_client(world.users[Role.DISTRICT_OFFICER])
    assert ids(client.get(URL, {"district": "500106"})) == set()
    assert ids(client.get(URL, {"bank": "icbc"})) == {world.outlets["A"].pk}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "bogus"}, "status"),
        ({"status": "active,nope"}, "status"),
        ({"interconnection_mode": "carrier-pigeon"}, "interconnection_mode"),
        ({"instant_issuance": "maybe"}, "instant_issuance"),
        ({"sub_branch": "x"}, "sub_branch"),
        ({"district": "渝中"}, "district"),
        ({"q": "a\x00b"}, "q"),
        ({"q": "长" * 101}, "q"),
    ],
)
def test_bad_filters_are_400_naming_the_parameter(world, center, params, field):
    body = assert_problem(center.get(URL, params), 400, "validation_failed")
    assert list(body["errors"]) == [field]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("code", ["OA-001", "OA-002", "OB-001"]),
        ("-code", ["OB-001", "OA-002", "OA-001"]),
        ("district,code", ["OA-001", "OA-002", "OB-001"]),  # 500103 before 500106
        ("-district,code", ["OA-002", "OB-001", "OA-001"]),
        ("name", sorted(["OA-001", "OA-002", "OB-001"], key=lambda c: c)),
    ],
)
def test_ordering(world, center, ordering, expected):
    rows = center.get(URL, {"ordering": ordering}).json()["results"]
    if ordering == "name":
        names = [r["name"] for r in rows]
        assert names == sorted(names)
    else:
        assert [r["code"] for r in rows] == expected


def test_unknown_ordering_field_is_ignored(world, center):
    assert center.get(URL, {"ordering": "address"}).status_code == 200


def _many_outlets(world, n, prefix="M"):
    return [
        make_outlet(
            f"{prefix}-{i:04d}",
            f"批量网点{i}",
            bank=world.banks["A"],
            sub_branch=world.orgs["subA"],
            district=world.districts["A"],
            services=[world.services["apply"], world.services["activation"]],
        )
        for i in range(n)
    ]


def test_pagination_limits(world, center):
    Outlet.objects.bulk_create(
        Outlet(
            code=f"P-{i:04d}",
            name=f"分页网点{i}",
            bank=world.banks["B"],
            sub_branch=world.orgs["subB"],
            district=world.districts["B"],
            address="沙坪坝区某路",
            latitude=29.5,
            longitude=106.4,
        )
        for i in range(247)
    )
    total = 250
    body = center.get(URL).json()
    assert body["count"] == total and len(body["results"]) == 50 and body["previous"] is None
    assert "page=2" in body["next"]
    assert len(center.get(URL, {"page_size": 1000}).json()["results"]) == 200  # capped at 200
    last = center.get(URL, {"page_size": 200, "page": 2}).json()
    assert len(last["results"]) == 50 and last["next"] is None
    assert len(center.get(URL, {"page_size": 7}).json()["results"]) == 7
    assert len(center.get(URL, {"page_size": "lots"}).json()["results"]) == 50
    assert_problem(center.get(URL, {"page": 99}), 404)
    assert_problem(center.get(URL, {"page": "zero"}), 404)
    # Pages neither repeat nor skip rows.
    seen = []
    for page in range(1, 6):
        seen += [r["id"] for r in center.get(URL, {"page": page, "ordering": "district"}).json()["results"]]
    assert len(seen) == len(set(seen)) == total


@pytest.mark.parametrize("n", [5, 50])
def test_list_query_count_is_constant(world, django_assert_max_num_queries, n):
    _many_outlets(world, n)
    client = bearer_client(world.users[Role.CENTER_OFFICER])
    client.get(URL)  # first use stamps the token's last_used_at
    # token lookup, count, page, services prefetch
    with django_assert_max_num_queries(4):
        resp = client.get(URL, {"page_size": 200})
    assert resp.json()["count"] == n + 3
    with django_assert_max_num_queries(4):
        resp = client.get(URL, {"page_size": 200, "q": "批量", "district": "500103", "service": "apply"})
    assert resp.json()["count"] == n


@pytest.mark.parametrize("n", [5, 50])
def test_scoped_list_query_count_is_constant(world, django_assert_max_num_queries, n):
    _many_outlets(world, n)
    client = bearer_client(world.users[Role.BANK_APPLICANT])
    client.get(URL)
    with django_assert_max_num_queries(4):
        resp = client.get(URL, {"page_size": 200})
    assert resp.json()["count"] == n + 2


# --- writes ---------------------------------------------------------------------------------------------


def new_outlet(world, **overrides):
    data = {
        "code": "NEW-001",
        "name": "中国工商银行重庆较场口分理处",
        "bank": world.banks["A"].pk,
        "sub_branch": world.orgs["subA"].pk,
        "district": world.districts["A"].pk,
        "address": "渝中区较场口1号",
        "latitude": 29.55,
        "longitude": 106.57,
        "weekday_hours": "09:00-17:00",
        "services": ["apply", "instant_issuance"],
        "consultation_phone": "023-63000003",
    }
    data.update(overrides)
    return data


def test_create(world):
    client = bearer_client(world.users[Role.DISTRICT_OFFICER])
    resp = client.post(URL, new_outlet(world), format="json")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    outlet = Outlet.objects.get(code="NEW-001")
    assert body["id"] == outlet.pk and resp["ETag"] == '"1"'
    assert resp["Location"].endswith(f"/api/v1/outlets/{outlet.pk}/")
    assert body["services"] == ["apply", "instant_issuance"] and body["instant_issuance"] is True
    assert body["status"] == OutletStatus.APPLYING
    assert body["interconnection_mode"] == InterconnectionMode.JINYU
    assert outlet.name_initials.startswith("zggsyh")
    event = AuditEvent.objects.get(action="outlet.create", object_id=str(outlet.pk))
    assert event.actor_username == world.users[Role.DISTRICT_OFFICER].username
    assert event.source == "api"


def test_create_ignores_status(world, center):
    resp = center.post(URL, new_outlet(world, status="active", instant_issuance=False), format="json")
    assert resp.status_code == 201
    assert resp.json()["status"] == OutletStatus.APPLYING
    assert resp.json()["instant_issuance"] is True  # follows the instant_issuance service


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"latitude": 39.9}, {"latitude"}),  # Beijing
        ({"longitude": 116.4, "latitude": 10}, {"latitude", "longitude"}),
        ({"latitude": "north"}, {"latitude"}),
        ({"consultation_phone": "call me"}, {"consultation_phone"}),
        ({"complaint_phone": "12"}, {"complaint_phone"}),
        ({"weekday_hours": "9-5"}, {"weekday_hours"}),
        ({"sub_branch": "SUBB"}, {"sub_branch"}),  # of bank B, replaced below
        ({"sub_branch": "BRANCHA"}, {"sub_branch"}),  # not a sub-branch
        ({"bank": 999999}, {"bank"}),
        ({"services": ["teleportation"]}, {"services"}),
        ({"interconnection_mode": "fax"}, {"interconnection_mode"}),
        ({"jinyu_migration_planned_on": "next year"}, {"jinyu_migration_planned_on"}),
        ({"code": "OA-001"}, {"code"}),  # already taken
        ({"name": "", "address": ""}, {"name", "address"}),
    ],
)
def test_create_field_errors_are_400_naming_each_field(world, center, overrides, fields):
    if overrides.get("sub_branch") == "SUBB":
        overrides["sub_branch"] = world.orgs["subB"].pk
    if overrides.get("sub_branch") == "BRANCHA":
        overrides["sub_branch"] = world.orgs["branchA"].pk
    body = assert_problem(center.post(URL, new_outlet(world, **overrides), format="json"), 400, "validation_failed")
    assert set(body["errors"]) == fields, body
    assert all(body["errors"][f] for f in fields)
    assert not Outlet.objects.filter(code="NEW-001").exists()


def test_missing_required_fields(world, center):
    body = assert_problem(center.post(URL, {}, format="json"), 400)
    assert set(body["errors"]) == {"code", "name", "bank", "sub_branch", "district", "address", "latitude", "longitude"}


def test_patch_with_if_match(world, center):
    outlet = world.outlets["A"]
    etag = center.get(detail_url(outlet))["ETag"]
    resp = center.patch(detail_url(outlet), {"hours_note": "午间不休"}, format="json", HTTP_IF_MATCH=etag)
    assert resp.status_code == 200, resp.content
    assert resp.json()["version"] == outlet.version + 1
    assert resp["ETag"] == f'"{outlet.version + 1}"'
    assert resp.json()["opening_hours"].endswith("午间不休")
    # The first ETag is now stale: 412, and nothing changes.
    stale = center.patch(detail_url(outlet), {"hours_note": "覆盖"}, format="json", HTTP_IF_MATCH=etag)
    assert_problem(stale, 412, "stale_version")
    outlet.refresh_from_db()
    assert outlet.hours_note == "午间不休"
    event = AuditEvent.objects.get(action="outlet.update", object_id=str(outlet.pk))
    assert "午间不休" in event.after_json


@pytest.mark.parametrize("header", ['"0"', 'W/"1"', "garbage", '"1", "2"'])
def test_if_match_that_names_no_current_version_is_412(world, center, header):
    resp = center.patch(detail_url(world.outlets["A"]), {"hours_note": "x"}, format="json", HTTP_IF_MATCH=header)
    assert_problem(resp, 412)


def test_if_match_star_and_absent_apply(world, center):
    url = detail_url(world.outlets["A"])
    assert center.patch(url, {"hours_note": "x"}, format="json", HTTP_IF_MATCH="*").status_code == 200
    assert center.patch(url, {"hours_note": "y"}, format="json").status_code == 200


def test_stale_precondition_wins_over_bad_payload(world, center):
    resp = center.patch(detail_url(world.outlets["A"]), {"latitude": 99}, format="json", HTTP_IF_MATCH='"7"')
    assert_problem(resp, 412)


def test_patch_field_errors(world, center):
    url = detail_url(world.outlets["A"])
    body = assert_problem(center.patch(url, {"latitude": 1, "complaint_phone": "?"}, format="json"), 400)
    assert set(body["errors"]) == {"latitude", "complaint_phone"}
    body = assert_problem(center.patch(url, {"sub_branch": world.orgs["subB"].pk}, format="json"), 400)
    assert set(body["errors"]) == {"sub_branch"}


def test_patch_services_updates_instant_issuance(world, center):
    url = detail_url(world.outlets["B"])
    body = center.patch(url, {"services": ["apply", "instant_issuance"]}, format="json").json()
    assert body["instant_issuance"] is True and body["services"] == ["apply", "instant_issuance"]
    body = center.patch(url, {"services": []}, format="json").json()
    assert body["instant_issuance"] is False and body["services"] == []


def test_district_officer_cannot_move_an_outlet_to_another_district(world):
    client = bearer_client(world.users[Role.DISTRICT_OFFICER])
    resp = client.patch(detail_url(world.outlets["A"]), {"district": world.districts["B"].pk}, format="json")
    body = assert_problem(resp, 400)
    assert set(body["errors"]) == {"district"}


def test_put_replaces_master_data(world, center):
    outlet = world.outlets["A"]
    data = new_outlet(world, code=outlet.code, hours_note="")
    data.pop("services")
    resp = center.put(detail_url(outlet), data, format="json", HTTP_IF_MATCH=f'"{outlet.version}"')
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["name"] == data["name"] and body["weekend_hours"] == "" and body["services"] == []
    # PUT without every required field is a 400, not a partial update.
    assert_problem(center.put(detail_url(outlet), {"name": "x"}, format="json"), 400)


def test_other_collections(world, center):
    assert center.get("/api/v1/districts/", {"q": "ypb"}).json()["count"] == 0
    assert ids(center.get("/api/v1/districts/", {"q": "spb"})) == {world.districts["B"].pk}
    assert ids(center.get("/api/v1/districts/", {"q": "500103"})) == {world.districts["A"].pk}
    assert ids(center.get("/api/v1/districts/", {"kind": "district"})) == {d.pk for d in world.districts.values()}
    assert_problem(center.get("/api/v1/districts/", {"kind": "planet"}), 400)
    orgs = center.get("/api/v1/organisations/", {"kind": "sub_branch", "bank": world.banks["A"].pk})
    assert ids(orgs) == {world.orgs["subA"].pk}
    assert ids(center.get("/api/v1/organisations/", {"parent": world.orgs["branchB"].pk})) == {world.orgs["subB"].pk}
    assert ids(center.get("/api/v1/organisations/", {"district": world.districts["B"].pk})) == {
        world.orgs["agencyB"].pk,
        world.orgs["subB"].pk,
    }
    assert ids(center.get("/api/v1/banks/", {"q": "建设"})) == {world.banks["B"].pk}
    assert ids(center.get("/api/v1/banks/", {"q": "gsyh"})) == {world.banks["A"].pk}
    services = center.get("/api/v1/card_services/").json()["results"]
    assert [s["code"] for s in services][:2] == ["apply", "instant_issuance"]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_fast_representation_equals_the_declared_fields(world, lang):
    """``OutletSerializer.to_representation`` is hand-written for speed; DRF's generic field-by-field
    serialisation of the declared fields (what the OpenAPI document describes) must give the same."""
    from django.utils import translation
    from rest_framework import serializers as drf_serializers
    from rest_framework.renderers import JSONRenderer

    from ssc.registry.api.serializers import OutletSerializer
    from ssc.registry.api.views import outlet_queryset, with_service_codes

    Outlet.objects.filter(pk=world.outlets["B"].pk).update(
        jinyu_migration_planned_on="2026-06-30", interconnection_mode="legacy", hours_note="午休 12:00-13:00"
    )
    user = world.users[Role.CENTER_OFFICER]
    with translation.override(lang):
        outlets = list(outlet_queryset(user))
        assert len(outlets) == 3
        for outlet in outlets:
            ser = OutletSerializer(outlet)
            generic = JSONRenderer().render(drf_serializers.ModelSerializer.to_representation(ser, outlet))
            assert JSONRenderer().render(ser.data) == generic
            with_service_codes([outlet])
            assert JSONRenderer().render(OutletSerializer(outlet).data) == generic


def test_a_terminated_outlet_is_read_only(world, center, client):
    """退出合作的网点: its record stays as it was (history); API 409, the edit page sends back, nothing changes."""
    outlet = world.outlets["A"]
    Outlet.objects.filter(pk=outlet.pk).update(status=OutletStatus.TERMINATED)
    assert center.get(detail_url(outlet)).status_code == 200
    assert_problem(center.patch(detail_url(outlet), {"hours_note": "改"}, format="json"), 409, "invalid_state")
    client.force_login(world.users[Role.CENTER_OFFICER])
    page = client.get(f"/outlets/{outlet.pk}/")
    assert page.status_code == 200
    assert f"/outlets/{outlet.pk}/edit/" not in page.content.decode()
    resp = client.post(f"/outlets/{outlet.pk}/edit/", {"hours_note": "改"})
    assert resp.status_code == 302 and resp["Location"] == f"/outlets/{outlet.pk}/"
    outlet.refresh_from_db()
    assert outlet.hours_note != "改" and outlet.status == OutletStatus.TERMINATED
