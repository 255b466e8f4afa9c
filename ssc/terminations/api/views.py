"""Termination endpoints (Art 8, 9): the collection (``POST`` initiates), one case, one route per later action, and
the grounds available for an outlet.

Thin, as everywhere: scoping comes from ``Termination.objects.restrict`` (through the selector), every rule of the
workflow from ``ssc.terminations.services`` and ``ssc.workflow.engine.perform``; this module only parses and renders.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ssc.core.api.filters import parse_query
from ssc.core.api.schema import problem_response
from ssc.core.errors import NotFound, ValidationFailed
from ssc.registry.models import Outlet
from ssc.workflow.api.views import (
    IDEMPOTENCY_PARAMETER,
    WorkflowActionView,
    WorkflowCaseViewSet,
    ordering_parameter,
)

from .. import selectors, services
from ..models import Termination
from ..workflow import TERMINATION
from .filters import ORDERING, AvailableGroundsQuery, TerminationFilter, selector_params
from .serializers import (
    AvailableGroundsSerializer,
    TerminationDetailSerializer,
    TerminationInitiateSerializer,
    TerminationSerializer,
)

DEFAULT_ORDER = "`-created_at` (newest first)"


@extend_schema_view(
    list=extend_schema(
        summary="Terminations in the caller's scope",
        parameters=[TerminationFilter, ordering_parameter(list(ORDERING), DEFAULT_ORDER)],
    ),
    retrieve=extend_schema(summary="One termination, with history, deadlines and documents (ETag: version)"),
    create=extend_schema(
        summary="Initiate a termination (发起解除合作, Art 8, 9)",
        description=(
            "Creates the case and runs `initiate` in one transaction. A district officer may initiate on any ground; "
            "the bank's head office / Chongqing branch on `9.1` and `9.2` for its bank's outlets; the outlet's "
            "first-level sub-branch (bank applicant) on `9.2`. `8.3` needs an overdue rectification of the outlet, "
            "`9.3` a relocation assessed non-compliant, `9.4` an agreement ended (or ending within 30 days) without "
            "renewal — otherwise 409 with the reason. An outlet has at most one open termination. "
            "`GET available_grounds/?outlet=` tells which grounds the caller may use now."
        ),
        request={
            "application/json": TerminationInitiateSerializer,
            "multipart/form-data": TerminationInitiateSerializer,
        },
        responses={
            201: TerminationDetailSerializer,
            409: problem_response(
                "The outlet does not cooperate, already has an open termination, or lacks what the ground needs."
            ),
            422: problem_response("`Idempotency-Key` already used for a different request."),
        },
        parameters=[IDEMPOTENCY_PARAMETER],
    ),
)
class TerminationViewSet(WorkflowCaseViewSet):
    """解除合作 (Art 8, 9). Each role sees the terminations of the outlets in its scope; others answer 404."""

    workflow = TERMINATION
    list_serializer_class = TerminationSerializer
    detail_serializer_class = TerminationDetailSerializer
    list_selector = staticmethod(selectors.terminations_for_list)
    selector_params = staticmethod(selector_params)
    filter_class = TerminationFilter
    ordering_fields = ORDERING
    default_ordering = ["-created_at", "-pk"]
    create_for_outlet = True

    def create_case(self, request: Request, data: dict[str, Any], files: Any) -> Termination:
        return services.initiate(actor=request.user, outlet_id=data.pop("outlet"), data=data, files=files)

    @extend_schema(
        summary="The grounds the caller may initiate on for an outlet now",
        description=(
            "Each of the eight grounds with `available` and, when not, the `reason` (role, outlet status, an open "
            "termination, or the missing overdue rectification / non-compliant relocation / unrenewed agreement). "
            "An outlet outside the caller's scope answers 404."
        ),
        parameters=[AvailableGroundsQuery],
        responses={200: AvailableGroundsSerializer},
    )
    @action(detail=False, methods=["get"], url_path="available_grounds")
    def available_grounds(self, request: Request) -> Response:
        params = parse_query(AvailableGroundsQuery, request)
        if "outlet" not in params:
            raise ValidationFailed(errors={"outlet": [_("请指定网点。")]})
        outlet = Outlet.objects.restrict(request.user).filter(pk=params["outlet"]).first()
        if outlet is None:
            raise NotFound()
        open_case = selectors.open_termination_for_outlet(outlet)
        visible_open = (
            open_case.pk
            if open_case is not None and Termination.objects.restrict(request.user).filter(pk=open_case.pk).exists()
            else None
        )
        options = selectors.available_grounds(outlet, request.user)
        body = {
            "outlet": outlet.pk,
            "open_termination": visible_open,
            "grounds": [
                {"code": o.code, "label": o.label, "article": o.article, "available": o.available, "reason": o.reason}
                for o in options
            ],
        }
        return Response(AvailableGroundsSerializer(body).data)


class TerminationActionView(WorkflowActionView):
    """``POST /api/v1/terminations/{id}/actions/<action>/`` — one termination step (WORKFLOW.md §4)."""

    workflow = TERMINATION
    resource = "terminations"
    response_serializer = TerminationDetailSerializer
    case_viewset = TerminationViewSet
