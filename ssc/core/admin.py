"""The Django admin (系统管理), kept inside the audit trail and inside the separation of duties (三员分立).

- ``AuditedModelAdmin``: every create, update and delete made through the admin is recorded in the audit
  trail as ``<model>.admin_create|admin_update|admin_delete`` with before/after (changed fields only).
- Only active staff users whose role is system administrator or security administrator — and
  superusers — may use these admins; ``audit_admin`` reads the audit events there, read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from ssc.accounts.choices import Role
from ssc.audit import services as audit

# The duties that administer accounts and configuration (the audit administrator only reads the trail).
ADMIN_EDITOR_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})


def may_administer(user: Any, roles: frozenset[str] = ADMIN_EDITOR_ROLES) -> bool:
    """Active staff in one of ``roles``, or a superuser."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or (user.is_staff and getattr(user, "role", "") in roles))


_PENDING = "_ssc_audit_before"


class AuditedModelAdmin(admin.ModelAdmin):
    """A ``ModelAdmin`` whose writes are audited and which only the admin duties may use.

    Subclasses may set ``admin_roles`` (who may use it), ``audit_fields`` (which fields enter the trail;
    ``None`` = every editable field and the many-to-many fields) and ``audit_article``.
    """

    admin_roles: frozenset[str] = ADMIN_EDITOR_ROLES
    audit_fields: list[str] | None = None
    audit_article: str = ""

    # --- who may use it ---------------------------------------------------------------------------------
    def _allowed(self, request: HttpRequest) -> bool:
        return may_administer(request.user, self.admin_roles)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    # --- what enters the trail --------------------------------------------------------------------------
    def audit_state(self, obj: models.Model) -> dict[str, Any]:
        return audit.snapshot(obj, self.audit_fields, m2m=True)

    def audit_action(self, obj: models.Model, what: str) -> str:
        return f"{obj._meta.model_name}.admin_{what}"

    def _record(self, request: HttpRequest, obj: models.Model, what: str, before: Any, after: Any, **kw: Any) -> None:
        audit.record(
            action=self.audit_action(obj, what),
            obj=obj,
            before=before,
            after=after,
            article=self.audit_article,
            actor=request.user,
            **kw,
        )

    def _stored_state(self, obj: models.Model, state: Any = None) -> dict[str, Any] | None:
        """The state of ``obj`` as the database has it now (before the form's changes are saved)."""
        old = type(obj)._base_manager.filter(pk=obj.pk).first() if obj.pk is not None else None
        return (state or self.audit_state)(old) if old is not None else None

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = self._stored_state(obj) if change else None
        if change and before is not None and "version" in before and hasattr(obj, "version"):
            # Optimistic concurrency (VersionedModel): every write bumps the version, the admin's too.
            obj.version = int(before["version"] or 0) + 1
        pending = getattr(request, _PENDING, {})
        pending[(obj._meta.label_lower, id(obj))] = (change, before)
        setattr(request, _PENDING, pending)
        super().save_model(request, obj, form, change)

    def after_related(self, request: HttpRequest, obj: Any) -> None:
        """Hook: the object, its many-to-many fields and inlines are saved; derived fields may be fixed."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        self.after_related(request, obj)
        change, before = getattr(request, _PENDING, {}).pop((obj._meta.label_lower, id(obj)), (change, None))
        after = self.audit_state(obj)
        if change:
            b, a = audit.diff(before, after)
            self._record(request, obj, "update", b, a)
        else:
            self._record(request, obj, "create", None, after)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows are audited one by one, as their own model's admin events."""
        state = audit.snapshot
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            before, pk, text = state(obj), obj.pk, str(obj)
            obj.delete()
            self._record(request, obj, "delete", before, None, object_id=pk, object_repr=text)
        for obj in instances:
            stored = self._stored_state(obj, state)
            obj.save()
            if stored is None:
                self._record(request, obj, "create", None, state(obj))
            else:
                b, a = audit.diff(stored, state(obj))
                self._record(request, obj, "update", b, a)
        formset.save_m2m()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before, pk, text = self.audit_state(obj), obj.pk, str(obj)
        with transaction.atomic():
            super().delete_model(request, obj)
            self._record(request, obj, "delete", before, None, object_id=pk, object_repr=text)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        # One event per object: the bulk "delete selected" action is no way around the trail.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)
