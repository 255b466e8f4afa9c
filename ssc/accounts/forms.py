"""Forms of the log-in and password pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LoginForm(auth_forms.AuthenticationForm):
    """Log-in; a locked account is told so (with the time the lock ends) instead of the generic error."""

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码错误。连续输错多次后账户将被临时锁定。"),
        "inactive": _("该账户已停用，请联系系统管理员。"),
        "locked": _("账户已被锁定，请于 %(until)s 后重试或联系安全管理员。"),
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})

    def get_invalid_login_error(self) -> ValidationError:
        # ``LockoutModelBackend`` leaves the account it looked at on the request, lock state included.
        user = getattr(self.request, "ssc_login_user", None)
        if user is not None and getattr(user, "is_locked", False):
            until = timezone.localtime(user.locked_until).strftime("%H:%M")
            return ValidationError(self.error_messages["locked"], code="locked", params={"until": until})
        return super().get_invalid_login_error()


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form; the policy's help texts (``AUTH_PASSWORD_VALIDATORS``) show under the new password and
    the policy's errors beside it."""

    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_incorrect": _("当前密码不正确，请重新输入。"),
        "password_mismatch": _("两次输入的新密码不一致。"),
        "password_unchanged": _("新密码不能与当前密码相同。"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("当前密码")
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password2"].label = _("确认新密码")
        self.fields["new_password2"].help_text = _("请再次输入新密码以确认。")

    def clean(self) -> dict[str, Any]:
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        new, old = self.cleaned_data.get("new_password1"), self.cleaned_data.get("old_password")
        if new and old and new == old and "new_password1" not in self.errors:
            error = ValidationError(self.error_messages["password_unchanged"], code="password_unchanged")
            self.add_error("new_password1", error)
        forms.Form.clean(self)
        return self.cleaned_data
