"""Append-only audit log (审计日志), hash-chained with SM3 (GB/T 32905)."""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from ssc.core.scoping import ALL, NONE, ScopedManager

GENESIS_HASH = "0" * 64
# Where an event came from (``ssc.core.context.RequestContext.source``).
SOURCE_LABELS = {"web": _("网页"), "api": _("接口"), "command": _("命令行"), "system": _("系统")}


class AuditEvent(models.Model):
    """审计事件 — one change or one read of personal data. Database triggers refuse UPDATE and DELETE.

    ``hash = SM3(prev_hash || canonical JSON of the other fields)``; ``seq`` has no gaps, so a deleted
    row breaks the chain at the row after it, and the chain head row catches a deleted last row.
    """

    seq = models.BigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor_id = models.BigIntegerField(_("操作人ID"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("操作人"), max_length=150, blank=True)
    actor_role = models.CharField(_("角色"), max_length=30, blank=True)
    organisation_id = models.BigIntegerField(_("机构ID"), null=True, blank=True)
    organisation_name = models.CharField(_("机构"), max_length=100, blank=True)
    action = models.CharField(_("操作"), max_length=80, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    object_id = models.CharField(_("对象ID"), max_length=40, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    # Canonical JSON text (sorted keys, no spaces): hashed byte for byte as stored, on every database.
    before_json = models.TextField(_("变更前"), blank=True)
    after_json = models.TextField(_("变更后"), blank=True)
    article = models.CharField(_("依据条款"), max_length=20, blank=True)
    request_id = models.CharField(_("请求ID"), max_length=64, blank=True)
    client_ip = models.CharField(_("客户端地址"), max_length=45, blank=True)
    source = models.CharField(_("来源"), max_length=10, blank=True)
    prev_hash = models.CharField(_("前一哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)

    objects = ScopedManager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    @property
    def before(self) -> Any:
        return json.loads(self.before_json) if self.before_json else None

    @property
    def after(self) -> Any:
        return json.loads(self.after_json) if self.after_json else None

    @property
    def source_label(self) -> str:
        return str(SOURCE_LABELS.get(self.source, self.source))

    @property
    def actor_role_label(self) -> str:
        from ssc.accounts.choices import Role

        return str(dict(Role.choices).get(self.actor_role, self.actor_role))

    @classmethod
    def scope_filter(cls, user: Any, action: str = "view") -> Any:
        from ssc.accounts.choices import AUDIT_READER_ROLES

        # Only the audit administrator and the regulators read the trail; nobody changes it.
        return ALL if action == "view" and user.role in AUDIT_READER_ROLES else NONE


class AuditChainHead(models.Model):
    """The chain's head (one row, pk=1): last ``seq`` and ``hash``. Updating it first serialises appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("审计链头")

    def __str__(self) -> str:
        return f"head #{self.seq}"
