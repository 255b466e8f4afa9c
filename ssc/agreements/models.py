"""Cooperation agreements (合作协议): per outlet with its district agency (Art 3, 7(3))."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ssc.core.models import VersionedModel


class AgreementStatus(models.TextChoices):
    IN_FORCE = "in_force", _("有效")
    EXPIRED = "expired", _("已到期")
    TERMINATED = "terminated", _("已终止")


class Agreement(VersionedModel):
    """社保卡合作协议 — signed by the outlet's district agency; an outlet cooperates while one is in force."""

    outlet = models.ForeignKey(
        "registry.Outlet", on_delete=models.PROTECT, related_name="agreements", verbose_name=_("网点")
    )
    agency = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("签约区县机构")
    )
    number = models.CharField(_("协议编号"), max_length=60)
    signed_on = models.DateField(_("签订日期"))
    term_start = models.DateField(_("有效期起"))
    term_end = models.DateField(_("有效期止"))
    status = models.CharField(
        _("状态"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.IN_FORCE
    )
    document = models.ForeignKey(
        "documents.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("协议文本"),
    )
    application = models.ForeignKey(
        "admission.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("准入申请"),
    )

    class Meta:
        ordering = ["-term_start"]
        verbose_name = _("合作协议")
        verbose_name_plural = _("合作协议")
        constraints = [
            models.UniqueConstraint(fields=["number"], name="agreement_number_unique"),
            models.CheckConstraint(condition=Q(term_end__gt=models.F("term_start")), name="agreement_term_order"),
        ]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def scope_filter(cls, user: Any, action: str = "view") -> Any:
        from ssc.core.scoping import ALL, NONE
        from ssc.registry.models import Outlet

        flt = Outlet.scope_filter(user, "view")
        if action != "view":
            return NONE
        if flt is ALL or flt is NONE or flt is None:
            return flt
        return Q(outlet__in=Outlet.objects.filter(flt).values("pk"))
