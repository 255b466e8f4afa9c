"""Relocation endpoints: ``/relocations/`` (list, detail; POST reports a move = ``report``) and one route per later
action (``assess``, ``withdraw``). Scoping from ``restrict``, every rule from the workflow engine."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from ssc.core.api.concurrency import etag
from ssc.core.api.filters import parse_query
from ssc.core.api.schema import problem_response
from ssc.core.errors import ValidationFailed
from ssc.workflow.api.idempotency import run_idempotent
from ssc.workflow.api.payload import payload_serializer, read_payload
from ssc.workflow.api.views import (
    IDEMPOTENCY_PARAMETER,
    WorkflowActionView,
    WorkflowCaseViewSet,
    apply_ordering,
    ordering_parameter,
)

from .. import selectors, services
from ..forms import ReportForm
from ..models import Relocation
from ..workflow import RELOCATION
from .filters import ORDERING, RelocationFilter
from .serializers import RelocationDetailSerializer, RelocationSerializer

_ReportForm = payload_serializer(
    "RelocationReportForm",
    RELOCATION.get("report"),  # type: ignore[arg-type]
    {"new_district": serializers.IntegerField(help_text="District id — the outlet's own district.")},
)


class RelocationReportPayloadSerializer(_ReportForm):  # type: ignore[valid-type,misc]
    """Payload of ``POST /relocations/``: the outlet and the ``report`` form (Art 10)."""

    outlet = serializers.IntegerField(required=False, help_text="Outlet id; outlet staff may omit it (their own).")


def detail_queryset(user: Any) -> QuerySet[Relocation]:
    return selectors.relocations_for_list(user, {})


@extend_schema_view(
    list=extend_schema(
        summary="Relocations of the outlets in the caller's scope",
        parameters=[RelocationFilter, ordering_parameter(list(ORDERING), "`-created_at`")],
    ),
    retrieve=extend_schema(summary="One relocation, with history and documents (ETag: version)"),
    create=extend_schema(
        summary="Report a move (outlet staff, or the outlet's sub-branch applicant) — runs `report`, Art 10",
        description="The new site must be in the outlet's own district: a move to another district is a new "
        "admission there (Art 7), refused here with 400 on `new_district`.",
        request={
            "multipart/form-data": RelocationReportPayloadSerializer,
            "application/json": RelocationReportPayloadSerializer,
        },
        responses={
            201: RelocationDetailSerializer,
            409: problem_response("The outlet is not cooperating, or already has a move awaiting assessment."),
            422: problem_response("`Idempotency-Key` already used for a different request."),
        },
        parameters=[IDEMPOTENCY_PARAMETER],
    ),
)
class RelocationViewSet(WorkflowCaseViewSet):
    """网点迁址 (Art 9(3), 10). Each role sees the relocations of the outlets in its scope; others answer 404."""

    workflow = RELOCATION
    list_serializer_class = RelocationSerializer
    detail_serializer_class = RelocationDetailSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Relocation]:
        user = self.request.user
        if self.action != "list":
            return detail_queryset(user)
        params = parse_query(RelocationFilter, self.request)
        qs = selectors.relocations_for_list(user, params)
        return apply_ordering(qs, self.request.query_params.get("ordering"), ORDERING, ["-created_at", "-pk"])

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data, files = read_payload(request, ReportForm)
        raw = data.pop("outlet", None)
        outlet_id = None
        if raw not in (None, ""):
            try:
                outlet_id = int(raw)
            except (TypeError, ValueError) as exc:
                raise ValidationFailed(errors={"outlet": [_("网点ID应为整数。")]}) from exc

        def produce() -> Response:
            case = services.relocation_report(actor=request.user, outlet_id=outlet_id, data=data, files=files)
            obj = detail_queryset(request.user).get(pk=case.pk)
            body = RelocationDetailSerializer(obj, context=self.get_serializer_context()).data
            headers = {"ETag": etag(obj.version), "Location": request.build_absolute_uri(f"{obj.pk}/")}
            return Response(body, status=status.HTTP_201_CREATED, headers=headers)

        return run_idempotent(request, produce)


class RelocationActionView(WorkflowActionView):
    """``POST /api/v1/relocations/{id}/actions/<assess|withdraw>/`` (``report`` is ``POST /relocations/``)."""

    workflow = RELOCATION
    resource = "relocations"
    response_serializer = RelocationDetailSerializer

    def get_object(self, request: Request, case: Any) -> Relocation:
        return detail_queryset(request.user).get(pk=case.pk)
