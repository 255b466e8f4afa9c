"""Registry (登记簿): districts, organisations, banks, outlets, card services, system accounts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ssc.core import pinyin
from ssc.core.models import TimeStampedModel, VersionedModel
from ssc.core.scoping import ALL, NONE, ScopedManager

from .choices import AccountType, DistrictKind, InterconnectionMode, OrganisationKind, OutletStatus

# Chongqing's bounding box, generous (GCJ-02). Coordinates outside it are certainly wrong.
CQ_LAT = (28.10, 32.25)
CQ_LNG = (105.25, 110.25)

phone_validator = RegexValidator(r"^[0-9+\-() ]{5,20}$", _("请输入有效的电话号码（数字、空格、+、-、括号，5–20 位）。"))
hours_validator = RegexValidator(
    r"^$|^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$",
    _("营业时间格式为 HH:MM-HH:MM，如 09:00-17:00；不营业请留空。"),
)


class District(models.Model):
    """区县 — a GB/T 2260 county-level division, or a management zone (功能区) with its own agency."""

    code = models.CharField(_("代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DistrictKind.choices)
    overlaps = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=False,
        verbose_name=_("所涉区县"),
        help_text=_("功能区所部分覆盖的区县。"),
    )
    name_pinyin = models.CharField(max_length=120, blank=True, editable=False)
    name_initials = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("区县")
        verbose_name_plural = _("区县")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_pinyin = pinyin.full(self.name)
        self.name_initials = pinyin.initials(self.name)
        super().save(*args, **kwargs)


class Bank(models.Model):
    """商业银行 — a commercial bank cooperating on social security cards."""

    code = models.SlugField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    short_name = models.CharField(_("简称"), max_length=30)
    hotline = models.CharField(_("客服热线"), max_length=20, blank=True, validators=[phone_validator])
    name_pinyin = models.CharField(max_length=200, blank=True, editable=False)
    name_initials = models.CharField(max_length=60, blank=True, editable=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = ScopedManager()

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("银行")
        verbose_name_plural = _("银行")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_pinyin = pinyin.full(self.name)
        self.name_initials = pinyin.initials(self.name) + " " + pinyin.initials(self.short_name)
        super().save(*args, **kwargs)

    @classmethod
    def scope_filter(cls, user: Any, action: str = "view") -> Any:
        # Bank master data is public knowledge; everyone signed in may read it.
        return ALL if action == "view" else NONE


class Organisation(TimeStampedModel):
    """机构 — the center, the regulators, a district agency, a bank's head office/branch or sub-branch."""

    code = models.SlugField(_("机构代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=OrganisationKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级机构")
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("所在/主管区县"),
    )
    bank = models.ForeignKey(
        Bank, on_delete=models.PROTECT, null=True, blank=True, related_name="organisations", verbose_name=_("银行")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True, validators=[phone_validator])
    is_active = models.BooleanField(_("有效"), default=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        constraints = [
            models.CheckConstraint(
                name="org_agency_has_district",
                condition=~Q(kind=OrganisationKind.DISTRICT_AGENCY) | Q(district__isnull=False),
            ),
            models.CheckConstraint(
                name="org_bank_units_have_bank",
                condition=~Q(kind__in=[OrganisationKind.BANK_BRANCH, OrganisationKind.SUB_BRANCH])
                | Q(bank__isnull=False),
            ),
            models.CheckConstraint(
                name="org_sub_branch_has_parent",
                condition=~Q(kind=OrganisationKind.SUB_BRANCH) | Q(parent__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["district"],
                condition=Q(kind=OrganisationKind.DISTRICT_AGENCY),
                name="org_one_agency_per_district",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == OrganisationKind.SUB_BRANCH and self.parent_id and self.bank_id:
            parent = self.parent
            if parent is not None and (parent.kind != OrganisationKind.BANK_BRANCH or parent.bank_id != self.bank_id):
                raise ValidationError({"parent": _("一级支行的上级必须是同一银行的总行或重庆分行。")})

    @classmethod
    def scope_filter(cls, user: Any, action: str = "view") -> Any:
        from ssc.accounts.choices import BANK_ROLES, CITYWIDE_ROLES, DISTRICT_ROLES, Role

        if action != "view":
            return ALL if user.role == Role.SYSTEM_ADMIN else NONE
        if user.role in CITYWIDE_ROLES or user.role in {Role.HOTLINE_OPERATOR, Role.SECURITY_ADMIN}:
            return ALL
        public_kinds = Q(
            kind__in=[
                OrganisationKind.CENTER,
                OrganisationKind.HRSS,
                OrganisationKind.NFRA,
                OrganisationKind.DISTRICT_AGENCY,
            ]
        )
        if user.role in DISTRICT_ROLES:
            return public_kinds | Q(district_id=user.organisation.district_id)
        if user.role in BANK_ROLES and user.organisation and user.organisation.bank_id:
            return public_kinds | Q(bank_id=user.organisation.bank_id)
        return Q(pk=user.organisation_id) if user.organisation_id else NONE


class CardService(models.Model):
    """社保卡服务项目 — the center-maintained catalogue of card services an outlet may offer."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("社保卡服务项目")
        verbose_name_plural = _("社保卡服务项目")

    def __str__(self) -> str:
        return self.name


INSTANT_ISSUANCE_CODE = "instant_issuance"


class Outlet(VersionedModel):
    """合作银行网点 — a bank outlet; "cooperating" while it has an agreement in force with its district."""

    code = models.CharField(_("网点编码"), max_length=30, unique=True)
    name = models.CharField(_("网点名称"), max_length=100)
    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="outlets", verbose_name=_("银行"))
    sub_branch = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="outlets",
        verbose_name=_("所属一级支行"),
        limit_choices_to={"kind": OrganisationKind.SUB_BRANCH},
    )
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="outlets", verbose_name=_("所在区县"))
    address = models.CharField(_("地址"), max_length=200)
    latitude = models.FloatField(
        _("纬度（GCJ-02）"), validators=[MinValueValidator(CQ_LAT[0]), MaxValueValidator(CQ_LAT[1])]
    )
    longitude = models.FloatField(
        _("经度（GCJ-02）"), validators=[MinValueValidator(CQ_LNG[0]), MaxValueValidator(CQ_LNG[1])]
    )
    weekday_hours = models.CharField(_("工作日营业时间"), max_length=11, blank=True, validators=[hours_validator])
    weekend_hours = models.CharField(_("周末营业时间"), max_length=11, blank=True, validators=[hours_validator])
    hours_note = models.CharField(_("营业时间说明"), max_length=100, blank=True)
    services = models.ManyToManyField(CardService, blank=True, related_name="outlets", verbose_name=_("服务项目"))
    instant_issuance = models.BooleanField(_("即时制卡"), default=False, db_index=True)
    consultation_phone = models.CharField(_("咨询电话"), max_length=20, blank=True, validators=[phone_validator])
    complaint_phone = models.CharField(_("投诉电话"), max_length=20, blank=True, validators=[phone_validator])
    interconnection_mode = models.CharField(
        _("互联方式"), max_length=10, choices=InterconnectionMode.choices, default=InterconnectionMode.JINYU
    )
    jinyu_migration_planned_on = models.DateField(_("计划迁移金渝网日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=OutletStatus.choices, default=OutletStatus.APPLYING, db_index=True
    )
    name_pinyin = models.CharField(max_length=400, blank=True, editable=False)
    name_initials = models.CharField(max_length=100, blank=True, editable=False, db_index=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["district__code", "code"]
        verbose_name = _("网点")
        verbose_name_plural = _("网点")
        indexes = [
            models.Index(fields=["district", "status"], name="outlet_district_status"),
            models.Index(fields=["bank", "status"], name="outlet_bank_status"),
            models.Index(fields=["sub_branch"], name="outlet_sub_branch"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_search_fields()
        super().save(*args, **kwargs)

    def refresh_search_fields(self) -> None:
        self.name_pinyin = pinyin.full(self.name)
        self.name_initials = pinyin.initials(self.name)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.sub_branch_id and self.bank_id:
            sub = self.sub_branch
            if sub.kind != OrganisationKind.SUB_BRANCH:
                errors["sub_branch"] = _("所属机构必须是一级支行。")
            elif sub.bank_id != self.bank_id:
                errors["sub_branch"] = _("所属一级支行必须属于同一银行。")
        if errors:
            raise ValidationError(errors)

    @property
    def opening_hours(self) -> str:
        from django.utils.translation import gettext as _t

        parts = []
        parts.append(
            _t("周一至周五 %(h)s") % {"h": self.weekday_hours} if self.weekday_hours else _t("周一至周五 休息")
        )
        parts.append(
            _t("周六、周日 %(h)s") % {"h": self.weekend_hours} if self.weekend_hours else _t("周六、周日 休息")
        )
        if self.hours_note:
            parts.append(self.hours_note)
        return "；".join(parts)

    @classmethod
    def scope_filter(cls, user: Any, action: str = "view") -> Any:
        from ssc.accounts.choices import CITYWIDE_ROLES, DISTRICT_ROLES, Role

        role = user.role
        org = user.organisation
        if action == "view":
            if role in CITYWIDE_ROLES or role == Role.HOTLINE_OPERATOR:
                return ALL
        elif action == "change":
            # Master data is changed by the center, the outlet's district agency and its sub-branch.
            if role in {Role.CENTER_OFFICER, Role.SYSTEM_ADMIN}:
                return ALL
            if role not in {Role.DISTRICT_OFFICER, Role.BANK_APPLICANT}:
                return NONE
        else:
            return NONE
        if role in DISTRICT_ROLES and org is not None:
            return Q(district_id=org.district_id)
        if role == Role.BANK_HEAD_OFFICE and org is not None:
            return Q(bank_id=org.bank_id)
        if role == Role.BANK_APPLICANT and org is not None:
            return Q(sub_branch_id=org.pk)
        if role == Role.OUTLET_STAFF and user.outlet_id:
            return Q(pk=user.outlet_id)
        return NONE

    @classmethod
    def scope_filter_allows_create(cls, user: Any, outlet: Outlet) -> bool:
        """May ``user`` register ``outlet``? The ``change`` subtree rule, applied to the new row."""
        from ssc.accounts.choices import Role

        flt = cls.scope_filter(user, "change")
        if flt is ALL:
            return True
        if flt is NONE or flt is None:
            return False
        if user.role == Role.DISTRICT_OFFICER:
            return outlet.district_id == user.organisation.district_id
        if user.role == Role.BANK_APPLICANT:
            return outlet.sub_branch_id == user.organisation_id
        return False


class SystemAccount(TimeStampedModel):
    """社保卡系统账户 — an account the center opens for an outlet (Art 7(5)) and closes on exit (Art 8, 9)."""

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="system_accounts", verbose_name=_("网点"))
    account_type = models.CharField(_("账户类型"), max_length=20, choices=AccountType.choices)
    identifier = models.CharField(_("账户标识"), max_length=50)
    holder = models.CharField(_("使用人"), max_length=50, blank=True)
    opened_on = models.DateField(_("开通日期"))
    closed_on = models.DateField(_("关闭日期"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["outlet_id", "account_type", "identifier"]
        verbose_name = _("系统账户")
        verbose_name_plural = _("系统账户")
        constraints = [
            models.UniqueConstraint(
                fields=["identifier"], condition=Q(closed_on__isnull=True), name="sysaccount_open_identifier_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_account_type_display()} {self.identifier}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @classmethod
    def scope_filter(cls, user: Any, action: str = "view") -> Any:
        flt = Outlet.scope_filter(user, "view" if action == "view" else "none")
        if flt is ALL or flt is NONE or flt is None:
            return flt
        return Q(outlet__in=Outlet.objects.filter(flt).values("pk"))
