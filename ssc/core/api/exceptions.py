"""RFC 9457 problem+json for every API error, localised by ``Accept-Language`` (zh-Hans default, en)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from ssc.core.errors import DomainError

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://ssc-outlets.invalid/problems/"


def problem(
    status: int,
    code: str,
    title: str,
    detail: Any = None,
    errors: dict | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": str(title),
        "status": status,
        "detail": str(detail if detail is not None else title),
    }
    if errors:
        body["errors"] = {k: [str(m) for m in v] for k, v in errors.items()}
    resp = Response(body, status=status, headers=headers, content_type=PROBLEM_CONTENT_TYPE)
    return resp


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


def problem_exception_handler(exc: Exception, context: dict) -> Response | None:
    set_rollback()
    if isinstance(exc, DomainError):
        return problem(exc.status, exc.code, exc.default_title, exc.detail, exc.errors or None)
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return problem(400, "validation_failed", _("提交的数据有误"), _("请检查标出的字段。"), errors)
    if isinstance(exc, Http404):
        return problem(404, "not_found", _("未找到该对象"))
    if isinstance(exc, DjangoPermissionDenied):
        return problem(403, "forbidden", _("您的角色无权执行此操作"))
    if isinstance(exc, drf.ValidationError):
        return problem(400, "validation_failed", _("提交的数据有误"), _("请检查标出的字段。"), _flatten(exc.detail))
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        return problem(
            401, "not_authenticated", _("需要登录"), exc.detail, headers={"WWW-Authenticate": 'Bearer realm="api"'}
        )
    if isinstance(exc, drf.PermissionDenied):
        return problem(403, "forbidden", _("您的角色无权执行此操作"), exc.detail)
    if isinstance(exc, drf.NotFound):
        return problem(404, "not_found", _("未找到该对象"))
    if isinstance(exc, drf.MethodNotAllowed):
        return problem(405, "method_not_allowed", _("不支持该请求方法"), exc.detail)
    if isinstance(exc, drf.NotAcceptable):
        return problem(406, "not_acceptable", _("不支持请求的格式"), exc.detail)
    if isinstance(exc, drf.UnsupportedMediaType):
        return problem(415, "unsupported_media_type", _("不支持的内容类型"), exc.detail)
    if isinstance(exc, drf.ParseError):
        return problem(400, "parse_error", _("请求内容无法解析"), exc.detail)
    if isinstance(exc, drf.Throttled):
        headers = {"Retry-After": str(int(exc.wait or 1))}
        return problem(429, "throttled", _("请求过于频繁，请稍后再试"), exc.detail, headers=headers)
    if isinstance(exc, drf.APIException):
        return problem(exc.status_code, "error", _("请求失败"), exc.detail)
    return None
