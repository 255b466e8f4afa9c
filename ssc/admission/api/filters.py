"""Query parameters of ``GET /api/v1/applications/`` (validated: a bad value answers 400 naming it)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ssc.registry.models import Bank, District

from ..workflow import ADMISSION

# ``?ordering=`` names → fields (``due_on`` is the soonest open deadline, annotated by the selector).
ORDERING = {
    "created_at": "created_at",
    "updated_at": "updated_at",
    "submitted_at": "submitted_at",
    "due_on": "due_on",
    "state": "state",
    "outlet": "outlet__name",
}


class StateListField(serializers.CharField):
    """One state or several, comma separated."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        parts = [p.strip() for p in value.split(",") if p.strip()]
        bad = [p for p in parts if p not in ADMISSION.states]
        if bad:
            raise serializers.ValidationError(
                _("未知的状态：%(bad)s。可选：%(choices)s。")
                % {"bad": "，".join(bad), "choices": "，".join(ADMISSION.states)}
            )
        return ",".join(parts)


class ApplicationFilter(serializers.Serializer):
    state = StateListField(max_length=400, required=False, help_text="One state or several, comma separated.")
    district = serializers.RegexField(
        r"^\d{1,18}$", required=False, help_text="District id, or its 6-digit GB/T 2260 code."
    )
    bank = serializers.RegexField(r"^[-\w]{1,20}$", required=False, help_text="Bank id or bank code.")
    outlet = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, help_text="Outlet id.")
    q = serializers.CharField(max_length=100, required=False, help_text="Outlet name, address, code or pinyin.")
    awaiting = serializers.ChoiceField(
        choices=[("me", "me")],
        required=False,
        help_text="`me`: the caller's inbox (待办) — cases waiting on the caller's role, soonest deadline first.",
    )


def selector_params(params: dict[str, Any]) -> dict[str, Any]:
    """Turn codes into the ids ``selectors.applications_for_list`` expects (it reads digits as ids)."""
    out = dict(params)
    district = out.get("district")
    if district and len(str(district)) == 6:
        out["district"] = District.objects.filter(code=district).values_list("pk", flat=True).first() or "0"
    bank = out.get("bank")
    if bank and not str(bank).isdigit():
        out["bank"] = Bank.objects.filter(code=bank).values_list("pk", flat=True).first() or "0"
    if "outlet" in out:
        out["outlet"] = str(out["outlet"])
    return out
