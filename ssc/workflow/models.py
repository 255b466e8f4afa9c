"""History of every workflow action (流程记录) and the idempotency keys of API calls."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ssc.core.models import VersionedModel


class WorkflowCase(VersionedModel):
    """A case that moves through a declarative workflow (``ssc.workflow.definition.Workflow``)."""

    state = models.CharField(_("状态"), max_length=40, db_index=True)

    workflow: object = None  # set by each concrete case model (class attribute)
    case_type: str = ""

    class Meta:
        abstract = True


class CaseEvent(models.Model):
    """流程记录 — one action taken on one case: who, which organisation, when, article, payload, documents."""

    case_type = models.CharField(_("案件类型"), max_length=30)
    case_id = models.BigIntegerField(_("案件ID"))
    action = models.CharField(_("操作"), max_length=40)
    from_state = models.CharField(_("原状态"), max_length=40)
    to_state = models.CharField(_("新状态"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("操作人")
    )
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("机构")
    )
    at = models.DateTimeField(_("时间"))
    article = models.CharField(_("依据条款"), max_length=20)
    payload = models.JSONField(_("内容"), default=dict, blank=True)
    # Working days the step took since the previous action (the district's own steps are measured).
    elapsed_workdays = models.IntegerField(_("用时（工作日）"), null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("流程记录")
        verbose_name_plural = _("流程记录")
        indexes = [models.Index(fields=["case_type", "case_id", "at"], name="caseevent_case")]

    def __str__(self) -> str:
        return f"{self.case_type}#{self.case_id} {self.action}"


class IdempotencyRecord(models.Model):
    """A POST made with an ``Idempotency-Key``: a retry returns the stored response instead of acting twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key")]

    def __str__(self) -> str:
        return self.key
