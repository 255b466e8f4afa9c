"""``unread_notifications`` on every page, for the header's badge. Counted only if a template uses it."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .services import unread_count

    # Templates call a callable variable; ``cache`` makes repeated uses one query.
    return {"unread_notifications": cache(lambda: unread_count(user))}
