"""The audit trail in the admin: strictly read-only, for the audit administrator (and superusers)."""

from __future__ import annotations

import json
from typing import Any, cast

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ssc.accounts.choices import Role
from ssc.core.admin import may_administer
from ssc.core.scoping import ScopedQuerySet

from .models import AuditEvent


def _pretty(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


# Every field is shown, and every one read-only.
_DETAIL_FIELDS = [
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "actor_role",
    "organisation_id",
    "organisation_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before_pretty",
    "after_pretty",
    "article",
    "request_id",
    "client_ip",
    "source",
    "prev_hash",
    "hash",
]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """审计事件 — list, filters and search; no add, change or delete for anyone (the database refuses too)."""

    list_display = [
        "seq",
        "at",
        "actor_username",
        "actor_role",
        "organisation_name",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "article",
    ]
    list_display_links = ["seq"]
    list_filter = ["actor_role", "source", "at"]
    # ``=``: exact match (indexed); object names by substring.
    search_fields = ["=action", "=object_type", "=object_id", "=actor_username", "=request_id", "object_repr"]
    search_help_text = _("按操作、对象类型、对象ID、操作人、请求ID精确查找，或按对象名称模糊查找。")
    ordering = ["-seq"]
    list_per_page = 50
    show_full_result_count = False
    fields = [*_DETAIL_FIELDS]
    readonly_fields = _DETAIL_FIELDS

    def _reader(self, request: HttpRequest) -> bool:
        return may_administer(request.user, frozenset({Role.AUDIT_ADMIN}))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._reader(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._reader(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = cast("ScopedQuerySet[AuditEvent]", super().get_queryset(request))
        # Superusers (break-glass) read everything here; everyone else by the model's one scoping rule.
        return qs if request.user.is_superuser else qs.restrict(request.user)

    @admin.display(description=_("变更前"))
    def before_pretty(self, obj: AuditEvent) -> str:
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", _pretty(obj.before))

    @admin.display(description=_("变更后"))
    def after_pretty(self, obj: AuditEvent) -> str:
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", _pretty(obj.after))
