"""The roster of cooperating outlets (合作银行网点名单), versioned (Art 7(5), 8, 9)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class RosterVersion(models.Model):
    """名单版本 — one published state of the roster, with what changed against the previous version."""

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("发布人")
    )
    reason = models.CharField(_("发布原因"), max_length=200, blank=True)
    added_count = models.PositiveIntegerField(_("新增"), default=0)
    changed_count = models.PositiveIntegerField(_("变更"), default=0)
    removed_count = models.PositiveIntegerField(_("移除"), default=0)
    total = models.PositiveIntegerField(_("网点总数"), default=0)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("名单版本")
        verbose_name_plural = _("名单版本")

    def __str__(self) -> str:
        return f"V{self.number}"


class ChangeKind(models.TextChoices):
    ADDED = "added", _("新增")
    CHANGED = "changed", _("变更")
    REMOVED = "removed", _("移除")


class RosterChange(models.Model):
    """名单变更 — one outlet added, changed or removed in one version, with the published data."""

    version = models.ForeignKey(RosterVersion, on_delete=models.PROTECT, related_name="changes")
    outlet = models.ForeignKey("registry.Outlet", on_delete=models.PROTECT, related_name="roster_changes")
    kind = models.CharField(_("变更类型"), max_length=10, choices=ChangeKind.choices)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)

    class Meta:
        ordering = ["version_id", "id"]
        verbose_name = _("名单变更")
        verbose_name_plural = _("名单变更")

    def __str__(self) -> str:
        return f"{self.version} {self.kind} {self.outlet_id}"


class CompactJSONEncoder(DjangoJSONEncoder):
    """Stores JSON as the public API answers it: UTF-8 hanzi (not ``\\uXXXX``), no spaces. The API splices an
    entry's stored text into its answer as it is (``ssc.directory.search.search_text``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "ensure_ascii": False, "separators": (",", ":")})


class RosterEntry(models.Model):
    """名单条目 — an outlet in the latest published version: a flat, denormalised row the public directory and
    the open-data exports read without joins. ``hidden`` is set when a termination is filed (the outlet leaves
    the public view at once, Art 8/9) and the row goes with the next published version."""

    outlet = models.OneToOneField(
        "registry.Outlet", on_delete=models.PROTECT, primary_key=True, related_name="roster_entry"
    )
    since_version = models.PositiveIntegerField(_("列入版本"))
    updated_version = models.PositiveIntegerField(_("最近更新版本"))
    hidden = models.BooleanField(_("已隐藏"), default=False, db_index=True)
    data = models.JSONField(_("公开信息"), encoder=CompactJSONEncoder)
    # Search and filter columns (copied from ``data`` for indexes).
    name = models.CharField(max_length=100)
    address = models.CharField(max_length=200)
    name_initials = models.CharField(max_length=100, db_index=True)
    name_pinyin = models.CharField(max_length=400)
    district_id = models.BigIntegerField()  # indexed by roster_entry_district_ix
    bank_id = models.BigIntegerField()  # indexed by roster_entry_bank_ix
    instant_issuance = models.BooleanField(default=False)
    services = models.CharField(max_length=300, help_text="|code|code|")
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["outlet_id"]
        indexes = [
            # The public directory (ssc.directory.search): covering indexes that a ``LIKE '%…%'`` scan reads
            # instead of the wide rows (SQLite), in the order the results are listed (by pinyin of the name);
            # PostgreSQL also gets pg_trgm GIN indexes on the same columns, SQLite an FTS5 trigram table on name
            # and address kept in step by triggers (migration 0002; a migration that rebuilds this table on
            # SQLite must re-create those triggers).
            # (outlet_id last: neither database keeps it in an index otherwise — SQLite's rowid is another column.)
            models.Index(
                fields=["name_pinyin", "name_initials", "hidden", "outlet_id"], name="roster_entry_pinyin2_ix"
            ),
            models.Index(
                fields=["name", "address", "hidden", "name_pinyin", "outlet_id"], name="roster_entry_text2_ix"
            ),
            # Ids found by SQLite's full-text (trigram) table or the bigram table are checked (initials) and
            # sorted on this covering index.
            models.Index(fields=["outlet_id", "hidden", "name_pinyin", "name_initials"], name="roster_entry_id2_ix"),
            # District or bank filter: the matches in listing order, the other filters checked on the index
            # (a page of 20 read 2,000+ wide rows before: ~14 ms at 100,000 outlets on SQLite, now 0.1 ms).
            models.Index(
                fields=["district_id", "hidden", "name_pinyin", "outlet_id", "services", "instant_issuance"],
                name="roster_entry_district_ix",
            ),
            models.Index(
                fields=["bank_id", "hidden", "name_pinyin", "outlet_id", "services", "instant_issuance"],
                name="roster_entry_bank_ix",
            ),
            # ``near``: the bounding-box prefilter, with the other filters checked on the index.
            models.Index(
                fields=["latitude", "longitude", "hidden", "outlet_id", "services", "instant_issuance"],
                name="roster_entry_geo3_ix",
            ),
        ]
        verbose_name = _("名单条目")
        verbose_name_plural = _("名单条目")

    def __str__(self) -> str:
        return self.name
