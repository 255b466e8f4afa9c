"""Authentication with lockout after repeated failures (登录失败处理)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.utils import timezone


class LockoutModelBackend(ModelBackend):
    """Counts consecutive failures per account; after ``SSC_LOGIN_MAX_FAILURES`` the account is locked for
    ``SSC_LOGIN_LOCKOUT_MINUTES``. While locked even the right password is refused. Success resets."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            User().set_password(password)  # same cost as a real check: no user enumeration by timing
            return None
        if request is not None:
            request.ssc_login_user = user
        if user.is_locked:
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            if user.failed_login_count or user.locked_until:
                User._default_manager.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
                user.failed_login_count, user.locked_until = 0, None
            return user
        self.register_failure(user)
        return None

    @staticmethod
    def register_failure(user: Any) -> None:
        User = get_user_model()
        qs = User._default_manager.filter(pk=user.pk)
        qs.update(failed_login_count=F("failed_login_count") + 1)
        count = qs.values_list("failed_login_count", flat=True).get()
        if count >= settings.SSC_LOGIN_MAX_FAILURES:
            until = timezone.now() + timedelta(minutes=settings.SSC_LOGIN_LOCKOUT_MINUTES)
            qs.update(locked_until=until, failed_login_count=0)
            user.locked_until = until
        user.failed_login_count = count
