"""Cooperation agreements (合作协议): per outlet with its district agency (Art 3, 7(3), 9(4)), and the framework
agreement of each bank with the municipal HRSS bureau (Art 6(1))."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ssc.core.models import TimeStampedModel, VersionedModel
from ssc.core.scoping import ALL, NONE, ScopedManager


class AgreementStatus(models.TextChoices):
    IN_FORCE = "in_force", _("有效")
    # Ended at its term, continued without a break by the agreement that renews it.
    RENEWED = "renewed", _("已续签")
    # Ended at its term without renewal: Art 9(4) exit is available.
    EXPIRED = "expired", _("已到期")
    TERMINATED = "terminated", _("已终止")


STATE_COLOURS = {
    AgreementStatus.IN_FORCE: "green",
    AgreementStatus.RENEWED: "blue",
    AgreementStatus.EXPIRED: "red",
    AgreementStatus.TERMINATED: "grey",
}

# Roles that never see agreements: hotlines take calls about outlets, not their contracts; the security and
# audit administrators have no business with cases (三员分立).
NO_AGREEMENT_ROLES = frozenset({"hotline_operator", "security_admin", "audit_admin"})


def _outlet_scope(user: Any, action: str) -> Any:
    """Rows hanging off an outlet: visible where the outlet is (never for ``NO_AGREEMENT_ROLES``)."""
    from ssc.registry.models import Outlet

    if action != "view" or user.role in NO_AGREEMENT_ROLES:
        return NONE
    flt = Outlet.scope_filter(user, "view")
    if flt is ALL or flt is None or flt == NONE:
        return flt
    return Q(outlet__in=Outlet.objects.filter(flt).values("pk"))


class Agreement(VersionedModel):
    """社保卡合作协议 — signed by the outlet's district agency; an outlet cooperates while one is in force (Art 3).

    A renewal is a new row pointing at the agreement it renews (``renews``), so every term stays on record; the
    renewed agreement keeps ``in_force`` until its end and then becomes ``renewed``, an agreement that ends without
    one becomes ``expired`` (Art 9(4)). The daily job (``services.daily``) moves the status and sends the reminders
    90 and 30 days before ``term_end``."""

    case_type = "agreement"

    outlet = models.ForeignKey(
        "registry.Outlet", on_delete=models.PROTECT, related_name="agreements", verbose_name=_("网点")
    )
    agency = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("签约区县机构")
    )
    number = models.CharField(_("协议编号"), max_length=60)
    signed_on = models.DateField(_("签订日期"))
    term_start = models.DateField(_("有效期起"))
    term_end = models.DateField(_("有效期止"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.IN_FORCE, db_index=True
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
    renews = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewed_by",
        verbose_name=_("续签的原协议"),
    )
    reminded_90_on = models.DateField(_("到期前90天提醒日期"), null=True, blank=True)
    reminded_30_on = models.DateField(_("到期前30天提醒日期"), null=True, blank=True)
    ended_on = models.DateField(_("状态变更日期"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-term_start"]
        verbose_name = _("合作协议")
        verbose_name_plural = _("合作协议")
        constraints = [
            models.UniqueConstraint(fields=["number"], name="agreement_number_unique"),
            models.CheckConstraint(condition=Q(term_end__gt=models.F("term_start")), name="agreement_term_order"),
        ]
        indexes = [models.Index(fields=["status", "term_end"], name="agreement_status_end")]

    def __str__(self) -> str:
        return self.number

    # The workflow engine and the case templates speak of ``state``; the agreement's column is ``status``.
    @property
    def state(self) -> str:
        return self.status

    @state.setter
    def state(self, value: str) -> None:
        self.status = value

    def get_state_display(self) -> str:
        return self.get_status_display()

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("agreements:detail", args=[self.pk])

    @property
    def successor(self) -> Agreement | None:
        try:
            return self.renewed_by
        except Agreement.DoesNotExist:
            return None

    @classmethod
    def scope_filter(cls, user: Any, action: str = "view") -> Any:
        return _outlet_scope(user, action)


def _framework_upload_to(instance: FrameworkAgreement, filename: str) -> str:
    # Content-addressed like every document: nothing can overwrite another file.
    return f"framework_agreements/{instance.sm3[:2]}/{instance.sm3}"


class FrameworkAgreement(TimeStampedModel):
    """合作框架协议 — signed by a bank's head office or Chongqing branch with the municipal HRSS bureau; every
    outlet of the bank is bound by it and by its liability clauses (Art 6(1))."""

    bank = models.ForeignKey(
        "registry.Bank", on_delete=models.PROTECT, related_name="framework_agreements", verbose_name=_("银行")
    )
    bank_organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签约银行机构"),
        help_text=_("银行总行或重庆（市）分行。"),
    )
    hrss = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("市人力资源和社会保障局")
    )
    number = models.CharField(_("协议编号"), max_length=60, unique=True)
    signed_on = models.DateField(_("签订日期"))
    term_start = models.DateField(_("有效期起"))
    term_end = models.DateField(_("有效期止"), null=True, blank=True, help_text=_("长期有效请留空。"))
    liability_clauses = models.TextField(_("责任条款"), max_length=20000)
    document = models.FileField(_("协议文本"), upload_to=_framework_upload_to, max_length=200, blank=True)
    document_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    document_content_type = models.CharField(_("文件类型"), max_length=60, blank=True)
    document_size = models.PositiveBigIntegerField(_("文件大小"), null=True, blank=True)
    sm3 = models.CharField(_("SM3 摘要"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )

    objects = ScopedManager()

    class Meta:
        ordering = ["bank__sort_order", "-term_start"]
        verbose_name = _("合作框架协议")
        verbose_name_plural = _("合作框架协议")
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gt=models.F("term_start")),
                name="framework_term_order",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def in_force_on(self, day: Any) -> bool:
        return self.term_start <= day and (self.term_end is None or day <= self.term_end)

    @classmethod
    def scope_filter(cls, user: Any, action: str = "view") -> Any:
        from ssc.accounts.choices import BANK_ROLES, CITYWIDE_ROLES, DISTRICT_ROLES, Role

        if action == "change":
            return ALL if user.role == Role.CENTER_OFFICER else NONE
        if action != "view":
            return NONE
        if user.role in CITYWIDE_ROLES or user.role in DISTRICT_ROLES:
            return ALL
        org = user.organisation
        if user.role in BANK_ROLES and org is not None and org.bank_id:
            return Q(bank_id=org.bank_id)
        return NONE
