"""Documents (文档) attached to workflow actions: one identity row, one row per version (never overwritten)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ssc.core.scoping import ScopedManager


class DocumentKind(models.TextChoices):
    CONSENT_LETTER = "consent_letter", _("总行/分行同意函")
    SITE_REPORT = "site_report", _("现场核实报告")
    PHOTO = "photo", _("照片")
    MINUTES = "minutes", _("集体研究会议纪要")
    FILING_RECEIPT = "filing_receipt", _("备案回执")
    NOTICE = "notice", _("告知书")
    AGREEMENT = "agreement", _("合作协议")
    READINESS_REPORT = "readiness_report", _("验收报告")
    RECTIFICATION_NOTICE = "rectification_notice", _("整改通知")
    RECTIFICATION_REPORT = "rectification_report", _("整改报告")
    DECISION = "decision", _("决定书")
    CONSENT = "written_consent", _("书面同意")
    EVIDENCE = "evidence", _("证据材料")
    OTHER = "other", _("其他")


class Document(models.Model):
    """文档 — the identity of one piece of evidence on one case; its content lives in versions."""

    case_type = models.CharField(_("案件类型"), max_length=30)
    case_id = models.BigIntegerField(_("案件ID"))
    outlet = models.ForeignKey(
        "registry.Outlet", on_delete=models.PROTECT, related_name="documents", verbose_name=_("网点")
    )
    kind = models.CharField(_("类型"), max_length=30, choices=DocumentKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    action = models.CharField(_("所属操作"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("文档")
        verbose_name_plural = _("文档")
        indexes = [models.Index(fields=["case_type", "case_id"], name="document_case")]

    def __str__(self) -> str:
        return self.title

    @property
    def current(self) -> DocumentVersion | None:
        return self.versions.order_by("-number").first()

    @classmethod
    def scope_filter(cls, user: Any, action: str = "view") -> Any:
        """A document is visible to exactly the users who can see its case (the case model's own scoping):
        outlet scope alone would let, e.g., a hotline operator (citywide outlet reader) open any case's files."""
        from ssc.core.scoping import NONE
        from ssc.workflow.api.scoping import visible_cases_q

        if action != "view":
            return NONE
        return visible_cases_q(user)


def _upload_to(instance: DocumentVersion, filename: str) -> str:
    # Content-addressed: the name is the digest, so nothing can overwrite another version.
    return f"documents/{instance.sm3[:2]}/{instance.sm3}"


class DocumentVersion(models.Model):
    """文档版本 — immutable bytes of one version, with their SM3 digest."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    file = models.FileField(_("文件"), upload_to=_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=60)
    size = models.PositiveBigIntegerField(_("大小"))
    sm3 = models.CharField(_("SM3 摘要"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["document_id", "number"]
        verbose_name = _("文档版本")
        verbose_name_plural = _("文档版本")
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="docversion_unique_number")]

    def __str__(self) -> str:
        return f"{self.original_name} v{self.number}"
