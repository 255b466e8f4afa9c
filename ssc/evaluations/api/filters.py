"""Query parameters of ``GET /api/v1/evaluations/`` (validated: a bad value answers 400 naming it)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ssc.core.errors import ValidationFailed
from ssc.registry.models import Bank, District

from ..models import Grade, PeriodKind
from ..periods import parse_period
from ..workflow import EVALUATION

ORDERING = {
    "created_at": "created_at",
    "updated_at": "updated_at",
    "period_end": "period_end",
    "total": "total",
    "grade": "grade",
    "state": "state",
    "outlet": "outlet__name",
}


class ChoiceListField(serializers.CharField):
    """One value or several, comma separated, each from ``choices``."""

    def __init__(self, *, choices: list[str], **kwargs: Any) -> None:
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


class EvaluationFilter(serializers.Serializer):
    period = serializers.CharField(max_length=10, required=False, help_text="`2026`, `2026H1` or `2026H2`.")
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    period_kind = serializers.ChoiceField(choices=PeriodKind.choices, required=False)
    grade = ChoiceListField(choices=Grade.values, max_length=100, required=False, help_text="Comma separated.")
    state = ChoiceListField(
        choices=[s for s in EVALUATION.states if s != "new"],
        max_length=100,
        required=False,
        help_text="Comma separated.",
    )
    district = serializers.RegexField(
        r"^\d{1,18}$", required=False, help_text="District id, or its 6-digit GB/T 2260 code."
    )
    bank = serializers.RegexField(r"^[-\w]{1,20}$", required=False, help_text="Bank id or bank code.")
    outlet = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, help_text="Outlet id.")
    q = serializers.CharField(max_length=100, required=False, help_text="Outlet name, address, code or pinyin.")
    awaiting = serializers.ChoiceField(
        choices=[("me", "me")], required=False, help_text="`me`: evaluations waiting on the caller's role."
    )

    def validate_period(self, value: str) -> str:
        try:
            return parse_period(value).code
        except ValidationFailed as exc:
            raise serializers.ValidationError(exc.errors["period"]) from exc


def selector_params(params: dict[str, Any]) -> dict[str, Any]:
    """Turn codes into the ids ``selectors.evaluations_for_list`` expects."""
    out = dict(params)
    district = out.get("district")
    if district and len(str(district)) == 6:
        out["district"] = District.objects.filter(code=district).values_list("pk", flat=True).first() or 0
    bank = out.get("bank")
    if bank and not str(bank).isdigit():
        out["bank"] = Bank.objects.filter(code=bank).values_list("pk", flat=True).first() or 0
    return out
