"""Quality evaluations (服务质量评价, Art 5): the center's versioned indicator sets and the districts' evaluations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ssc.core.scoping import ALL, NONE, ScopedManager, ScopedQuerySet
from ssc.workflow.models import WorkflowCase

from . import scoring


class PeriodKind(models.TextChoices):
    YEAR = "year", _("年度")
    HALF_YEAR = "half_year", _("半年度")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优")
    GOOD = "good", _("良")
    FAIR = "fair", _("中")
    POOR = "poor", _("差")


GRADE_COLOURS = {"excellent": "green", "good": "cyan", "fair": "amber", "poor": "red"}


class IndicatorCategory(models.TextChoices):
    BASIC = "basic", _("基础条件与合规")
    EFFICIENCY = "efficiency", _("服务效率")
    SATISFACTION = "satisfaction", _("满意度与投诉")
    SECURITY = "security", _("安全管理")
    VOLUME = "volume", _("业务量")
    COOPERATION = "cooperation", _("配合工作")


class AutoSource(models.TextChoices):
    COMPLAINTS = scoring.AUTO_COMPLAINTS, _("投诉件数（热线工单）")


DEFAULT_BANDS = [
    {"grade": "excellent", "min": 90},
    {"grade": "good", "min": 75},
    {"grade": "fair", "min": 60},
    {"grade": "poor", "min": 0},
]


class IndicatorSetQuerySet(ScopedQuerySet):
    def active(self, period_kind: str) -> IndicatorSet | None:
        return self.filter(period_kind=period_kind, is_active=True).order_by("-version").first()


class IndicatorSet(models.Model):
    """评价指标体系 — defined once by the center and used by every district (Art 5). Versioned per period kind;
    never edited once created: a change is a new version, so every evaluation keeps the rules it was scored on."""

    name = models.CharField(_("名称"), max_length=100)
    period_kind = models.CharField(_("评价周期"), max_length=10, choices=PeriodKind.choices)
    version = models.PositiveIntegerField(_("版本"))
    grade_bands = models.JSONField(_("等级分数线"), default=list)
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = IndicatorSetQuerySet.as_manager()

    class Meta:
        ordering = ["period_kind", "-version"]
        verbose_name = _("评价指标体系")
        verbose_name_plural = _("评价指标体系")
        constraints = [
            models.UniqueConstraint(fields=["period_kind", "version"], name="indicatorset_kind_version"),
            models.UniqueConstraint(
                fields=["period_kind"], condition=Q(is_active=True), name="indicatorset_one_active_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @classmethod
    def scope_filter(cls, user: Any, action: str = "view") -> Any:
        """City-wide standards: every staff role that reads cases reads them; the center alone creates them."""
        from ssc.accounts.choices import Role

        if action == "view":
            return NONE if user.role in {Role.SECURITY_ADMIN, Role.AUDIT_ADMIN} else ALL
        return ALL if user.role in {Role.CENTER_OFFICER, Role.CENTER_LEADER} else NONE

    def bands(self) -> list[scoring.Band]:
        return scoring.normalise_bands(self.grade_bands)

    def specs(self) -> list[scoring.IndicatorSpec]:
        return [i.spec() for i in self.indicators.all()]

    @property
    def max_total(self) -> Decimal:
        return sum((i.max_points for i in self.indicators.all()), Decimal(0))

    @property
    def is_used(self) -> bool:
        return self.evaluations.exists()


class Indicator(models.Model):
    """评价指标 — one line of an indicator set: what is scored, out of how many points, with which weight."""

    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("指标体系")
    )
    code = models.SlugField(_("指标代码"), max_length=40)
    label = models.CharField(_("指标名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=20, choices=IndicatorCategory.choices)
    description = models.CharField(_("评分标准"), max_length=500, blank=True)
    max_points = models.DecimalField(
        _("满分"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))]
    )
    weight = models.DecimalField(
        _("权重"), max_digits=5, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(Decimal("0.01"))]
    )
    auto_source = models.CharField(_("自动计分来源"), max_length=20, choices=AutoSource.choices, blank=True)
    deduction = models.DecimalField(
        _("每件扣分"), max_digits=5, decimal_places=1, default=Decimal(0), validators=[MinValueValidator(Decimal(0))]
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["indicator_set", "sort_order", "pk"]
        verbose_name = _("评价指标")
        verbose_name_plural = _("评价指标")
        constraints = [models.UniqueConstraint(fields=["indicator_set", "code"], name="indicator_set_code")]

    def __str__(self) -> str:
        return f"{self.label}（{self.max_points}）"

    @property
    def is_auto(self) -> bool:
        return bool(self.auto_source)

    def spec(self) -> scoring.IndicatorSpec:
        return scoring.IndicatorSpec(
            code=self.code,
            label=self.label,
            max_points=self.max_points,
            weight=self.weight,
            auto_source=self.auto_source,
            deduction=self.deduction,
        )


# The demo default set (REGULATION.md "What the regulation leaves open"): 100 points over the areas the sister
# rules evaluate — conditions and compliance, efficiency, satisfaction and complaints, security, volume,
# cooperation. (code, label, category, max points, automatic source, deduction per unit, scoring guidance)
DEFAULT_INDICATORS = [
    ("premises", "服务场所与标识", "basic", 10, "", 0, "服务专区或窗口、标识、设备完好"),
    ("disclosure", "服务信息公示", "basic", 5, "", 0, "公示咨询、投诉电话和服务项目、营业时间（第十条）"),
    ("compliance", "协议履行与业务规范", "basic", 10, "", 0, "遵守合作协议和社保卡业务规范"),
    ("efficiency", "办理效率", "efficiency", 15, "", 0, "办理时限、即时制卡、排队等候"),
    ("satisfaction", "群众满意度", "satisfaction", 15, "", 0, "回访与评价满意度，含12345反馈"),
    ("complaints", "投诉情况", "satisfaction", 15, "complaints", 5, "评价期内每件投诉扣5分，扣完为止（系统自动计算）"),
    ("security", "安全管理", "security", 10, "", 0, "数据安全、账户与设备管理"),
    ("volume", "业务办理量", "volume", 10, "", 0, "评价期内社保卡业务办理量"),
    ("cooperation", "配合管理工作", "cooperation", 10, "", 0, "配合区县检查、及时报告问题、整改落实"),
]
DEFAULT_SET_NAMES = {
    PeriodKind.YEAR: "社会保障卡合作银行网点服务质量年度评价指标",
    PeriodKind.HALF_YEAR: "社会保障卡合作银行网点服务质量半年度评价指标",
}


class EvaluationState(models.TextChoices):
    NEW = "new", _("新建")  # exists only inside the transaction of ``start``
    DRAFT = "draft", _("评分中")
    SUBMITTED = "submitted", _("待审定")
    FINALISED = "finalised", _("已审定")


STATE_COLOURS = {"new": "grey", "draft": "amber", "submitted": "blue", "finalised": "green"}


class Evaluation(WorkflowCase):
    """服务质量评价 — a district agency scores one outlet for one period (a year, or a half-year) on the center's
    indicator set (Art 5); the leader finalises the total and the grade. One evaluation per outlet and period."""

    case_type = "evaluation"

    outlet = models.ForeignKey(
        "registry.Outlet", on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("网点")
    )
    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("指标体系")
    )
    period = models.CharField(_("评价期"), max_length=7, help_text=_("如 2026（年度）或 2026H1（上半年）"))
    period_kind = models.CharField(_("评价周期"), max_length=10, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    period_start = models.DateField(_("评价期起"))
    period_end = models.DateField(_("评价期止"))
    scores = models.JSONField(_("各项得分"), default=dict, blank=True)
    notes = models.JSONField(_("扣分说明"), default=dict, blank=True)
    complaint_count = models.PositiveIntegerField(_("投诉件数"), default=0)
    complaints_counted_at = models.DateTimeField(_("投诉统计时间"), null=True, blank=True)
    total = models.DecimalField(_("总分"), max_digits=4, decimal_places=1, null=True, blank=True)
    grade = models.CharField(_("等级"), max_length=10, choices=Grade.choices, blank=True, db_index=True)
    summary = models.TextField(_("评价意见"), blank=True)
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("评价人")
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审定人"),
    )
    finalised_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    facts = models.JSONField(_("各环节记录"), default=dict, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-period_end", "-pk"]
        verbose_name = _("服务质量评价")
        verbose_name_plural = _("服务质量评价")
        constraints = [
            models.UniqueConstraint(fields=["outlet", "period"], name="evaluation_one_per_outlet_period"),
        ]
        indexes = [
            models.Index(fields=["period", "grade"], name="evaluation_period_grade"),
            models.Index(fields=["period_kind", "grade", "state", "year"], name="evaluation_failing_years"),
        ]

    def __str__(self) -> str:
        return f"{self.outlet.name} {self.period_label}" if self.outlet_id else str(self.pk)

    def get_state_display(self) -> str:
        return str(EvaluationState(self.state).label) if self.state in EvaluationState.values else self.state

    @property
    def period_label(self) -> str:
        return period_label(self.period)

    @property
    def is_failing(self) -> bool:
        return self.state == EvaluationState.FINALISED and scoring.is_failing(self.grade)

    @classmethod
    def scope_filter(cls, user: Any, action: str = "view") -> Any:
        """The center and the regulators see every evaluation; a district agency those of its district's outlets;
        a bank (head office, sub-branch, outlet) the *finalised* evaluations of its own outlets — the district's
        scoring is its own work until the leader finalises it. Hotlines and the security/audit administrators
        see none."""
        from ssc.accounts.choices import BANK_ROLES, CITYWIDE_ROLES, DISTRICT_ROLES
        from ssc.registry.models import Outlet

        role = user.role
        if role in CITYWIDE_ROLES:
            return ALL
        if role in DISTRICT_ROLES:
            district_id = getattr(user.organisation, "district_id", None)
            return Q(outlet__district_id=district_id) if district_id else NONE
        if role in BANK_ROLES:
            flt = Outlet.scope_filter(user, "view")
            if flt is None or flt is ALL or flt == NONE:
                return NONE
            return Q(state=EvaluationState.FINALISED, outlet__in=Outlet.objects.filter(flt).values("pk"))
        return NONE


def period_label(period: str) -> str:
    """``2026`` → ``2026年度``; ``2026H1`` → ``2026年上半年``."""
    from django.utils.translation import gettext as _t

    if len(period) == 4:
        return _t("%(y)s年度") % {"y": period}
    if period.endswith("H1"):
        return _t("%(y)s年上半年") % {"y": period[:4]}
    if period.endswith("H2"):
        return _t("%(y)s年下半年") % {"y": period[:4]}
    return period
