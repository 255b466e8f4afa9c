"""The signed-in user of a request, typed.

``request.user`` is ``User | AnonymousUser``; views and API endpoints that require a login (every page view
behind ``LoginRequiredMixin``/``RoleRequiredMixin``, every API view behind ``IsAuthenticated``) read the
user through ``authenticated_user(request)``, which returns a ``User``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from django.http import HttpRequest
    from rest_framework.request import Request

    from ssc.accounts.models import User


def authenticated_user(request: HttpRequest | Request) -> User:
    """``request.user`` of a view that requires a login; an anonymous request here answers 403 (the view's
    login check should have answered first)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user
