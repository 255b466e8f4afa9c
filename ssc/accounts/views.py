"""Log-in, log-out and password change pages (Django's auth views with the platform's forms)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ssc.audit import services as audit

from .forms import LoginForm, PasswordChangeForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": _("登录")}


class LogoutView(auth_views.LogoutView):
    """POST only (Django's rule): a link cannot log anyone out."""


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("portal:home")
    extra_context = {"title": _("修改密码")}

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            user = form.user
            user.password_changed_at = timezone.now()
            user.save(update_fields=["password_changed_at"])
            # The event says that the password changed, never what it is.
            audit.record(action="user.password_change", obj=user, actor=user)
        messages.success(self.request, _("密码已修改。"))
        return response
