"""Query parameters of ``GET /api/v1/agreements/`` and ``/framework_agreements/`` (a bad value answers 400 naming
it)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import AgreementStatus

ORDERING = {
    "term_end": "term_end",
    "term_start": "term_start",
    "signed_on": "signed_on",
    "number": "number",
    "status": "status",
    "outlet": "outlet__name",
    "created_at": "created_at",
}


class StatusListField(serializers.CharField):
    """One status or several, comma separated."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        parts = [p.strip() for p in value.split(",") if p.strip()]
        bad = [p for p in parts if p not in AgreementStatus.values]
        if bad:
            raise serializers.ValidationError(
                _("未知的状态：%(bad)s。可选：%(choices)s。")
                % {"bad": "，".join(bad), "choices": "，".join(AgreementStatus.values)}
            )
        return ",".join(parts)


class AgreementFilter(serializers.Serializer):
    q = serializers.CharField(max_length=100, required=False, help_text="Agreement number, or outlet name/code/pinyin.")
    outlet = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, help_text="Outlet id.")
    district = serializers.RegexField(r"^\d{1,18}$", required=False, help_text="District id or 6-digit code.")
    bank = serializers.RegexField(r"^[-\w]{1,20}$", required=False, help_text="Bank id or bank code.")
    status = StatusListField(max_length=200, required=False, help_text="One status or several, comma separated.")
    state = StatusListField(max_length=200, required=False, help_text="Same as `status`.")
    expiring_within_days = serializers.IntegerField(
        min_value=0,
        max_value=3660,
        required=False,
        help_text="In force, not renewed, last day within this many days from today (e.g. 90).",
    )
    expired_unrenewed = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="`true`: the Art 9(4) list — past the last day, not renewed, outlet not exited.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("state") and not attrs.get("status"):
            attrs["status"] = attrs.pop("state")
        return attrs


class FrameworkAgreementFilter(serializers.Serializer):
    bank = serializers.RegexField(r"^[-\w]{1,20}$", required=False, help_text="Bank id or bank code.")
    q = serializers.CharField(max_length=100, required=False, help_text="Number or bank name.")
