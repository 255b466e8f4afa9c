"""Termination and exit (解除合作 / 退出, Art 8, 9): ending an outlet's cooperation on one of eight grounds.

Outlet status while a termination runs (decided design, WORKFLOW.md §2):

- ``initiated`` / ``consented`` / ``agreed`` / ``decided``: the outlet keeps its status (``active`` or
  ``under_rectification``) — it still serves cardholders and the case may still be cancelled; the outlet page shows
  the open termination;
- ``file_with_center`` → ``filed``: the outlet becomes ``terminating`` and its roster entry is hidden at once (it
  leaves the public directory before the center acts);
- ``close_accounts`` → ``closed``: the outlet becomes ``terminated``; the roster version published then lists it as
  removed; its agreements end.

``cancel`` (before ``filed``) leaves the outlet as it was.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ssc.core.scoping import ALL, NONE, ScopedManager
from ssc.workflow.models import WorkflowCase


class TerminationState(models.TextChoices):
    NEW = "new", _("新建")  # exists only inside the transaction of ``initiate``
    INITIATED = "initiated", _("已发起")
    CONSENTED = "consented", _("中心已书面同意")
    AGREED = "agreed", _("双方已协商一致")
    DECIDED = "decided", _("已决定解除")
    FILED = "filed", _("已报中心备案")
    CLOSED = "closed", _("已关闭账户、退出")
    CANCELLED = "cancelled", _("已撤销")


CLOSED_STATES = (TerminationState.CLOSED, TerminationState.CANCELLED)
OPEN_STATES = (
    TerminationState.NEW,
    TerminationState.INITIATED,
    TerminationState.CONSENTED,
    TerminationState.AGREED,
    TerminationState.DECIDED,
    TerminationState.FILED,
)
BEFORE_FILING = (
    TerminationState.INITIATED,
    TerminationState.CONSENTED,
    TerminationState.AGREED,
    TerminationState.DECIDED,
)

STATE_COLOURS = {
    "new": "grey",
    "initiated": "blue",
    "consented": "cyan",
    "agreed": "cyan",
    "decided": "amber",
    "filed": "orange",
    "closed": "grey",
    "cancelled": "grey",
}


class Ground(models.TextChoices):
    """The eight grounds (Art 8(1)–(4): unilateral termination by the district; Art 9(1)–(4): exit)."""

    SERIOUS_BREACH = "8.1", _("严重违反合作协议（第八条第一项）")
    MAJOR_LOSS = "8.2", _("造成重大经济损失、严重安全事故或重大不良社会影响（第八条第二项）")
    RECTIFICATION_FAILED = "8.3", _("整改期满3个月仍未完成整改（第八条第三项）")
    OTHER_MAJOR_RISK = "8.4", _("存在其他重大风险（第八条第四项）")
    HEAD_OFFICE_REQUEST = "9.1", _("总行/重庆分行申请终止且中心书面同意（第九条第一项）")
    MUTUAL_AGREEMENT = "9.2", _("一方申请终止且双方协商一致（第九条第二项）")
    RELOCATION_NON_COMPLIANT = "9.3", _("网点迁址后不符合便民服务要求（第九条第三项）")
    AGREEMENT_NOT_RENEWED = "9.4", _("合作协议期满未续签（第九条第四项）")


def ground_article(ground: str) -> str:
    """``"8.3"`` → ``"8(3)"``: the article-and-item citation used in history and audit."""
    art, _sep, item = ground.partition(".")
    return f"{art}({item})" if item else art


class InitiatorSide(models.TextChoices):
    DISTRICT = "district", _("区县社保卡管理机构")
    BANK = "bank", _("银行")


class Termination(WorkflowCase):
    """解除合作 — one outlet, one ground; initiated by the district (any ground) or the bank (Art 9(1), 9(2)),
    decided by the district leader, filed with the center, which closes the accounts within 5 working days."""

    case_type = "termination"

    outlet = models.ForeignKey(
        "registry.Outlet", on_delete=models.PROTECT, related_name="terminations", verbose_name=_("网点")
    )
    ground = models.CharField(_("解除情形"), max_length=3, choices=Ground.choices, blank=True, db_index=True)
    reasons = models.TextField(_("事实与理由"), blank=True)
    initiated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发起人")
    )
    initiator_organisation = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起机构"),
    )
    initiator_side = models.CharField(_("发起方"), max_length=10, choices=InitiatorSide.choices)
    # The record that makes the ground available (Art 8(3), 9(3), 9(4)).
    rectification = models.ForeignKey(
        "rectification.Rectification",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("逾期整改"),
    )
    relocation = models.ForeignKey(
        "relocations.Relocation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("不符合要求的迁址"),
    )
    agreement = models.ForeignKey(
        "agreements.Agreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("期满未续签的协议"),
    )
    initiated_on = models.DateField(_("发起日期"), null=True, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    legal_liability = models.TextField(_("法律责任追究情况"), blank=True)
    filed_on = models.DateField(_("报备日期"), null=True, blank=True)
    closed_on = models.DateField(_("账户关闭日期"), null=True, blank=True)
    cancelled_on = models.DateField(_("撤销日期"), null=True, blank=True)
    facts = models.JSONField(_("各环节记录"), default=dict, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("解除合作")
        verbose_name_plural = _("解除合作")
        constraints = [
            # An outlet has at most one open termination at a time.
            models.UniqueConstraint(
                fields=["outlet"],
                condition=~Q(state__in=["closed", "cancelled"]),
                name="termination_one_open_per_outlet",
            ),
        ]
        indexes = [models.Index(fields=["outlet", "state"], name="termination_outlet_state")]

    def __str__(self) -> str:
        return f"{self.outlet.name} 解除合作（{self.get_state_display()}）" if self.outlet_id else str(self.pk)

    def get_state_display(self) -> str:
        return str(TerminationState(self.state).label) if self.state in TerminationState.values else self.state

    @property
    def ground_article(self) -> str:
        return ground_article(self.ground) if self.ground else ""

    @property
    def is_art8(self) -> bool:
        return self.ground.startswith("8")

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def get_absolute_url(self) -> str:
        from django.urls import NoReverseMatch, reverse

        try:
            return reverse("terminations:detail", args=[self.pk])
        except NoReverseMatch:  # the pages may not be there yet
            return ""

    @classmethod
    def scope_filter(cls, user: Any, action: str = "view") -> Any:
        from ssc.registry.models import Outlet

        flt = Outlet.scope_filter(user, "view")
        if flt is ALL or flt is NONE or flt is None:
            return flt
        return Q(outlet__in=Outlet.objects.filter(flt).values("pk"))
