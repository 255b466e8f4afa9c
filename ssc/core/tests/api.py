"""Helpers for API tests: a client that authenticates the way integrations do (a real bearer token)."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from ssc.accounts.models import ApiToken

PROBLEM = "application/problem+json"


def bearer_client(user: Any, **headers: str) -> APIClient:
    """An ``APIClient`` sending ``Authorization: Bearer <token>`` for a freshly issued token of ``user``."""
    _, raw = ApiToken.issue(user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}", **headers)
    client.raw_token = raw  # type: ignore[attr-defined]
    return client


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is an RFC 9457 problem document with ``status`` (and ``type`` ending in ``code``)."""
    assert response.status_code == status, (response.status_code, getattr(response, "content", b"")[:500])
    assert response["Content-Type"].startswith(PROBLEM), response["Content-Type"]
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"].startswith("https://")
    if code is not None:
        assert body["type"].endswith("/" + code), body["type"]
    return body


def ids(response: Any) -> set[int]:
    return {row["id"] for row in response.json()["results"]}
