"""Admission (网点准入, Art 7): the outlet opening application and the center's checklists."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ssc.core.scoping import ALL, NONE, ScopedManager
from ssc.workflow.models import WorkflowCase


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    SITE_VERIFIED = "site_verified", _("已现场核实")
    APPROVED = "approved", _("集体研究同意")
    REJECTED = "rejected", _("不予同意")
    FILED = "filed", _("已报备")
    FILING_ACKNOWLEDGED = "filing_acknowledged", _("已备案")
    NOTIFIED = "notified", _("已告知网点")
    PREPARING = "preparing", _("筹备中")
    GO_LIVE_APPLIED = "go_live_applied", _("已申请开通")
    READINESS_PASSED = "readiness_passed", _("验收通过")
    SYSTEM_OPENING_REQUESTED = "system_opening_requested", _("已申请开通系统")
    ACTIVE = "active", _("已开通")
    WITHDRAWN = "withdrawn", _("已撤回")


TERMINAL_STATES = (ApplicationState.ACTIVE, ApplicationState.REJECTED, ApplicationState.WITHDRAWN)

STATE_COLOURS = {
    "draft": "grey",
    "submitted": "blue",
    "returned": "amber",
    "site_verified": "blue",
    "approved": "cyan",
    "rejected": "red",
    "filed": "cyan",
    "filing_acknowledged": "cyan",
    "notified": "cyan",
    "preparing": "cyan",
    "go_live_applied": "blue",
    "readiness_passed": "cyan",
    "system_opening_requested": "orange",
    "active": "green",
    "withdrawn": "grey",
}


class Application(WorkflowCase):
    """网点开设申请 — submitted by the outlet's first-level sub-branch with its head office's consent (Art 7(1)),
    carried to an active cooperating outlet (Art 7(2)–(5)). ``facts`` keeps each step's recorded data by action."""

    case_type = "application"

    outlet = models.ForeignKey(
        "registry.Outlet", on_delete=models.PROTECT, related_name="applications", verbose_name=_("网点")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    consent_organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("同意机构"),
    )
    consent_date = models.DateField(_("同意日期"), null=True, blank=True)
    filing_number = models.CharField(_("备案编号"), max_length=60, blank=True)
    facts = models.JSONField(_("各环节记录"), default=dict, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("网点开设申请")
        verbose_name_plural = _("网点开设申请")
        constraints = [
            # An outlet has at most one open application at a time (WORKFLOW.md §1).
            models.UniqueConstraint(
                fields=["outlet"],
                condition=~Q(state__in=["active", "rejected", "withdrawn"]),
                name="application_one_open_per_outlet",
            ),
            models.UniqueConstraint(
                fields=["filing_number"], condition=~Q(filing_number=""), name="application_filing_number_unique"
            ),
        ]
        indexes = [models.Index(fields=["state", "outlet"], name="application_state_outlet")]

    def __str__(self) -> str:
        return f"{self.outlet.name}（{self.get_state_display()}）" if self.outlet_id else str(self.pk)

    def get_state_display(self) -> str:
        return str(ApplicationState(self.state).label) if self.state in ApplicationState.values else self.state

    @property
    def is_open(self) -> bool:
        return self.state not in TERMINAL_STATES

    @classmethod
    def scope_filter(cls, user: Any, action: str = "view") -> Any:
        from ssc.registry.models import Outlet

        flt = Outlet.scope_filter(user, "view")
        if flt is ALL or flt is NONE or flt is None:
            return flt
        return Q(outlet__in=Outlet.objects.filter(flt).values("pk"))


class ChecklistKind(models.TextChoices):
    SITE_VERIFICATION = "site_verification", _("现场核实清单")
    READINESS = "readiness", _("开通验收清单")


class Checklist(models.Model):
    """核查清单 — defined once by the center and used by every district (Art 5); versioned, never edited in place
    once used."""

    kind = models.CharField(_("类型"), max_length=30, choices=ChecklistKind.choices)
    version = models.PositiveIntegerField(_("版本"))
    items = models.JSONField(_("检查项"), help_text=_('[{"code": "...", "label": "..."}]'))
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "-version"]
        verbose_name = _("核查清单")
        verbose_name_plural = _("核查清单")
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="checklist_kind_version")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"

    @classmethod
    def active(cls, kind: str) -> Checklist | None:
        return cls.objects.filter(kind=kind, is_active=True).order_by("-version").first()


DEFAULT_SITE_CHECKLIST = [
    {"code": "premises", "label": "营业场所固定、标识清晰，具备社保卡服务专区或窗口"},
    {"code": "accessibility", "label": "交通便利，具备无障碍通道或适老化服务设施"},
    {"code": "security", "label": "安防监控、消防设施符合要求"},
    {"code": "network", "label": "具备与社保卡系统互联的网络条件（金渝网或原社银直连）"},
    {"code": "equipment_space", "label": "具备放置制卡、读卡等设备的场地与电力条件"},
    {"code": "staff", "label": "配备社保卡业务专（兼）职人员"},
    {"code": "hours", "label": "营业时间能够满足群众办理需要"},
    {"code": "disclosure", "label": "能够公示咨询、投诉电话（第十条）"},
]
DEFAULT_READINESS_CHECKLIST = [
    {"code": "integration", "label": "系统对接完成并联调通过"},
    {"code": "hardware", "label": "制卡机、读卡器等软硬件安装调试完毕"},
    {"code": "training", "label": "经办人员完成培训"},
    {"code": "signage", "label": "服务标识、排队指引、公示信息到位"},
    {"code": "security", "label": "数据安全与账户管理制度建立"},
]
