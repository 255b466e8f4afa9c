"""Issuing and revoking API tokens (API 令牌) — audited like every other change."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from ssc.audit import services as audit

from ..models import ApiToken


@transaction.atomic
def api_token_issue(*, user: Any, name: str = "") -> tuple[ApiToken, str]:
    """签发令牌 — a new bearer token for ``user``; the raw value is returned once and never stored."""
    token, raw = ApiToken.issue(user, name=name)
    type(user)._default_manager.filter(pk=user.pk).update(last_login=timezone.now())
    audit.record(
        action="api_token.issue",
        obj=token,
        object_repr=f"{token.prefix}… ({user.username})",
        after={"prefix": token.prefix, "name": name, "expires_at": token.expires_at},
        actor=user,
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> None:
    """吊销令牌 — the token stops working immediately."""
    now = timezone.now()
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    if updated:
        audit.record(
            action="api_token.revoke",
            obj=token,
            object_repr=f"{token.prefix}… ({token.user.username})",
            after={"revoked_at": now},
            actor=actor,
        )
