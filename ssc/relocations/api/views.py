"""Relocation endpoints: ``/relocations/`` (list, detail; POST reports a move = ``report``) and one route per later
action (``assess``, ``withdraw``). Scoping from ``restrict``, every rule from the workflow engine."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request

from ssc.core.api.schema import problem_response
from ssc.core.errors import ValidationFailed
from ssc.workflow.api.payload import payload_serializer
from ssc.workflow.api.views import (
    IDEMPOTENCY_PARAMETER,
    WorkflowActionView,
    WorkflowCaseViewSet,
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
    list_selector = staticmethod(selectors.relocations_for_list)
    filter_class = RelocationFilter
    ordering_fields = ORDERING
    default_ordering = ["-created_at", "-pk"]
    create_form = ReportForm
    create_for_outlet = True

    def read_outlet_id(self, data: dict[str, Any]) -> int | None:
        """Optional: outlet staff may omit it (their own outlet)."""
        raw = data.get("outlet")
        if raw in (None, ""):
            return None
        try:
            return int(raw)
        except (TypeError, ValueError) as exc:
            raise ValidationFailed(errors={"outlet": [_("网点ID应为整数。")]}) from exc

    def create_case(self, request: Request, data: dict[str, Any], files: Any) -> Relocation:
        return services.relocation_report(actor=request.user, outlet_id=data.pop("outlet"), data=data, files=files)


class RelocationActionView(WorkflowActionView):
    """``POST /api/v1/relocations/{id}/actions/<assess|withdraw>/`` (``report`` is ``POST /relocations/``)."""

    workflow = RELOCATION
    resource = "relocations"
    response_serializer = RelocationDetailSerializer
    case_viewset = RelocationViewSet
