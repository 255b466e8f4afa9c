"""Optimistic concurrency over HTTP: ``ETag: "<version>"`` out, ``If-Match: "<version>"`` in."""

from __future__ import annotations

from typing import Any

from ssc.core.errors import StaleVersion


def etag(version: int) -> str:
    return f'"{version}"'


def if_match_version(request: Any) -> int | None:
    """The version named by ``If-Match``; ``None`` when absent or ``*`` (no precondition).

    A value that names no version of ours (malformed, weak, several tags) can never match the current
    representation, so it fails the precondition like a stale one (RFC 9110 §13.1.1).
    """
    raw = (request.headers.get("If-Match") or "").strip()
    if not raw or raw == "*":
        return None
    if raw.startswith('"') and raw.endswith('"') and raw[1:-1].isdigit() and len(raw) <= 20:
        return int(raw[1:-1])
    raise StaleVersion()


def check_if_match(request: Any, current_version: int) -> int | None:
    """Raise ``StaleVersion`` (412) when ``If-Match`` names another version; return the expected one."""
    expected = if_match_version(request)
    if expected is not None and expected != current_version:
        raise StaleVersion()
    return expected
