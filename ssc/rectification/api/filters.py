"""Query parameters of ``GET /api/v1/rectifications/`` (validated: a bad value answers 400 naming it)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ssc.registry.models import Bank, District

from ..models import RectificationSource
from ..workflow import RECTIFICATION

# ``?ordering=`` names → fields.
ORDERING = {
    "issued_on": "issued_on",
    "due_on": "due_on",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "state": "state",
    "outlet": "outlet__name",
}


class StateListField(serializers.CharField):
    """One state or several, comma separated."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        parts = [p.strip() for p in value.split(",") if p.strip()]
        bad = [p for p in parts if p not in RECTIFICATION.states]
        if bad:
            raise serializers.ValidationError(
                _("未知的状态：%(bad)s。可选：%(choices)s。")
                % {"bad": "，".join(bad), "choices": "，".join(RECTIFICATION.states)}
            )
        return ",".join(parts)


class RectificationFilter(serializers.Serializer):
    state = StateListField(max_length=200, required=False, help_text="One state or several, comma separated.")
    district = serializers.RegexField(
        r"^\d{1,18}$", required=False, help_text="District id, or its 6-digit GB/T 2260 code."
    )
    bank = serializers.RegexField(r"^[-\w]{1,20}$", required=False, help_text="Bank id or bank code.")
    outlet = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, help_text="Outlet id.")
    # A field named like ``Field.source``: DRF's metaclass moves declared fields off the class (the stubs do not).
    source = serializers.ChoiceField(choices=RectificationSource.choices, required=False)  # type: ignore[assignment]
    overdue = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="`true`: marked overdue, or still open past its last day; `false`: neither.",
    )
    q = serializers.CharField(max_length=100, required=False, help_text="Outlet name, address, code or pinyin.")


def selector_params(params: dict[str, Any]) -> dict[str, Any]:
    """Codes → ids, as ``selectors.rectifications_for_list`` expects."""
    out = dict(params)
    district = out.get("district")
    if district and len(str(district)) == 6:
        out["district"] = District.objects.filter(code=district).values_list("pk", flat=True).first() or 0
    bank = out.get("bank")
    if bank:
        if str(bank).isdigit():
            out["bank"] = int(bank)
        else:
            out["bank"] = Bank.objects.filter(code=bank).values_list("pk", flat=True).first() or 0
    return out
