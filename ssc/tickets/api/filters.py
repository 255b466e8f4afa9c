"""Query parameters of ``GET /api/v1/tickets/`` and ``GET /api/v1/problem_reports/`` (validated: a bad value
answers 400 naming it)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ssc.registry.models import Bank, District

from ..models import Channel, TicketCategory
from ..workflow import PROBLEM_REPORT, TICKET

# ``?ordering=`` names → fields.
TICKET_ORDERING = {
    "received_at": "received_at",
    "response_due_on": "response_due_on",
    "answered_at": "answered_at",
    "updated_at": "updated_at",
    "state": "state",
    "outlet": "outlet__name_pinyin",
}
PROBLEM_REPORT_ORDERING = {
    "reported_at": "reported_at",
    "replied_at": "replied_at",
    "updated_at": "updated_at",
    "state": "state",
    "outlet": "outlet__name_pinyin",
}


class StateListField(serializers.CharField):
    """One state or several, comma separated, of ``workflow``."""

    def __init__(self, *, workflow: Any, **kwargs: Any) -> None:
        self.workflow = workflow
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        parts = [p.strip() for p in value.split(",") if p.strip()]
        states = [s for s in self.workflow.states if s != self.workflow.initial]
        bad = [p for p in parts if p not in states]
        if bad:
            raise serializers.ValidationError(
                _("未知的状态：%(bad)s。可选：%(choices)s。") % {"bad": "，".join(bad), "choices": "，".join(states)}
            )
        return ",".join(parts)


class ScopeFilterMixin(serializers.Serializer):
    outlet = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, help_text="Outlet id.")
    district = serializers.RegexField(
        r"^\d{1,18}$", required=False, help_text="District id, or its 6-digit GB/T 2260 code."
    )
    bank = serializers.RegexField(r"^[-\w]{1,20}$", required=False, help_text="Bank id or bank code.")
    q = serializers.CharField(max_length=100, required=False, help_text="Outlet name, address, code or pinyin.")
    awaiting = serializers.ChoiceField(
        choices=[("me", "me")], required=False, help_text="`me`: what waits on the caller (待办)."
    )


class TicketFilter(ScopeFilterMixin):
    state = StateListField(workflow=TICKET, max_length=200, required=False, help_text="open, answered, closed.")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    category = serializers.ChoiceField(choices=TicketCategory.choices, required=False)
    received_from = serializers.DateField(required=False, help_text="Received on or after this day (YYYY-MM-DD).")
    received_to = serializers.DateField(required=False, help_text="Received on or before this day (YYYY-MM-DD).")
    overdue = serializers.BooleanField(
        required=False, default=None, allow_null=True, help_text="`true`: open past the response deadline."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("received_from"), attrs.get("received_to")
        if start and end and start > end:
            raise serializers.ValidationError({"received_to": [_("结束日期不能早于开始日期。")]})
        return attrs


class ProblemReportFilter(ScopeFilterMixin):
    state = StateListField(workflow=PROBLEM_REPORT, max_length=200, required=False, help_text="submitted, replied.")
    reported_from = serializers.DateField(required=False, help_text="Reported on or after this day.")
    reported_to = serializers.DateField(required=False, help_text="Reported on or before this day.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("reported_from"), attrs.get("reported_to")
        if start and end and start > end:
            raise serializers.ValidationError({"reported_to": [_("结束日期不能早于开始日期。")]})
        return attrs


def selector_params(params: dict[str, Any]) -> dict[str, Any]:
    """Codes → ids for the selectors (an unknown code matches nothing)."""
    out = dict(params)
    district = out.get("district")
    if district is not None:
        if len(str(district)) == 6:
            out["district"] = District.objects.filter(code=district).values_list("pk", flat=True).first() or 0
        else:
            out["district"] = int(district)
    bank = out.get("bank")
    if bank is not None:
        if str(bank).isdigit():
            out["bank"] = int(bank)
        else:
            out["bank"] = Bank.objects.filter(code=bank).values_list("pk", flat=True).first() or 0
    if out.get("overdue") is False:
        out.pop("overdue")
    return out
