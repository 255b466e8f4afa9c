"""Statutory deadlines (法定期限) — one engine over the working-day calendar."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ssc.core.scoping import ALL, NONE, ScopedManager

# Colours of the status badges (the same everywhere).
DEADLINE_STATUS_COLOURS = {"pending": "blue", "met": "green", "missed": "red"}


class DeadlineStatus(models.TextChoices):
    PENDING = "pending", _("进行中")
    MET = "met", _("按期完成")
    MISSED = "missed", _("已超期")


class Deadline(models.Model):
    """期限 — a limit the law sets on one case: started by one action, met or missed by another.

    Keeps the *latest date allowed by law* (``due_on``) apart from when it was done (``completed_on``), as
    Open Zaak does. ``missed`` is set by the sweep once ``due_on`` has passed, or on completion after it.
    """

    case_type = models.CharField(_("案件类型"), max_length=30)
    case_id = models.BigIntegerField(_("案件ID"))
    kind = models.CharField(_("期限类型"), max_length=40)
    label = models.CharField(_("名称"), max_length=100, blank=True)
    article = models.CharField(_("依据条款"), max_length=20, blank=True)
    responsible = models.CharField(_("责任方"), max_length=30, blank=True)
    district = models.ForeignKey(
        "registry.District", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("区县")
    )
    started_on = models.DateField(_("起算日"))
    due_on = models.DateField(_("截止日"), db_index=True)
    completed_on = models.DateField(_("完成日"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=DeadlineStatus.choices, default=DeadlineStatus.PENDING)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("期限")
        verbose_name_plural = _("期限")
        indexes = [
            models.Index(fields=["case_type", "case_id"], name="deadline_case"),
            models.Index(fields=["status", "due_on"], name="deadline_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.due_on} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.completed_on is None

    @classmethod
    def scope_filter(cls, user: Any, action: str = "view") -> Any:
        """The center and the regulators see every deadline (Art 5); a district agency those of its own area."""
        from ssc.accounts.choices import DISTRICT_ROLES, Role

        if action != "view":
            return NONE
        if user.role in {Role.CENTER_OFFICER, Role.CENTER_LEADER, Role.REGULATOR}:
            return ALL
        org = user.organisation
        if user.role in DISTRICT_ROLES and org is not None and org.district_id:
            return Q(district_id=org.district_id)
        return NONE


class StepTarget(models.Model):
    """内部时限 — the center's internal target for a district step (the regulation sets none)."""

    case_type = models.CharField(_("案件类型"), max_length=30)
    action = models.CharField(_("操作"), max_length=40)
    workdays = models.PositiveSmallIntegerField(_("目标用时（工作日）"))

    class Meta:
        verbose_name = _("内部时限")
        verbose_name_plural = _("内部时限")
        constraints = [models.UniqueConstraint(fields=["case_type", "action"], name="steptarget_unique")]

    def __str__(self) -> str:
        return f"{self.case_type}.{self.action} ≤ {self.workdays}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from ssc.workflow import engine

        try:
            workflow = engine.binding_for(self.case_type).workflow
        except KeyError:
            raise ValidationError({"case_type": _("未知的流程。")}) from None
        if workflow.get(self.action) is None:
            raise ValidationError({"action": _("该流程没有此环节。")})
        if self.workdays is not None and not 1 <= self.workdays <= 250:
            raise ValidationError({"workdays": _("目标用时应为 1 至 250 个工作日。")})
