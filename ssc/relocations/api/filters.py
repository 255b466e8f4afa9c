"""Query parameters of ``GET /api/v1/relocations/`` (a bad value answers 400 naming it)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..workflow import RELOCATION

ORDERING = {
    "created_at": "created_at",
    "reported_at": "reported_at",
    "planned_move_on": "planned_move_on",
    "assessed_on": "assessed_on",
    "state": "state",
    "outlet": "outlet__name",
}


class StateListField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        parts = [p.strip() for p in value.split(",") if p.strip()]
        bad = [p for p in parts if p not in RELOCATION.states]
        if bad:
            raise serializers.ValidationError(
                _("未知的状态：%(bad)s。可选：%(choices)s。")
                % {"bad": "，".join(bad), "choices": "，".join(RELOCATION.states)}
            )
        return ",".join(parts)


class RelocationFilter(serializers.Serializer):
    state = StateListField(max_length=200, required=False, help_text="One state or several, comma separated.")
    outlet = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, help_text="Outlet id.")
    district = serializers.RegexField(r"^\d{1,18}$", required=False, help_text="District id or 6-digit code.")
    bank = serializers.RegexField(r"^[-\w]{1,20}$", required=False, help_text="Bank id or bank code.")
    q = serializers.CharField(max_length=100, required=False, help_text="Outlet name/code/pinyin, or the new address.")
