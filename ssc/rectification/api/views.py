"""Rectification endpoints (Art 8(3)): the collection, one case, issuing, and one route per action.

Thin, as everywhere: scoping comes from ``Rectification.objects.restrict`` (through the selector), every rule of
the workflow from ``ssc.rectification.services`` and ``ssc.workflow.engine.perform``; this module only parses and
renders.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from ssc.core.api.concurrency import etag
from ssc.core.api.filters import parse_query
from ssc.core.api.schema import problem_response
from ssc.core.errors import ValidationFailed
from ssc.workflow.api.idempotency import run_idempotent
from ssc.workflow.api.payload import read_payload
from ssc.workflow.api.views import (
    IDEMPOTENCY_PARAMETER,
    WorkflowActionView,
    WorkflowCaseViewSet,
    apply_ordering,
    ordering_parameter,
)

from .. import selectors, services
from ..models import Rectification
from ..workflow import RECTIFICATION
from .filters import ORDERING, RectificationFilter, selector_params
from .serializers import RectificationDetailSerializer, RectificationIssueSerializer, RectificationSerializer

DEFAULT_ORDER = "`-issued_on` (newest notice first)"


def detail_queryset(user: Any) -> QuerySet[Rectification]:
    """The rectifications ``user`` may see, loaded for ``RectificationDetailSerializer``."""
    return selectors.rectifications_for_list(user, {})


def _outlet_id(data: dict[str, Any]) -> int:
    raw = data.pop("outlet", None)
    if isinstance(raw, list):
        raw = raw[0] if len(raw) == 1 else None
    if raw in (None, ""):
        raise ValidationFailed(errors={"outlet": [_("请指定网点。")]})
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        raise ValidationFailed(errors={"outlet": [_("网点应为网点 ID（整数）。")]}) from None
    if not 1 <= value < 2**63:
        raise ValidationFailed(errors={"outlet": [_("网点应为网点 ID（整数）。")]})
    return value


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
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Rectification]:
        user = self.request.user
        if self.action != "list":
            return detail_queryset(user)
        params = parse_query(RectificationFilter, self.request)
        qs = selectors.rectifications_for_list(user, selector_params(params))
        return apply_ordering(qs, self.request.query_params.get("ordering"), ORDERING, ["-issued_on", "-pk"])

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data, files = read_payload(request)
        outlet_id = _outlet_id(data)

        def produce() -> Response:
            case = services.issue(actor=request.user, outlet_id=outlet_id, data=data, files=files)
            obj = detail_queryset(request.user).get(pk=case.pk)
            body = RectificationDetailSerializer(obj, context=self.get_serializer_context()).data
            headers = {"ETag": etag(obj.version), "Location": request.build_absolute_uri(f"{obj.pk}/")}
            return Response(body, status=status.HTTP_201_CREATED, headers=headers)

        return run_idempotent(request, produce)


class RectificationActionView(WorkflowActionView):
    """``POST /api/v1/rectifications/{id}/actions/<action>/`` — one rectification step (WORKFLOW.md §3)."""

    workflow = RECTIFICATION
    resource = "rectifications"
    response_serializer = RectificationDetailSerializer

    def get_object(self, request: Request, case: Any) -> Rectification:
        return detail_queryset(request.user).get(pk=case.pk)
