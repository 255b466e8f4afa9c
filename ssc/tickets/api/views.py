"""Ticket and problem report endpoints (Art 10): lists, detail, logging a ticket / reporting a problem, one route
per workflow action, and the audited "show number" of a ticket.

Thin, as everywhere: scoping comes from ``restrict`` (through the selectors), every workflow rule from
``ssc.workflow.engine.perform``; this module only parses and renders.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ssc.core.api.schema import problem_response
from ssc.workflow.api.payload import payload_serializer
from ssc.workflow.api.views import (
    IDEMPOTENCY_PARAMETER,
    WorkflowActionView,
    WorkflowCaseViewSet,
    ordering_parameter,
)

from .. import selectors, services
from ..models import ProblemReport, Ticket
from ..workflow import PROBLEM_REPORT, TICKET
from .filters import (
    PROBLEM_REPORT_ORDERING,
    TICKET_ORDERING,
    ProblemReportFilter,
    TicketFilter,
    selector_params,
)
from .serializers import (
    ProblemReportDetailSerializer,
    ProblemReportSerializer,
    TicketContactSerializer,
    TicketDetailSerializer,
    TicketSerializer,
)

TicketLogPayload = payload_serializer("TicketLog", TICKET.get("log"))  # type: ignore[arg-type]
ProblemReportPayload = payload_serializer("ProblemReportReport", PROBLEM_REPORT.get("report"))  # type: ignore[arg-type]

TICKET_DEFAULT_ORDER = "`-received_at` (newest first); with `awaiting=me`: `response_due_on` (soonest first)"


@extend_schema_view(
    list=extend_schema(
        summary="Hotline tickets in the caller's scope (hotlines: those they logged); caller data masked",
        parameters=[TicketFilter, ordering_parameter(list(TICKET_ORDERING), TICKET_DEFAULT_ORDER)],
    ),
    retrieve=extend_schema(summary="One ticket, with history, deadlines and documents (ETag: version)"),
    create=extend_schema(
        summary="Log a ticket (hotline operator) — creates it and runs `log` (new → open), Art 10",
        description="Starts the outlet's response deadline: the channel's working days (default 3), counted from "
        "the day after `received_at`.",
        request={"application/json": TicketLogPayload},
        responses={
            201: TicketDetailSerializer,
            422: problem_response(
                "`Idempotency-Key` already used for another request, or no working-day calendar for the year."
            ),
        },
        parameters=[IDEMPOTENCY_PARAMETER],
    ),
)
class TicketViewSet(WorkflowCaseViewSet):
    """热线工单 (Art 10). Hotline operators see the tickets their hotline logged; everyone else the tickets of the
    outlets in their scope; others answer 404."""

    workflow = TICKET
    list_serializer_class = TicketSerializer
    detail_serializer_class = TicketDetailSerializer
    list_selector = staticmethod(selectors.tickets_for_list)
    selector_params = staticmethod(selector_params)
    filter_class = TicketFilter
    ordering_fields = TICKET_ORDERING
    default_ordering = ["-received_at", "-pk"]
    awaiting_ordering = ["response_due_on", "pk"]

    def create_case(self, request: Request, data: dict[str, Any], files: Any) -> Ticket:
        return services.ticket_log(actor=request.user, data=data)

    @extend_schema(
        summary="显示号码 — the caller's name and contact unmasked (audited)",
        description="For the hotline that logged the ticket, the outlet's staff and the district officers of the "
        "outlet's district, while the ticket is not closed. Every call is recorded in the audit trail "
        "(`ticket.read_personal_data`). 403 for other roles, 404 outside the scope, 409 once closed.",
        responses={200: TicketContactSerializer, 409: problem_response("The ticket is closed.")},
    )
    @action(detail=True, methods=["get"], url_path="contact")
    def contact(self, request: Request, pk: str | None = None) -> Response:
        revealed = services.ticket_contact_reveal(ticket_id=int(pk or 0), actor=request.user)
        body = TicketContactSerializer({"id": int(pk or 0), **revealed}).data
        return Response(body, headers={"Cache-Control": "private, no-store"})


class TicketActionView(WorkflowActionView):
    """``POST /api/v1/tickets/{id}/actions/<action>/`` — answer, reopen, close (``log`` is ``POST /tickets/``)."""

    workflow = TICKET
    resource = "tickets"
    response_serializer = TicketDetailSerializer
    case_viewset = TicketViewSet


@extend_schema_view(
    list=extend_schema(
        summary="Problem reports of outlets to their district agency, in the caller's scope",
        parameters=[ProblemReportFilter, ordering_parameter(list(PROBLEM_REPORT_ORDERING), "`-reported_at`")],
    ),
    retrieve=extend_schema(summary="One problem report, with history and documents (ETag: version)"),
    create=extend_schema(
        summary="Report a problem (outlet staff, for their own outlet) — runs `report` (new → submitted), Art 10",
        request={"multipart/form-data": ProblemReportPayload, "application/json": ProblemReportPayload},
        responses={
            201: ProblemReportDetailSerializer,
            422: problem_response("`Idempotency-Key` already used for another request."),
        },
        parameters=[IDEMPOTENCY_PARAMETER],
    ),
)
class ProblemReportViewSet(WorkflowCaseViewSet):
    """问题报告 (Art 10): an outlet reports to its district agency; the agency replies."""

    workflow = PROBLEM_REPORT
    list_serializer_class = ProblemReportSerializer
    detail_serializer_class = ProblemReportDetailSerializer
    list_selector = staticmethod(selectors.problem_reports_for_list)
    selector_params = staticmethod(selector_params)
    filter_class = ProblemReportFilter
    ordering_fields = PROBLEM_REPORT_ORDERING
    default_ordering = ["-reported_at", "-pk"]
    awaiting_ordering = ["reported_at", "pk"]

    def create_case(self, request: Request, data: dict[str, Any], files: Any) -> ProblemReport:
        return services.problem_report_create(actor=request.user, data=data, files=files)


class ProblemReportActionView(WorkflowActionView):
    """``POST /api/v1/problem_reports/{id}/actions/reply/`` (``report`` is ``POST /problem_reports/``)."""

    workflow = PROBLEM_REPORT
    resource = "problem_reports"
    response_serializer = ProblemReportDetailSerializer
    case_viewset = ProblemReportViewSet
