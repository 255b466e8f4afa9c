"""Base models: a model says what it is by what it inherits (NetBox's ladder)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """Optimistic concurrency: every write bumps ``version``; ``If-Match`` compares with it."""

    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        abstract = True
