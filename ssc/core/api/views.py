"""Error pages for paths under ``/api/``: unknown routes and crashes answer problem+json, not HTML.

Wired as ``handler404`` / ``handler500`` in ``config/urls.py``; every other path falls through to
Django's own pages (and the project's ``404.html`` / ``500.html`` when they exist).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views import defaults

from .exceptions import problem_response

API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def handler404(request: HttpRequest, exception: Any = None) -> HttpResponse:
    if is_api_request(request):
        return problem_response(
            404, "not_found", _("未找到该资源"), _("该地址不存在，请查阅 /api/v1/docs/ 中的接口说明。")
        )
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        request_id = getattr(request, "request_id", "")
        return problem_response(
            500,
            "server_error",
            _("服务器内部错误"),
            _("服务器处理请求时出错，请稍后重试；如问题持续，请提供请求编号 %(id)s。") % {"id": request_id},
        )
    return defaults.server_error(request)
