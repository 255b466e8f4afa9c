"""Rectification (督促整改, Art 8(3)): the district urges an outlet to fix what falls short, within 3 months."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ssc.core.scoping import ALL, NONE, ScopedManager
from ssc.workflow.models import WorkflowCase


class RectificationState(models.TextChoices):
    NEW = "new", _("新建")  # exists only inside the transaction of ``issue``
    OPEN = "open", _("整改中")
    REPORT_SUBMITTED = "report_submitted", _("已提交整改报告")
    REPORT_REJECTED = "report_rejected", _("整改报告被退回")
    CLOSED = "closed", _("整改完成")
    OVERDUE = "overdue", _("逾期未完成")


OPEN_STATES = (RectificationState.OPEN, RectificationState.REPORT_SUBMITTED, RectificationState.REPORT_REJECTED)
STATE_COLOURS = {
    "new": "grey",
    "open": "amber",
    "report_submitted": "blue",
    "report_rejected": "orange",
    "closed": "green",
    "overdue": "red",
}


class RectificationSource(models.TextChoices):
    EVALUATION = "evaluation", _("质量评价")
    INSPECTION = "inspection", _("监督检查")
    COMPLAINT = "complaint", _("投诉")
    DISCLOSURE = "disclosure", _("公示检查")
    OTHER = "other", _("其他")


class Rectification(WorkflowCase):
    """整改 — items to fix, issued on a date; due 3 calendar months later by the Civil Code rules (Art 202/203).
    An outlet with an overdue rectification may be terminated under Art 8(3)."""

    case_type = "rectification"

    outlet = models.ForeignKey(
        "registry.Outlet", on_delete=models.PROTECT, related_name="rectifications", verbose_name=_("网点")
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("下达人")
    )
    issued_on = models.DateField(_("下达日期"), null=True, blank=True)
    due_on = models.DateField(_("整改期限"), null=True, blank=True, db_index=True)
    items = models.JSONField(_("整改事项"), default=list)
    source = models.CharField(
        _("来源"), max_length=20, choices=RectificationSource.choices, default=RectificationSource.OTHER
    )
    source_ref = models.CharField(_("来源记录"), max_length=60, blank=True)
    closed_on = models.DateField(_("完成日期"), null=True, blank=True)
    facts = models.JSONField(_("各环节记录"), default=dict, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("整改")
        verbose_name_plural = _("整改")
        indexes = [models.Index(fields=["outlet", "state"], name="rectification_outlet_state")]

    def __str__(self) -> str:
        return f"{self.outlet.name} 整改（{self.get_state_display()}）" if self.outlet_id else str(self.pk)

    def get_state_display(self) -> str:
        return str(RectificationState(self.state).label) if self.state in RectificationState.values else self.state

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("rectification:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @classmethod
    def scope_filter(cls, user: Any, action: str = "view") -> Any:
        from ssc.registry.models import Outlet

        flt = Outlet.scope_filter(user, "view")
        if flt is ALL or flt is NONE or flt is None:
            return flt
        return Q(outlet__in=Outlet.objects.filter(flt).values("pk"))
