"""Liveness and readiness probes for the reverse proxy and the orchestrator."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from ssc.core.api.exceptions import problem_response


def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up (no dependency is touched)."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    """The database answers; otherwise 503 so the proxy stops routing here."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return problem_response(
            503,
            "not_ready",
            _("服务暂不可用"),
            _("数据库无法连接（%(error)s）。") % {"error": exc.__class__.__name__},
            headers={"Retry-After": "5"},
        )
    return JsonResponse({"status": "ok", "database": connection.vendor})
