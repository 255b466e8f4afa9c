"""Users and API tokens in the admin (系统管理): for the system and security administrators, audited.

Every write — including password changes, unlocking and token revocation — is recorded in the audit
trail (``AuditedModelAdmin``); password hashes and token digests never enter it (only a fingerprint).
Only superusers grant superuser status, groups and individual permissions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ssc.audit import services as audit
from ssc.core.admin import AuditedModelAdmin

from .models import ApiToken, User


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    list_display = ["username", "full_name", "role", "organisation", "is_active", "is_staff", "locked_until"]
    list_filter = ["role", "is_active", "is_staff", "is_superuser", "organisation__kind"]
    search_fields = ["username", "first_name", "last_name", "email", "phone", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation", "outlet"]
    ordering = ["username"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("last_name", "first_name", "email", "phone")}),
        (_("角色与机构"), {"fields": ("role", "organisation", "outlet")}),
        (_("登录安全"), {"fields": ("locked_until", "failed_login_count", "password_changed_at")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "usable_password",
                    "password1",
                    "password2",
                    "last_name",
                    "first_name",
                    "role",
                    "organisation",
                    "outlet",
                    "is_staff",
                ),
            },
        ),
    )
    actions = ["unlock_users"]

    @admin.display(description=_("姓名"))
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = ["failed_login_count", "password_changed_at", "last_login", "date_joined"]
        if not request.user.is_superuser:
            fields += ["is_superuser", "groups", "user_permissions"]
            if obj is not None and obj.pk == request.user.pk:
                # No one widens their own powers: another administrator changes one's role or status.
                fields += ["role", "organisation", "outlet", "is_staff", "is_active"]
        return fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A superuser's account (and so its password) is changed by superusers only.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and ((obj.is_superuser and not request.user.is_superuser) or obj.pk == request.user.pk):
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("解除所选用户的登录锁定"), permissions=["change"])
    def unlock_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        n = 0
        with transaction.atomic():
            for user in queryset.select_for_update(of=("self",)):
                if not user.locked_until and not user.failed_login_count:
                    continue
                before = {"locked_until": user.locked_until, "failed_login_count": user.failed_login_count}
                User.objects.filter(pk=user.pk).update(locked_until=None, failed_login_count=0)
                self._record(request, user, "update", before, {"locked_until": None, "failed_login_count": 0})
                n += 1
        self.message_user(request, _("已解除 %(n)d 个用户的锁定。") % {"n": n}, messages.SUCCESS)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """Django's password page does not go through ``save_model``: audit it here (hash fingerprint only)."""
        with transaction.atomic():
            pk = int(id) if str(id).isdigit() and len(str(id)) <= 18 else None
            old = User.objects.filter(pk=pk).first() if pk is not None else None
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and old is not None:
                before = audit.snapshot(old, ["password"])
                after = audit.snapshot(User.objects.get(pk=old.pk), ["password"])
                if after != before:
                    self._record(request, old, "update", before, after)
        return response


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    """Tokens are issued through the API (the raw value is shown once, there); here they are listed and
    revoked."""

    list_display = ["prefix", "user", "name", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["prefix", "name", "user__username"]
    list_select_related = ["user"]
    fields = ["prefix", "user", "name", "created_at", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = ["prefix", "user", "created_at", "expires_at", "revoked_at", "last_used_at"]
    audit_fields = ["user", "name", "prefix", "expires_at", "revoked_at"]
    actions = ["revoke_tokens"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("吊销所选令牌"), permissions=["change"])
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        n = 0
        now = timezone.now()
        with transaction.atomic():
            for token in queryset.select_for_update(of=("self",)).filter(revoked_at__isnull=True):
                before = self.audit_state(token)
                token.revoked_at = now
                token.save(update_fields=["revoked_at"])
                b, a = audit.diff(before, self.audit_state(token))
                self._record(request, token, "update", b, a)
                n += 1
        self.message_user(request, _("已吊销 %(n)d 个令牌。") % {"n": n}, messages.SUCCESS)
