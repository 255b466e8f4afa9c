"""Query parameters of ``GET /api/v1/inspections/`` (validated: a bad value answers 400 naming it)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ssc.registry.models import District

from ..workflow import INSPECTION

ORDERING = {
    "inspected_on": "inspected_on",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "state": "state",
}


class StateListField(serializers.CharField):
    """One state or several, comma separated."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        parts = [p.strip() for p in value.split(",") if p.strip()]
        bad = [p for p in parts if p not in INSPECTION.states]
        if bad:
            raise serializers.ValidationError(
                _("未知的状态：%(bad)s。可选：%(choices)s。")
                % {"bad": "，".join(bad), "choices": "，".join(INSPECTION.states)}
            )
        return ",".join(parts)


class InspectionFilter(serializers.Serializer):
    state = StateListField(max_length=200, required=False, help_text="One state or several, comma separated.")
    organisation = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, help_text="The inspecting organisation's id."
    )
    district = serializers.RegexField(
        r"^\d{1,18}$", required=False, help_text="District id, or its 6-digit GB/T 2260 code."
    )
    outlet = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, help_text="Outlet id.")
    requests_action = serializers.BooleanField(required=False, allow_null=True, default=None)
    inspected_from = serializers.DateField(required=False, help_text="Inspected on or after (YYYY-MM-DD).")
    inspected_to = serializers.DateField(required=False, help_text="Inspected on or before (YYYY-MM-DD).")
    q = serializers.CharField(max_length=100, required=False, help_text="Text in the scope, findings or request.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("inspected_from"), attrs.get("inspected_to")
        if start and end and start > end:
            raise serializers.ValidationError({"inspected_to": [_("结束日期不能早于开始日期。")]})
        return attrs


def selector_params(params: dict[str, Any]) -> dict[str, Any]:
    out = dict(params)
    district = out.get("district")
    if district and len(str(district)) == 6:
        out["district"] = District.objects.filter(code=district).values_list("pk", flat=True).first() or 0
    return out
