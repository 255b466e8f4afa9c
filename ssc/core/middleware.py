"""Middleware that fills the request context (see ``ssc.core.context``)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import context


def client_ip(request: HttpRequest) -> str:
    # Behind the reverse proxy the proxy sets X-Real-IP; it is trusted only when configured so.
    from django.conf import settings

    if getattr(settings, "SSC_TRUST_X_REAL_IP", False):
        real = request.META.get("HTTP_X_REAL_IP")
        if real:
            return real
    return request.META.get("REMOTE_ADDR", "")


class RequestContextMiddleware:
    """Give each request an id (honouring a sane ``X-Request-ID``) and echo it in the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ctx = context.RequestContext(
            request_id=context.request_id_from(request.META.get("HTTP_X_REQUEST_ID", "")),
            client_ip=client_ip(request),
            source="api" if request.path.startswith("/api/") else "web",
        )
        token = context.set_context(ctx)
        request.request_id = ctx.request_id  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = ctx.request_id
        return response


class ActorContextMiddleware:
    """After authentication: record the session user as the actor (API tokens set it in their auth class)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            context.set_actor(user)
        return self.get_response(request)
