"""The public API: search, filters, near, ETag/304, cache invalidation on publish and hide, rate limit, exports,
bad parameters (400 problem+json, never 500), constant query count, the OpenAPI document."""

from __future__ import annotations

import csv
import io
import json
import sys

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from ssc.accounts.choices import Role
from ssc.core.testing import make_outlet
from ssc.core.tests.api import assert_problem
from ssc.registry.models import Outlet
from ssc.roster import services as roster

LIST = "/api/v1/public/outlets/"
ROSTER = "/api/v1/public/roster/"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def publish(world, outlets=None):
    outlet_ids = [o.pk for o in outlets] if outlets else list(Outlet.objects.values_list("pk", flat=True))
    return roster.publish(outlet_ids=outlet_ids, actor=world.users[Role.CENTER_OFFICER], reason="测试")


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def published(world):
    publish(world)
    return world


def result_ids(response):
    assert response.status_code == 200, response.content[:300]
    return [r["id"] for r in response.json()["results"]]


def test_search_without_login(published, client):
    w = published
    r = client.get(LIST, {"q": "gsyh"})
    assert r["Content-Type"] == "application/json"
    body = r.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2 and set(result_ids(r)) == {w.outlets["A"].pk, w.outlets["AB"].pk}
    outlet = next(o for o in body["results"] if o["id"] == w.outlets["A"].pk)
    assert outlet["name"] == "中国工商银行重庆解放碑分理处"
    assert outlet["bank"]["hotline"] == "95588" and outlet["district"]["code"] == "500103"
    assert outlet["consultation_phone"] == "023-63000001" and outlet["complaint_phone"] == "023-63000002"
    assert [s["code"] for s in outlet["services"]] == ["apply", "instant_issuance", "replacement"]
    assert "distance_m" not in outlet and "status" not in outlet
    assert result_ids(client.get(LIST, {"q": "解放碑"})) == [w.outlets["A"].pk]
    assert result_ids(client.get(LIST, {"q": "zh"})) == [w.outlets["B"].pk]


def test_filters_by_id_or_code(published, client):
    w = published
    b, ab = w.outlets["B"].pk, w.outlets["AB"].pk
    assert set(result_ids(client.get(LIST, {"district": w.districts["B"].pk}))) == {b, ab}
    assert set(result_ids(client.get(LIST, {"district": "500106"}))) == {b, ab}
    assert result_ids(client.get(LIST, {"district": "500106", "bank": "icbc"})) == [ab]
    assert result_ids(client.get(LIST, {"bank": w.banks["B"].pk})) == [b]
    assert result_ids(client.get(LIST, {"service": "instant_issuance"})) == [w.outlets["A"].pk]
    assert result_ids(client.get(LIST, {"instant_issuance": "true"})) == [w.outlets["A"].pk]
    assert set(result_ids(client.get(LIST, {"instant_issuance": "false"}))) == {b, ab}


def test_near_sorted_with_distance(published, client):
    w = published
    # At outlet B (沙坪坝): B itself, then AB (1.05 km), then A (解放碑, about 11.8 km).
    r = client.get(LIST, {"near": "29.5410,106.4566"})
    rows = r.json()["results"]
    assert [o["id"] for o in rows] == [w.outlets["B"].pk, w.outlets["AB"].pk, w.outlets["A"].pk]
    assert rows[0]["distance_m"] == 0
    assert rows[1]["distance_m"] == pytest.approx(1_053, abs=2)  # 1000.8 m north, 328.9 m east
    assert rows[2]["distance_m"] == pytest.approx(11_790, rel=0.02)


def test_pagination_links(published, client):
    r = client.get(LIST, {"page_size": 2})
    body = r.json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["previous"] is None
    assert body["next"].startswith("http://testserver/api/v1/public/outlets/?") and "page=2" in body["next"]
    second = client.get(body["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None and "page=1" in second["previous"]
    assert_problem(client.get(LIST, {"page": 3, "page_size": 2}), 404)
    assert client.get(LIST, {"q": "没有这种网点"}).json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_detail(published, client, django_capture_on_commit_callbacks):
    w = published
    r = client.get(f"{LIST}{w.outlets['A'].pk}/")
    assert r.status_code == 200 and r.json()["code"] == "OA-001" and r["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        roster.hide(outlet=w.outlets["A"], actor=w.users[Role.CENTER_OFFICER])
    assert_problem(client.get(f"{LIST}{w.outlets['A'].pk}/"), 404)
    assert_problem(client.get(f"{LIST}999999/"), 404)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"near": "abc"}, "near"),
        ({"near": "29.5"}, "near"),
        ({"near": "95,106"}, "near"),
        ({"near": "nan,106"}, "near"),
        ({"page": "-1"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"page_size": "500"}, "page_size"),
        ({"district": "999999"}, "district"),
        ({"district": "渝中"}, "district"),
        ({"bank": "nobank"}, "bank"),
        ({"service": "flying"}, "service"),
        ({"instant_issuance": "maybe"}, "instant_issuance"),
        ({"q": "字" * 101}, "q"),
    ],
)
def test_bad_parameters_are_400_problems(published, client, query, field):
    body = assert_problem(client.get(LIST, query), 400, "validation_failed")
    assert list(body["errors"]) == [field]


