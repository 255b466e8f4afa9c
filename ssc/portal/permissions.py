"""Which staff pages a role may open at all. *Which rows* it sees is decided by scoping
(``Model.objects.restrict``), never here."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from ssc.accounts.choices import Role

# Security and audit administrators have no business with outlets (三员分立).
OUTLET_READER_ROLES = frozenset(set(Role) - {Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Bulk import of outlets: the center, district agencies and the system administrator.
OUTLET_IMPORT_ROLES = frozenset({Role.CENTER_OFFICER, Role.DISTRICT_OFFICER, Role.SYSTEM_ADMIN})


def has_role(user: Any, roles: frozenset[str]) -> bool:
    return bool(user.is_authenticated and (user.role in roles))


class RoleRequiredMixin(LoginRequiredMixin):
    """Anonymous → log-in page; a signed-in user whose role is not in ``roles`` → 403."""

    roles: frozenset[str] = frozenset()

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not has_role(request.user, self.roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
