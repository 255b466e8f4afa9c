"""Rectification endpoints (Art 8(3)): the collection, one case, issuing, and one route per action.

Thin, as everywhere: scoping comes from ``Rectification.objects.restrict`` (through the selector), every rule of
the workflow from ``ssc.rectification.services`` and ``ssc.workflow.engine.perform``; this module only parses and
renders.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.request import Request

from ssc.core.api.schema import problem_response
from ssc.workflow.api.views import (
    IDEMPOTENCY_PARAMETER,
    WorkflowActionView,
    WorkflowCaseViewSet,
    ordering_parameter,
)

from .. import selectors, services
from ..models import Rectification
from ..workflow import RECTIFICATION
from .filters import ORDERING, RectificationFilter, selector_params
from .serializers import RectificationDetailSerializer, RectificationIssueSerializer, RectificationSerializer

DEFAULT_ORDER = "`-issued_on` (newest notice first)"


@extend_schema_view(
    list=extend_schema(
        summary="Rectifications in the caller's scope",
        parameters=[RectificationFilter, ordering_parameter(list(ORDERING), DEFAULT_ORDER)],
    ),
    retrieve=extend_schema(summary="One rectification, with history, deadlines and documents (ETag: version)"),
    create=extend_schema(
        summary="Issue a rectification (下达整改通知, Art 8(3)) — district officer of the outlet's district",
        description=(
            "Creates the case and runs `issue` in one transaction: the outlet turns `under_rectification`, the "
            "3-month deadline starts from `issued_on` (Civil Code Art 201–203: the corresponding day of the third "
            "month, its last day when there is none, moved past rest days). JSON, or multipart with `notice` files "
            "and the other fields as parts or one JSON `payload` part."
        ),
        request={"application/json": RectificationIssueSerializer, "multipart/form-data": RectificationIssueSerializer},
        responses={
            201: RectificationDetailSerializer,
            409: problem_response("The outlet does not cooperate (its status does not allow a rectification)."),
            422: problem_response(
                "`Idempotency-Key` already used for a different request, or the working-day calendar lacks the year "
                "the deadline ends in."
            ),
        },
        parameters=[IDEMPOTENCY_PARAMETER],
    ),
)
class RectificationViewSet(WorkflowCaseViewSet):
    """整改 (Art 8(3)). Each role sees the rectifications of the outlets in its scope; others answer 404."""

    workflow = RECTIFICATION
    list_serializer_class = RectificationSerializer
    detail_serializer_class = RectificationDetailSerializer
    list_selector = staticmethod(selectors.rectifications_for_list)
    selector_params = staticmethod(selector_params)
    filter_class = RectificationFilter
    ordering_fields = ORDERING
    default_ordering = ["-issued_on", "-pk"]
    create_for_outlet = True

    def create_case(self, request: Request, data: dict[str, Any], files: Any) -> Rectification:
        return services.issue(actor=request.user, outlet_id=data.pop("outlet"), data=data, files=files)


class RectificationActionView(WorkflowActionView):
    """``POST /api/v1/rectifications/{id}/actions/<action>/`` — one rectification step (WORKFLOW.md §3)."""

    workflow = RECTIFICATION
    resource = "rectifications"
    response_serializer = RectificationDetailSerializer
    case_viewset = RectificationViewSet
