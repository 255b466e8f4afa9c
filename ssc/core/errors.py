"""The one application error type (HackSoft style) and its specialisations.

Services raise these; the API's exception handler turns them into problem+json, the pages into form
errors or messages. Each carries an HTTP status so both front ends agree.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the domain refused the request. Nothing was changed."""

    status = 400
    code = "invalid"
    default_title: Any = _("请求无效")

    def __init__(self, detail: Any = None, *, errors: dict[str, list[Any]] | None = None, code: str | None = None):
        self.detail = detail if detail is not None else self.default_title
        self.errors = errors or {}
        if code:
            self.code = code
        super().__init__(str(self.detail))


class ValidationFailed(DomainError):
    """Invalid input: ``errors`` names each bad field (API 400)."""

    status = 400
    code = "validation_failed"
    default_title = _("提交的数据有误")


class NotAllowed(DomainError):
    """The user's role does not allow this (API 403)."""

    status = 403
    code = "forbidden"
    default_title = _("您的角色无权执行此操作")


class NotFound(DomainError):
    """Unknown object, or outside the user's scope — existence is not disclosed (API 404)."""

    status = 404
    code = "not_found"
    default_title = _("未找到该对象")


class InvalidState(DomainError):
    """The object's current state does not allow the action (API 409)."""

    status = 409
    code = "invalid_state"
    default_title = _("当前状态不允许此操作")


class StaleVersion(DomainError):
    """The client acted on an outdated version (API 412)."""

    status = 412
    code = "stale_version"
    default_title = _("数据已被他人修改，请刷新后重试")


class CalendarMissing(DomainError):
    """A deadline needs a year for which no working-day calendar was entered (API 422)."""

    status = 422
    code = "calendar_missing"
    default_title = _("缺少工作日历数据")
