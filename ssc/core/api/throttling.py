"""Rate limits kept in the cache (Redis in production, so every worker counts together)."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from rest_framework.throttling import ScopedRateThrottle

from ssc.core.middleware import client_ip

# Default rates per scope; ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` or ``SSC_THROTTLE_RATES`` override.
DEFAULT_RATES = {
    # Token requests per client address: with the per-account lockout this bounds password guessing.
    "auth_token": "20/min",
}


class SettingsScopedRateThrottle(ScopedRateThrottle):
    """``ScopedRateThrottle`` whose rate is read from settings at request time (so tests and deployments
    can change it without re-importing DRF's settings)."""

    def get_rate(self) -> str | None:
        # SSC_THROTTLE_RATES, else DRF's DEFAULT_THROTTLE_RATES, else DEFAULT_RATES (looked up, not merged: this
        # runs for every public request).
        scope = self.scope
        own = getattr(settings, "SSC_THROTTLE_RATES", {})
        if scope in own:
            return own[scope]
        drf = cast("dict[str, str | None]", settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES") or {})
        if scope in drf:
            return drf[scope]
        return DEFAULT_RATES.get(scope) if scope else None

    def get_ident(self, request: Any) -> str:
        # DRF's default trusts any X-Forwarded-For a client sends, so rotating that header would dodge the
        # limit. The client address is the one the request context uses (X-Real-IP only from our own proxy).
        return client_ip(request) or "unknown"
