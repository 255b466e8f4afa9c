"""Rate limits of the public directory, per client address (Redis in production, so all workers count together).

``SSC_PUBLIC_RATE_LIMIT`` (default ``600/min``) for searches, pages and outlets; ``SSC_PUBLIC_DOWNLOAD_RATE_LIMIT``
(default ``30/min``) for the whole-roster downloads. ``off`` (or empty) disables a limit; the scopes ``public``
and ``public_download`` in ``SSC_THROTTLE_RATES`` override both.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from ssc.core.api.throttling import SettingsScopedRateThrottle

_SETTINGS = {
    "public": ("SSC_PUBLIC_RATE_LIMIT", "600/min"),
    "public_download": ("SSC_PUBLIC_DOWNLOAD_RATE_LIMIT", "30/min"),
}


class PublicRateThrottle(SettingsScopedRateThrottle):
    """Per client address, whoever is signed in (the public pages do not look at the session)."""

    def get_rate(self) -> str | None:
        rate = super().get_rate()
        if rate is None and self.scope in _SETTINGS:
            name, default = _SETTINGS[self.scope]
            rate = getattr(settings, name, default)
        if not rate or str(rate).lower() in {"off", "0", "none"}:
            return None
        return str(rate)

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class _PageView:
    def __init__(self, scope: str):
        self.throttle_scope = scope


def page_wait(request: HttpRequest, scope: str = "public") -> float | None:
    """For plain Django views: ``None`` when ``request`` may proceed, else the seconds to wait."""
    throttle = PublicRateThrottle()
    if throttle.allow_request(request, _PageView(scope)):  # type: ignore[arg-type]  # duck-typed
        return None
    return throttle.wait() or 1.0