def test_bad_parameters_in_english(published, client):
    body = assert_problem(client.get(LIST, {"near": "abc"}, HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert body["title"].isascii() and body["errors"]["near"][0].startswith("The location must be")
    district = assert_problem(client.get(LIST, {"district": "x"}, HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert district["errors"]["district"] == ["No such district."]


def test_odd_input_is_never_a_server_error(published, client):
    for q in ["%", "_", "\\", '"', "'; DROP TABLE x; --", "a\x00b", "ｇｓｙｈ", "💳", "  ", "a" * 100]:
        assert client.get(LIST, {"q": q}).status_code == 200, q
    assert result_ids(client.get(LIST, {"q": "ｇｓｙｈ"}))


def test_hidden_and_unpublished_outlets_never_appear(published, client):
    w = published
    roster.hide(outlet=w.outlets["B"], actor=w.users[Role.CENTER_OFFICER], reason="退出")
    assert w.outlets["B"].pk not in result_ids(client.get(LIST))
    assert w.outlets["B"].pk not in result_ids(client.get(LIST, {"near": "29.5410,106.4566"}))
    new = make_outlet(
        "OA-050",
        "中国工商银行重庆筹备网点",
        bank=w.banks["A"],
        sub_branch=w.orgs["subA"],
        district=w.districts["A"],
        status="preparing",
    )
    publish(w, [new])
    assert new.pk not in result_ids(client.get(LIST))
    dump = json.loads(b"".join(client.get(ROSTER).streaming_content))
    assert {o["id"] for o in dump["outlets"]} == {w.outlets["A"].pk, w.outlets["AB"].pk}


def test_etag_and_304(published, client):
    r = client.get(LIST, {"q": "gsyh"})
    etag = r["ETag"]
    assert etag.startswith('"') and "max-age=" in r["Cache-Control"] and "public" in r["Cache-Control"]
    again = client.get(LIST, {"q": "gsyh"}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    # Another query is another resource.
    assert client.get(LIST, {"q": "jsyh"}, HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert client.get(LIST, {"q": "gsyh"}, HTTP_IF_NONE_MATCH=f'"x", W/{etag}').status_code == 304


def test_cache_invalidated_on_publish_and_hide(published, client, django_capture_on_commit_callbacks):
    w = published
    first = client.get(LIST, {"q": "gsyh"})
    with CaptureQueriesContext(connection) as ctx:
        cached = client.get(LIST, {"q": "gsyh"})
    assert cached.content == first.content
    assert not [q for q in ctx.captured_queries if "roster_rosterentry" in q["sql"] and "hidden" in q["sql"]][1:]
    # A new version (an address change) shows at once, under a new ETag.
    Outlet.objects.filter(pk=w.outlets["A"].pk).update(address="渝中区新华路 1 号")
    with django_capture_on_commit_callbacks(execute=True):
        publish(w, [w.outlets["A"]])
    after = client.get(LIST, {"q": "gsyh"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    assert "渝中区新华路 1 号" in after.content.decode()
    # Hiding (termination filed) too.
    with django_capture_on_commit_callbacks(execute=True):
        roster.hide(outlet=w.outlets["A"], actor=w.users[Role.CENTER_OFFICER])
    hidden = client.get(LIST, {"q": "gsyh"}, HTTP_IF_NONE_MATCH=after["ETag"])
    assert hidden.status_code == 200 and result_ids(hidden) == [w.outlets["AB"].pk]


def test_cached_response_needs_no_outlet_query(published, client, django_assert_max_num_queries):
    client.get(LIST, {"q": "gsyh"})
    with django_assert_max_num_queries(0):
        assert client.get(LIST, {"q": "gsyh"}).status_code == 200


def test_query_count_is_constant_in_the_number_of_rows(published, client, django_assert_max_num_queries):
    w = published
    more = [
        make_outlet(
            f"OQ-{i:03d}",
            f"中国工商银行重庆测试{i}网点",
            bank=w.banks["A"],
            sub_branch=w.orgs["subA"],
            district=w.districts["A"],
            services=[w.services["apply"]],
        )
        for i in range(30)
    ]
    publish(w, more)
    for query in ({"page_size": 3}, {"page_size": 30}, {"near": "29.5573,106.5770", "page_size": 30}):
        cache.clear()
        # Generation (2), count, page; reference data for the filters once more when given.
        with django_assert_max_num_queries(4):
            assert len(client.get(LIST, query).json()["results"]) == query["page_size"]
    cache.clear()
    with django_assert_max_num_queries(7):
        assert client.get(LIST, {"district": "500103", "bank": "icbc", "service": "apply"}).json()["count"] == 31


def test_rate_limit(published, client, settings):
    settings.SSC_PUBLIC_RATE_LIMIT = "3/min"
    for _ in range(3):
        assert client.get(LIST).status_code == 200
    limited = client.get(LIST)
    body = assert_problem(limited, 429, "throttled")
    wait = int(limited["Retry-After"])
    assert 1 <= wait <= 60 and str(wait) in body["detail"]
    # The budget is per address, not per endpoint.
    r = client.get(f"{LIST}{published.outlets['A'].pk}/")
    assert r.status_code == 429 and int(r["Retry-After"]) >= 1
    # Another client address has its own budget.
    assert client.get(LIST, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_rate_limit_can_be_switched_off(published, client, settings):
    settings.SSC_PUBLIC_RATE_LIMIT = "off"
    for _ in range(5):
        assert client.get(LIST).status_code == 200


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_roster_exports_parse_back(published, client):
    w = published
    version = roster.latest()
    r = client.get(ROSTER)
    assert r.status_code == 200 and r["Content-Type"] == "application/json" and r["ETag"] and r["Last-Modified"]
    dump = json.loads(_body(r))
    assert dump["version"]["number"] == version.number and dump["count"] == 3 and dump["coordinate_system"] == "GCJ-02"
    assert [o["id"] for o in dump["outlets"]] == sorted(o.pk for o in w.outlets.values())

    geo = client.get(ROSTER, {"format": "geojson"})
    assert geo["Content-Type"] == "application/geo+json"
    fc = json.loads(_body(geo))
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 3
    f = next(f for f in fc["features"] if f["id"] == w.outlets["B"].pk)
    assert f["type"] == "Feature" and f["geometry"] == {"type": "Point", "coordinates": [106.4566, 29.5410]}
    assert f["properties"]["name"] == w.outlets["B"].name and "latitude" not in f["properties"]

    c = client.get(ROSTER, {"format": "csv"})
    assert c["Content-Type"].startswith("text/csv") and "attachment" in c["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(_body(c).decode("utf-8-sig"))))
    assert rows[0][:3] == ["网点ID", "网点编码", "网点名称"] and len(rows) == 4
    row_a = next(r for r in rows[1:] if r[1] == "OA-001")
    assert row_a[2] == "中国工商银行重庆解放碑分理处" and "即时制卡" in row_a[13] and row_a[14] == "是"

    from openpyxl import load_workbook

    x = client.get(ROSTER, {"format": "xlsx"})
    assert x["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(_body(x)), read_only=True).active
    values = list(ws.iter_rows(values_only=True))
    assert values[0][1] == "网点编码" and len(values) == 4
    assert {v[1] for v in values[1:]} == {"OA-001", "OA-002", "OB-001"}

    assert_problem(client.get(ROSTER, {"format": "pdf"}), 400)
    assert client.get(ROSTER, HTTP_IF_NONE_MATCH=r["ETag"]).status_code == 304


def test_roster_before_any_version(db, client):
    dump = json.loads(_body(client.get(ROSTER)))
    assert dump == {"version": None, "coordinate_system": "GCJ-02", "count": 0, "outlets": []}


def test_public_endpoints_in_openapi(db, client):
    from drf_spectacular.generators import SchemaGenerator

    doc = SchemaGenerator().get_schema(request=None, public=True)
    paths = doc["paths"]
    for p in ("/api/v1/public/outlets/", "/api/v1/public/outlets/{id}/", "/api/v1/public/roster/"):
        assert p in paths, p
    params = {p["name"] for p in paths["/api/v1/public/outlets/"]["get"]["parameters"]}
    assert {"q", "district", "bank", "service", "instant_issuance", "near", "page", "page_size"} <= params
    assert {"200", "304", "400", "429"} <= set(paths["/api/v1/public/outlets/"]["get"]["responses"])
    assert paths["/api/v1/public/outlets/"]["get"]["security"] == [{}]  # no log-in


def test_no_pinyin_conversion_at_request_time(published, client, monkeypatch):
    """Loading pypinyin's dictionaries costs seconds and megabytes: the public API never needs it."""
    monkeypatch.setitem(sys.modules, "pypinyin", None)  # any import of it now fails
    for q in ("gsyh", "解放碑", "jiefangbei", "工行 88"):
        assert client.get(LIST, {"q": q}).status_code == 200
        assert client.get("/directory/", {"q": q}).status_code == 200
    assert client.get(ROSTER, {"format": "csv"}).status_code == 200


def test_gzip_when_accepted(published, client):
    import gzip

    plain = client.get(LIST, {"page_size": 3})
    packed = client.get(LIST, {"page_size": 3}, HTTP_ACCEPT_ENCODING="gzip, br")
    assert "Content-Encoding" not in plain and packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content and len(packed.content) < len(plain.content)
    assert "Accept-Encoding" in packed["Vary"] and packed["ETag"] != plain["ETag"]
    again = client.get(LIST, {"page_size": 3}, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"])
    assert again.status_code == 304
    page = client.get("/directory/", HTTP_ACCEPT_ENCODING="gzip")
    assert page["Content-Encoding"] == "gzip" and "12333" in gzip.decompress(page.content).decode()
