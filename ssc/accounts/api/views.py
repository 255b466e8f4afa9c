"""Authentication endpoints: obtain and revoke a bearer token, and who am I."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ssc.core.api.schema import ProblemAutoSchema
from ssc.core.api.throttling import SettingsScopedRateThrottle

from ..models import ApiToken
from . import services
from .serializers import MeSerializer, TokenRequestSerializer, TokenResponseSerializer


class InvalidCredentials(exceptions.AuthenticationFailed):
    default_detail = gettext_lazy("用户名或密码错误。")
    problem_code = "invalid_credentials"
    problem_title = gettext_lazy("用户名或密码错误")


class AccountLocked(exceptions.PermissionDenied):
    """等保 2.0 login failure handling: the account is locked for a while after repeated failures."""

    problem_code = "account_locked"
    problem_title = gettext_lazy("账户已锁定")

    def __init__(self, locked_until: Any):
        local = timezone.localtime(locked_until)
        super().__init__(
            _("连续登录失败次数过多，账户已锁定至 %(until)s，届时可再次登录。")
            % {"until": date_format(local, "Y-m-d H:i:s")}
        )
        wait = max(1, int((locked_until - timezone.now()).total_seconds()))
        self.problem_headers = {"Retry-After": str(wait)}
        self.problem_extra = {"locked_until": local.isoformat()}


class TokenView(APIView):
    """``POST`` exchanges a username and password for a bearer token; ``DELETE`` revokes the token used."""

    schema = ProblemAutoSchema()
    throttle_scope = "auth_token"

    def get_authenticators(self) -> list[Any]:
        # Obtaining a token must not depend on whatever (possibly stale) credentials the client sends.
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_throttles(self) -> list[Any]:
        return [SettingsScopedRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer},
        auth=[],
        summary="Obtain a bearer token",
        description=(
            "After `SSC_LOGIN_MAX_FAILURES` consecutive failures the account is locked for "
            "`SSC_LOGIN_LOCKOUT_MINUTES` (403 `account_locked` with `locked_until`), even for the right password."
        ),
    )
    def post(self, request: Request) -> Response:
        ser = TokenRequestSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        django_request = request._request
        user = authenticate(django_request, username=data["username"], password=data["password"])
        if user is None:
            seen = getattr(django_request, "ssc_login_user", None)
            if seen is not None and seen.is_locked:
                raise AccountLocked(seen.locked_until)
            raise InvalidCredentials()
        token, raw = services.api_token_issue(user=user, name=data.get("name", ""))
        out = TokenResponseSerializer({"token": raw, "token_type": "Bearer", "expires_at": token.expires_at})
        return Response(out.data, headers={"Cache-Control": "no-store"})

    @extend_schema(operation_id="auth_token_destroy", tags=["auth"], request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiToken):
            raise exceptions.ValidationError({"Authorization": [_("本次请求未使用 API 令牌，无可吊销的令牌。")]})
        services.api_token_revoke(actor=request.user, token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The calling user, their role and the organisation, district and bank that scope what they see."""

    schema = ProblemAutoSchema()

    @extend_schema(operation_id="auth_me", tags=["auth"], responses={200: MeSerializer})
    def get(self, request: Request) -> Response:
        token = request.auth if isinstance(request.auth, ApiToken) else None
        return Response(MeSerializer(request.user, context={"token": token}).data)
