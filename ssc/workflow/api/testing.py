"""Helpers for API tests of workflow objects: post an action the way an integration would (JSON, or multipart
with files and the other fields as one JSON ``payload`` part)."""

from __future__ import annotations

import json
from typing import Any

from rest_framework.test import APIClient

from .payload import PAYLOAD_PART


def post_action(
    client: APIClient,
    resource: str,
    case_id: int,
    action: str,
    data: dict[str, Any] | None = None,
    files: dict[str, Any] | None = None,
    **headers: Any,
) -> Any:
    """``POST /api/v1/<resource>/<id>/actions/<action>/``: JSON without files, multipart with them."""
    url = f"/api/v1/{resource}/{case_id}/actions/{action}/"
    if files:
        body: dict[str, Any] = {PAYLOAD_PART: json.dumps(data or {}, ensure_ascii=False)}
        for name, value in files.items():
            if value is not None:
                body[name] = value
        return client.post(url, body, format="multipart", **headers)
    return client.post(url, data or {}, format="json", **headers)


def if_match(version: int) -> dict[str, str]:
    return {"HTTP_IF_MATCH": f'"{version}"'}
