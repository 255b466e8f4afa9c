"""problem+json everywhere under /api/, localised by Accept-Language; probes; the OpenAPI document."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.utils import translation
from rest_framework.test import APIClient

from ssc.accounts.choices import Role
from ssc.core.api import views as api_views
from ssc.core.api.exceptions import problem_exception_handler
from ssc.core.errors import CalendarMissing, InvalidState, StaleVersion, ValidationFailed
from ssc.core.tests.api import PROBLEM, assert_problem, bearer_client


def test_unauthenticated_is_401_problem_in_chinese_by_default(db):
    resp = APIClient().get("/api/v1/outlets/")
    body = assert_problem(resp, 401, "not_authenticated")
    assert body["title"] == "需要登录"
    assert resp["WWW-Authenticate"].startswith("Bearer")
    assert resp["Content-Language"] == "zh-hans"


def test_accept_language_en_switches_the_language(db):
    resp = APIClient().get("/api/v1/outlets/", HTTP_ACCEPT_LANGUAGE="en")
    body = assert_problem(resp, 401)
    assert resp["Content-Language"] == "en"
    # DRF ships its own English catalogue; the detail is English without any project .po.
    assert body["detail"] == "Authentication credentials were not provided."
    with translation.override("en"):
        title_en = translation.gettext("需要登录")
    if title_en == "需要登录":
        pytest.skip("project English catalogue not compiled yet (the lead compiles .po at the end)")
    assert body["title"] == title_en


def test_unknown_api_route_is_404_problem(db):
    resp = APIClient().get("/api/v1/no_such_thing/")
    assert_problem(resp, 404, "not_found")
    # A non-numeric id does not reach the database: the route itself does not exist.
    user_client = bearer_client(_any_user())
    assert_problem(user_client.get("/api/v1/outlets/abc/"), 404)


def test_non_api_404_stays_html(db):
    resp = APIClient().get("/definitely-not-a-page/")
    assert resp.status_code == 404
    assert not resp["Content-Type"].startswith(PROBLEM)


def test_handler500_for_api_paths_is_problem():
    request = RequestFactory().get("/api/v1/outlets/")
    request.request_id = "abc123"
    resp = api_views.handler500(request)
    assert resp.status_code == 500
    assert resp["Content-Type"].startswith(PROBLEM)
    body = json.loads(resp.content)
    assert body["status"] == 500 and "abc123" in body["detail"]


def test_parse_error_is_400_problem(world):
    client = bearer_client(world.users[Role.CENTER_OFFICER])
    resp = client.post("/api/v1/outlets/", data="{not json", content_type="application/json")
    assert_problem(resp, 400, "parse_error")


def test_unsupported_media_type_is_415_problem(world):
    client = bearer_client(world.users[Role.CENTER_OFFICER])
    resp = client.post("/api/v1/outlets/", data="x", content_type="text/plain")
    assert_problem(resp, 415)


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (ValidationFailed(errors={"latitude": ["坏"], "__all__": ["整体"]}), 400, "validation_failed"),
        (InvalidState(), 409, "invalid_state"),
        (StaleVersion(), 412, "stale_version"),
        (CalendarMissing("2031"), 422, "calendar_missing"),
    ],
)
def test_domain_errors_map_to_their_status(exc, status, code):
    from django.utils import translation

    with translation.override("zh-hans"):  # no request here: do not inherit an earlier test's language
        resp = problem_exception_handler(exc, {})
    assert resp.status_code == status
    assert resp.content_type == PROBLEM
    assert resp.data["type"].endswith(code)
    if status == 400:
        assert resp.data["errors"] == {"latitude": ["坏"], "non_field_errors": ["整体"]}
        assert resp.data["detail"] == "请检查标出的字段。"
    if status == 422:
        assert resp.data["detail"] == "2031"


def test_healthz_and_readyz(db):
    client = APIClient()
    assert client.get("/healthz").json() == {"status": "ok"}
    resp = client.get("/readyz")
    assert resp.status_code == 200 and resp.json()["database"] == connection.vendor


def test_readyz_503_problem_when_database_is_down(db, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise RuntimeError("database unavailable")

    client = APIClient()
    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken_cursor)
        resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp["Content-Type"].startswith(PROBLEM)
    assert resp["Retry-After"]
    assert json.loads(resp.content)["type"].endswith("not_ready")


def test_openapi_document_is_valid(db, tmp_path):
    out = tmp_path / "schema.yaml"
    # --validate checks against the OpenAPI 3 JSON schema; --fail-on-warn turns any warning into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "openapi: 3" in text
    for path in ("/api/v1/auth/token/", "/api/v1/outlets/{id}/", "/api/v1/outlets/{id}/system_accounts/"):
        assert path in text
    assert "application/problem+json" in text


def test_schema_and_docs_are_served(db):
    client = APIClient()
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    doc = json.loads(schema.content)
    assert doc["openapi"].startswith("3.")
    assert "bearerAuth" in doc["components"]["securitySchemes"]
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def _any_user():
    from ssc.core.testing import build_world

    return build_world().users[Role.CENTER_OFFICER]
