"""Shapes of the ticket and problem report API. The caller's name and contact are always masked here; the full
values only come from ``GET /api/v1/tickets/{id}/contact/`` (audited)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ssc.admission.api.serializers import OutletSummarySerializer
from ssc.workflow.api.serializers import (
    OrganisationBriefSerializer,
    UserBriefSerializer,
    WorkflowCaseDetailMixin,
    WorkflowCaseSerializer,
    choice_string_field,
    is_overdue,
)

from ..models import Channel, ProblemReport, Ticket, TicketCategory, TicketState
from ..services import may_reveal_contact
from ..workflow import PROBLEM_REPORT, TICKET


class TicketSerializer(WorkflowCaseSerializer):
    """热线工单 in lists: channel, category, the caller (masked), the response deadline and what the caller may do."""

    workflow = TICKET

    outlet = OutletSummarySerializer(read_only=True)
    channel = choice_string_field(Channel.values)
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    category = choice_string_field(TicketCategory.values)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    caller_name = serializers.CharField(source="caller_name_masked", read_only=True, help_text="Masked (张*).")
    caller_contact = serializers.CharField(
        source="caller_contact_masked",
        read_only=True,
        help_text="Masked (138****1234). The full value: GET /api/v1/tickets/{id}/contact/ (audited), for the "
        "logging hotline, the outlet's staff and the district officers while the ticket is not closed.",
    )
    contact_revealable = serializers.SerializerMethodField(
        help_text="The calling user may fetch the unmasked contact now."
    )
    hotline = OrganisationBriefSerializer(read_only=True, allow_null=True, help_text="The hotline that logged it.")
    logged_by = UserBriefSerializer(read_only=True)
    response_due_on = serializers.DateField(read_only=True, allow_null=True, help_text="Last day to answer.")
    response_status = serializers.SerializerMethodField(
        help_text="`pending` (open, in time), `overdue` (open, past the last day), `met` or `missed` (answered "
        "on time or late); null before the ticket is logged."
    )
    overdue = serializers.SerializerMethodField(help_text="Open past its response deadline.")

    class Meta:
        model = Ticket
        fields = [
            "id",
            "outlet",
            "channel",
            "channel_display",
            "category",
            "category_display",
            "state",
            "state_display",
            "allowed_actions",
            "version",
            "caller_name",
            "caller_contact",
            "contact_revealable",
            "hotline",
            "logged_by",
            "received_at",
            "response_due_on",
            "response_status",
            "overdue",
            "answered_at",
            "satisfaction",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _user(self) -> Any:
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_contact_revealable(self, obj: Ticket) -> bool:
        user = self._user()
        return bool(user is not None and user.is_authenticated and may_reveal_contact(obj, user))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_response_status(self, obj: Ticket) -> str | None:
        return response_status(obj)

    def get_overdue(self, obj: Ticket) -> bool:
        return response_status(obj) == "overdue"


def response_status(ticket: Ticket, today: date | None = None) -> str | None:
    due = ticket.response_due_on
    if due is None:
        return None
    if ticket.state == TicketState.OPEN:
        return "overdue" if is_overdue(due, "pending", today) else "pending"
    if ticket.answered_at is not None:
        return "met" if timezone.localdate(ticket.answered_at) <= due else "missed"
    return None


class TicketDetailSerializer(WorkflowCaseDetailMixin, TicketSerializer):
    """One ticket with its content, the answer, history, deadlines and documents."""

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "content", "answer", "history", "deadlines", "documents"]
        read_only_fields = fields


class TicketContactSerializer(serializers.Serializer):
    """来电人联系方式 (unmasked) — personal data; each response is recorded in the audit trail."""

    id = serializers.IntegerField()
    caller_name = serializers.CharField()
    caller_contact = serializers.CharField()


class ProblemReportSerializer(WorkflowCaseSerializer):
    """问题报告 in lists."""

    workflow = PROBLEM_REPORT

    outlet = OutletSummarySerializer(read_only=True)
    reported_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = ProblemReport
        fields = [
            "id",
            "outlet",
            "title",
            "state",
            "state_display",
            "allowed_actions",
            "version",
            "reported_by",
            "reported_at",
            "replied_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProblemReportDetailSerializer(WorkflowCaseDetailMixin, ProblemReportSerializer):
    """One problem report with its description, the district's reply, history and documents."""

    class Meta(ProblemReportSerializer.Meta):
        fields = [*ProblemReportSerializer.Meta.fields, "description", "reply", "history", "deadlines", "documents"]
        read_only_fields = fields
