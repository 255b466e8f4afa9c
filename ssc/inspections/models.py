"""Supervision and inspection (监督检查, Art 5): what a regulator or the center inspected, what it found, and what
it asked the district agency to do."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ssc.core.scoping import ALL, NONE, ScopedManager
from ssc.workflow.models import WorkflowCase


class InspectionState(models.TextChoices):
    NEW = "new", _("新建")  # exists only inside the transaction of ``record``
    RECORDED = "recorded", _("已记录")
    ACTION_REQUESTED = "action_requested", _("待区县处理")
    RESPONDED = "responded", _("区县已反馈")
    CLOSED = "closed", _("已办结")


STATE_COLOURS = {
    "new": "grey",
    "recorded": "green",
    "action_requested": "amber",
    "responded": "blue",
    "closed": "green",
}

# Who inspects (Art 5): the two regulators and the center's unified management.
INSPECTING_ORGANISATION_KINDS = ("hrss", "nfra", "center")


class Inspection(WorkflowCase):
    """监督检查 — recorded by a regulator (市人社局, 金融监管总局重庆监管局) or the center (Art 5): date, scope, the
    outlets and/or district inspected, findings, documents; may ask the district agency to act, which answers;
    the recording organisation then closes it."""

    case_type = "inspection"

    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("检查机构")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    inspected_on = models.DateField(_("检查日期"), null=True, blank=True)
    scope = models.TextField(_("检查范围"), blank=True)
    district = models.ForeignKey(
        "registry.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("区县"),
    )
    outlets = models.ManyToManyField(
        "registry.Outlet", blank=True, related_name="inspections", verbose_name=_("检查的网点")
    )
    findings = models.TextField(_("检查发现"), blank=True)
    requests_action = models.BooleanField(_("要求区县处理"), default=False)
    requested_action = models.TextField(_("要求区县处理的事项"), blank=True)
    district_response = models.TextField(_("区县处理情况"), blank=True)
    responded_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("反馈人"),
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    facts = models.JSONField(_("各环节记录"), default=dict, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-inspected_on", "-pk"]
        verbose_name = _("监督检查")
        verbose_name_plural = _("监督检查")
        indexes = [
            models.Index(fields=["district", "state"], name="inspection_district_state"),
            models.Index(fields=["organisation", "state"], name="inspection_org_state"),
        ]

    def __str__(self) -> str:
        day = self.inspected_on.isoformat() if self.inspected_on else ""
        return f"{day} 监督检查 #{self.pk}".strip()

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("inspections:detail", args=[self.pk])

    def get_state_display(self) -> str:
        return str(InspectionState(self.state).label) if self.state in InspectionState.values else self.state

    @classmethod
    def scope_filter(cls, user: Any, action: str = "view") -> Any:
        """The center and the regulators read every inspection (Art 5); a district agency those of its district
        or of its outlets. Banks, hotlines and the security/audit administrators see none."""
        from ssc.accounts.choices import CITYWIDE_ROLES, DISTRICT_ROLES

        if action != "view":
            return NONE
        if user.role in CITYWIDE_ROLES:
            return ALL
        org = user.organisation
        if user.role in DISTRICT_ROLES and org is not None and org.district_id:
            via_outlets = Inspection.outlets.through.objects.filter(outlet__district_id=org.district_id).values(
                "inspection_id"
            )
            return Q(district_id=org.district_id) | Q(pk__in=via_outlets)
        return NONE


def _upload_to(instance: InspectionDocument, filename: str) -> str:
    # Content-addressed: the name is the digest, so nothing can overwrite another file.
    return f"inspections/{instance.sm3[:2]}/{instance.sm3}"


class InspectionDocument(models.Model):
    """监督检查材料 — a file recorded with an inspection or the district's answer; immutable, SM3-digested.

    Kept apart from ``documents.Document`` (which hangs on one outlet): an inspection may cover a whole district,
    and its documents are visible to exactly those who see the inspection."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("监督检查")
    )
    action = models.CharField(_("所属操作"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    file = models.FileField(_("文件"), upload_to=_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=60)
    size = models.PositiveBigIntegerField(_("大小"))
    sm3 = models.CharField(_("SM3 摘要"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("监督检查材料")
        verbose_name_plural = _("监督检查材料")

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_filter(cls, user: Any, action: str = "view") -> Any:
        flt = Inspection.scope_filter(user, action)
        if flt is ALL or flt is None or flt == NONE:
            return flt
        return Q(inspection__in=Inspection.objects.filter(flt).values("pk"))
