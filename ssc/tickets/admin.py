"""The channels' response limits (渠道时限) in the admin: the system administrator enters what the center sets.
Every write is audited (``AuditedModelAdmin``)."""

from __future__ import annotations

from django.contrib import admin

from ssc.core.admin import AuditedModelAdmin

from .models import ChannelPolicy


@admin.register(ChannelPolicy)
class ChannelPolicyAdmin(AuditedModelAdmin):
    list_display = ["channel", "response_workdays"]
    audit_article = "10"
