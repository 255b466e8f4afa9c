"""Query parameters of ``GET /api/v1/terminations/`` (validated: a bad value answers 400 naming it)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ssc.registry.models import Bank, District

from ..models import Ground
from ..workflow import TERMINATION

# ``?ordering=`` names → fields.
ORDERING = {
    "created_at": "created_at",
    "updated_at": "updated_at",
    "initiated_on": "initiated_on",
    "decided_on": "decided_on",
    "filed_on": "filed_on",
    "closed_on": "closed_on",
    "state": "state",
    "ground": "ground",
    "outlet": "outlet__name",
}


class ChoiceListField(serializers.CharField):
    """One value or several, comma separated, each from ``choices``."""

    def __init__(self, *, choices: list[str], **kwargs: Any):
        self.allowed = choices
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        parts = [p.strip() for p in value.split(",") if p.strip()]
        bad = [p for p in parts if p not in self.allowed]
        if bad:
            raise serializers.ValidationError(
                _("未知的取值：%(bad)s。可选：%(choices)s。")
                % {"bad": "，".join(bad), "choices": "，".join(self.allowed)}
            )
        return ",".join(parts)


class TerminationFilter(serializers.Serializer):
    state = ChoiceListField(
        choices=list(TERMINATION.states),
        max_length=200,
        required=False,
        help_text="One state or several, comma separated.",
    )
    ground = ChoiceListField(
        choices=list(Ground.values),
        max_length=100,
        required=False,
        help_text="One ground or several (`8.1` … `9.4`), comma separated.",
    )
    district = serializers.RegexField(
        r"^\d{1,18}$", required=False, help_text="District id, or its 6-digit GB/T 2260 code."
    )
    bank = serializers.RegexField(r"^[-\w]{1,20}$", required=False, help_text="Bank id or bank code.")
    outlet = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, help_text="Outlet id.")
    q = serializers.CharField(max_length=100, required=False, help_text="Outlet name, address, code or pinyin.")


class AvailableGroundsQuery(serializers.Serializer):
    outlet = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="Outlet id.")


def selector_params(params: dict[str, Any]) -> dict[str, Any]:
    """Codes → ids, as ``selectors.terminations_for_list`` expects."""
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
