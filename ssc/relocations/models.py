"""Relocation of a cooperating outlet (网点迁址, WORKFLOW.md §5): reported by the outlet, assessed by its district
against the convenience-service requirements; a non-compliant new site is the Art 9(3) ground for ending
cooperation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ssc.core.scoping import ALL, NONE, ScopedManager
from ssc.registry.models import CQ_LAT, CQ_LNG
from ssc.workflow.models import WorkflowCase


class RelocationState(models.TextChoices):
    NEW = "new", _("新建")  # exists only inside the transaction of ``report``
    REPORTED = "reported", _("已报告")
    COMPLIANT = "compliant", _("新址符合要求")
    NON_COMPLIANT = "non_compliant", _("新址不符合要求")
    WITHDRAWN = "withdrawn", _("已撤回")


NO_RELOCATION_ROLES = frozenset({"hotline_operator", "security_admin", "audit_admin"})
OPEN_STATES = (RelocationState.NEW, RelocationState.REPORTED)
STATE_COLOURS = {
    "new": "grey",
    "reported": "blue",
    "compliant": "green",
    "non_compliant": "red",
    "withdrawn": "grey",
}


class Relocation(WorkflowCase):
    """网点迁址 — the outlet's new address, district, coordinates and planned move date; the district's assessment.
    The address at the time of the report is kept (``old_*``), so the record shows the move even after the outlet's
    data were updated."""

    case_type = "relocation"

    outlet = models.ForeignKey(
        "registry.Outlet", on_delete=models.PROTECT, related_name="relocations", verbose_name=_("网点")
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("报告人")
    )
    reported_at = models.DateTimeField(_("报告时间"), null=True, blank=True)
    old_address = models.CharField(_("原地址"), max_length=200, blank=True)
    old_latitude = models.FloatField(_("原纬度"), null=True, blank=True)
    old_longitude = models.FloatField(_("原经度"), null=True, blank=True)
    new_address = models.CharField(_("新地址"), max_length=200, blank=True)
    new_district = models.ForeignKey(
        "registry.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("新址所在区县"),
    )
    new_latitude = models.FloatField(
        _("新址纬度（GCJ-02）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(CQ_LAT[0]), MaxValueValidator(CQ_LAT[1])],
    )
    new_longitude = models.FloatField(
        _("新址经度（GCJ-02）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(CQ_LNG[0]), MaxValueValidator(CQ_LNG[1])],
    )
    planned_move_on = models.DateField(_("计划迁址日期"), null=True, blank=True)
    assessed_on = models.DateField(_("评估日期"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评估人"),
    )
    findings = models.TextField(_("评估意见"), blank=True)
    facts = models.JSONField(_("各环节记录"), default=dict, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("网点迁址")
        verbose_name_plural = _("网点迁址")
        constraints = [
            # One move at a time per outlet.
            models.UniqueConstraint(
                fields=["outlet"], condition=Q(state__in=["new", "reported"]), name="relocation_one_open_per_outlet"
            ),
        ]
        indexes = [models.Index(fields=["outlet", "state"], name="relocation_outlet_state")]

    def __str__(self) -> str:
        return f"{self.outlet.name} 迁址（{self.get_state_display()}）" if self.outlet_id else str(self.pk)

    def get_state_display(self) -> str:
        return str(RelocationState(self.state).label) if self.state in RelocationState.values else self.state

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("relocations:detail", args=[self.pk])

    @classmethod
    def scope_filter(cls, user: Any, action: str = "view") -> Any:
        """Where the outlet is visible; never for hotlines (not their business) or the security/audit
        administrators (三员分立)."""
        from ssc.registry.models import Outlet

        if user.role in NO_RELOCATION_ROLES:
            return NONE
        flt = Outlet.scope_filter(user, "view")
        if flt is ALL or flt is None or flt == NONE:
            return flt
        return Q(outlet__in=Outlet.objects.filter(flt).values("pk"))
