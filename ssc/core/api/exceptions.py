"""RFC 9457 problem+json for every API error, localised by ``Accept-Language`` (zh-Hans default, en).

One error handler (HackSoft style): services raise ``ssc.core.errors.DomainError``; DRF raises its own
exceptions; both leave here as ``application/problem+json`` with ``type``, ``title``, ``status``,
``detail`` and, for 400, ``errors`` (field → messages). Messages are looked up when the response is built,
so the language activated by ``LocaleMiddleware`` for this request applies.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from ssc.core.errors import DomainError

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://ssc-outlets.invalid/problems/"


def problem_body(
    status: int,
    code: str,
    title: Any,
    detail: Any = None,
    errors: dict | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The problem document itself (also used by plain Django views such as ``/readyz`` and 404s)."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": str(title),
        "status": status,
        "detail": str(detail if detail is not None else title),
    }
    if errors:
        body["errors"] = {str(k): [str(m) for m in v] for k, v in errors.items()}
    if extra:
        body.update(extra)
    return body


def problem(
    status: int,
    code: str,
    title: Any,
    detail: Any = None,
    errors: dict | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """A DRF response carrying a problem document."""
    body = problem_body(status, code, title, detail, errors, extra)
    return Response(body, status=status, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def problem_response(
    status: int,
    code: str,
    title: Any,
    detail: Any = None,
    errors: dict | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """A plain Django response carrying a problem document (outside DRF views)."""
    body = problem_body(status, code, title, detail, errors)
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_CONTENT_TYPE + "; charset=utf-8"
    )
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail → ``{"field": ["message", ...]}`` (nested fields joined by dots)."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key in ("non_field_errors", "__all__"):
                name = prefix or "non_field_errors"
            for k, v in _flatten(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(d, dict | list) for d in detail):
            out.setdefault(prefix or "non_field_errors", []).extend(str(d) for d in detail)
        else:
            for i, item in enumerate(detail):
                for k, v in _flatten(item, f"{prefix}[{i}]" if prefix else str(i)).items():
                    out.setdefault(k, []).extend(v)
    else:
        out.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return out


def _django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {("non_field_errors" if k == "__all__" else k): list(v) for k, v in exc.message_dict.items()}
    return {"non_field_errors": list(exc.messages)}


def _domain_errors(errors: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {("non_field_errors" if k == "__all__" else k): v for k, v in errors.items()}


def problem_exception_handler(exc: Exception, context: dict) -> Response | None:
    set_rollback()
    if isinstance(exc, DomainError):
        errors = _domain_errors(exc.errors) if exc.errors else None
        detail = exc.detail
        if errors and exc.detail is exc.default_title:
            detail = _("请检查标出的字段。")
        return problem(exc.status, exc.code, exc.default_title, detail, errors)
    if isinstance(exc, DjangoValidationError):
        return problem(400, "validation_failed", _("提交的数据有误"), _("请检查标出的字段。"), _django_errors(exc))
    if isinstance(exc, Http404):
        return problem(404, "not_found", _("未找到该对象"), _("该对象不存在，或不在您的查看范围内。"))
    if isinstance(exc, DjangoPermissionDenied):
        return problem(403, "forbidden", _("您的角色无权执行此操作"))
    if isinstance(exc, drf.ValidationError):
        return problem(400, "validation_failed", _("提交的数据有误"), _("请检查标出的字段。"), _flatten(exc.detail))
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        return problem(
            401,
            getattr(exc, "problem_code", "not_authenticated"),
            getattr(exc, "problem_title", None) or _("需要登录"),
            exc.detail,
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
        )
    if isinstance(exc, drf.PermissionDenied):
        return problem(
            403,
            getattr(exc, "problem_code", "forbidden"),
            getattr(exc, "problem_title", None) or _("您的角色无权执行此操作"),
            exc.detail,
            headers=getattr(exc, "problem_headers", None),
            extra=getattr(exc, "problem_extra", None),
        )
    if isinstance(exc, drf.NotFound):
        return problem(404, "not_found", _("未找到该对象"), exc.detail)
    if isinstance(exc, drf.MethodNotAllowed):
        return problem(405, "method_not_allowed", _("不支持该请求方法"), exc.detail)
    if isinstance(exc, drf.NotAcceptable):
        return problem(406, "not_acceptable", _("不支持请求的格式"), exc.detail)
    if isinstance(exc, drf.UnsupportedMediaType):
        return problem(415, "unsupported_media_type", _("不支持的内容类型"), exc.detail)
    if isinstance(exc, drf.ParseError):
        return problem(400, "parse_error", _("请求内容无法解析"), exc.detail)
    if isinstance(exc, drf.Throttled):
        # ``Throttled.wait`` is set in ``__init__`` but missing from drf-stubs.
        wait = max(1, int(exc.wait or 1))  # type: ignore[attr-defined]
        return problem(
            429,
            "throttled",
            _("请求过于频繁"),
            _("请求过于频繁，请在 %(seconds)d 秒后重试。") % {"seconds": wait},
            headers={"Retry-After": str(wait)},
        )
    if isinstance(exc, drf.APIException):
        return problem(exc.status_code, getattr(exc, "problem_code", "error"), _("请求失败"), exc.detail)
    return None
