"""Users (用户) in organisations with one role each, and revocable API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, ClassVar, cast

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ssc.core.scoping import ALL, NONE, ScopedQuerySet
from ssc.registry.choices import OrganisationKind

from .choices import ADMIN_ROLES, CITYWIDE_ROLES, DISTRICT_ROLES, Role

# Which organisation kind each role must belong to.
ROLE_ORGANISATION_KINDS: dict[str, set[str]] = {
    Role.BANK_APPLICANT: {OrganisationKind.SUB_BRANCH},
    Role.OUTLET_STAFF: {OrganisationKind.SUB_BRANCH},
    Role.BANK_HEAD_OFFICE: {OrganisationKind.BANK_BRANCH},
    Role.DISTRICT_OFFICER: {OrganisationKind.DISTRICT_AGENCY},
    Role.DISTRICT_LEADER: {OrganisationKind.DISTRICT_AGENCY},
    Role.CENTER_OFFICER: {OrganisationKind.CENTER},
    Role.CENTER_LEADER: {OrganisationKind.CENTER},
    Role.REGULATOR: {OrganisationKind.HRSS, OrganisationKind.NFRA},
    Role.HOTLINE_OPERATOR: {OrganisationKind.HOTLINE, OrganisationKind.BANK_BRANCH},
    Role.SYSTEM_ADMIN: {OrganisationKind.OPERATOR},
    Role.SECURITY_ADMIN: {OrganisationKind.OPERATOR},
    Role.AUDIT_ADMIN: {OrganisationKind.OPERATOR},
}


class ScopedUserManager(UserManager["User"]):
    """``UserManager`` over ``ScopedQuerySet`` (what ``UserManager.from_queryset(ScopedQuerySet)`` builds,
    spelled out so that the type checker knows ``User.objects.restrict(...)``)."""

    _queryset_class = ScopedQuerySet

    def get_queryset(self) -> ScopedQuerySet[User]:
        return cast("ScopedQuerySet[User]", super().get_queryset())

    def restrict(self, user: Any, action: str = "view") -> ScopedQuerySet[User]:
        return self.get_queryset().restrict(user, action)


class User(AbstractUser):
    """用户 — a person working for one organisation in exactly one role (三员分立 by construction)."""

    role = models.CharField(_("角色"), max_length=30, choices=Role.choices, db_index=True)
    organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属机构"),
    )
    outlet = models.ForeignKey(
        "registry.Outlet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("所在网点"),
        help_text=_("仅网点工作人员填写。"),
    )
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    failed_login_count = models.PositiveIntegerField(_("连续登录失败次数"), default=0, editable=False)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True, editable=False)

    objects: ClassVar[ScopedUserManager] = ScopedUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                name="user_outlet_staff_has_outlet",
                condition=~Q(role=Role.OUTLET_STAFF) | Q(outlet__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full}（{self.username}）" if full else self.username

    def get_full_name(self) -> str:
        # Chinese order: family name first, no space.
        return f"{self.last_name}{self.first_name}".strip()

    def clean(self) -> None:
        super().clean()
        if not self.role:
            return
        kinds = ROLE_ORGANISATION_KINDS.get(self.role, set())
        if self.organisation_id is None:
            if not self.is_superuser:
                raise ValidationError({"organisation": _("请选择所属机构。")})
        elif self.organisation is not None and self.organisation.kind not in kinds:
            raise ValidationError({"organisation": _("该角色不能属于此类机构。")})
        if self.role == Role.OUTLET_STAFF:
            if not self.outlet_id:
                raise ValidationError({"outlet": _("网点工作人员须指定所在网点。")})
            if self.organisation_id and self.outlet is not None and self.outlet.sub_branch_id != self.organisation_id:
                raise ValidationError({"outlet": _("网点须属于该用户所在的一级支行。")})
        elif self.outlet_id:
            raise ValidationError({"outlet": _("只有网点工作人员可以指定网点。")})

    # --- scope helpers (read by ``scope_filter`` implementations) ---
    @property
    def is_citywide(self) -> bool:
        return self.role in CITYWIDE_ROLES

    @property
    def is_district_staff(self) -> bool:
        return self.role in DISTRICT_ROLES

    @property
    def is_admin_duty(self) -> bool:
        return self.role in ADMIN_ROLES

    @property
    def district_id(self) -> int | None:
        return self.organisation.district_id if self.role in DISTRICT_ROLES and self.organisation else None

    @property
    def is_locked(self) -> bool:
        return bool(self.locked_until and self.locked_until > timezone.now())

    @classmethod
    def scope_filter(cls, user: Any, action: str = "view") -> Any:
        # User administration belongs to the system and security administrators; others see themselves.
        if user.role in {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}:
            return ALL
        if action == "view" and user.role in DISTRICT_ROLES | {Role.CENTER_LEADER, Role.CENTER_OFFICER}:
            return Q(organisation_id=user.organisation_id)
        return Q(pk=user.pk) if action == "view" else NONE


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def live(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """API 令牌 — a bearer token; only its SHA-256 digest is stored, so a database leak reveals none."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("令牌前缀"), max_length=8)
    name = models.CharField(_("用途"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, user: Any, name: str = "") -> tuple[ApiToken, str]:
        raw = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            key_digest=_digest(raw),
            prefix=raw[:8],
            name=name,
            expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS),
        )
        return token, raw

    @classmethod
    def find(cls, raw: str) -> ApiToken | None:
        return cls.objects.live().select_related("user", "user__organisation").filter(key_digest=_digest(raw)).first()
