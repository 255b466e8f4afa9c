"""Inspection endpoints (Art 5): the collection, one inspection, recording one, its files, one route per action.

Scoping comes from ``Inspection.objects.restrict`` (through the selector), every rule of the workflow from
``ssc.inspections.services`` and ``ssc.workflow.engine.perform``; this module only parses and renders.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.request import Request

from ssc.core.api.schema import problem_response
from ssc.core.errors import NotFound
from ssc.registry.models import Outlet
from ssc.workflow.api.views import (
    IDEMPOTENCY_PARAMETER,
    WorkflowActionView,
    WorkflowCaseViewSet,
    ordering_parameter,
)

from .. import selectors, services
from ..models import Inspection, InspectionDocument
from ..workflow import INSPECTION
from .filters import ORDERING, InspectionFilter, selector_params
from .serializers import InspectionDetailSerializer, InspectionRecordSerializer, InspectionSerializer

DEFAULT_ORDER = "`-inspected_on` (latest inspection first)"


def _with_outlets(qs: QuerySet[Inspection]) -> QuerySet[Inspection]:
    return qs.prefetch_related(Prefetch("outlets", queryset=Outlet.objects.only("pk", "code", "name", "district_id")))


@extend_schema_view(
    list=extend_schema(
        summary="Inspections in the caller's scope",
        parameters=[InspectionFilter, ordering_parameter(list(ORDERING), DEFAULT_ORDER)],
    ),
    retrieve=extend_schema(summary="One inspection, with history and files (ETag: version)"),
    create=extend_schema(
        summary="Record an inspection (记录监督检查, Art 5) — regulator, center officer or leader",
        description=(
            "Creates the inspection for the caller's organisation and runs `record` in one transaction: "
            "`recorded`, or `action_requested` when `requests_action` asks the district agency to act (it then "
            "waits in that district's inbox). JSON, or multipart with `documents` files and the other fields as "
            "parts or one JSON `payload` part."
        ),
        request={"application/json": InspectionRecordSerializer, "multipart/form-data": InspectionRecordSerializer},
        responses={
            201: InspectionDetailSerializer,
            422: problem_response("`Idempotency-Key` already used for a different request."),
        },
        parameters=[IDEMPOTENCY_PARAMETER],
    ),
    document=extend_schema(
        summary="Download one file of an inspection (recorded in the audit trail)",
        parameters=[OpenApiParameter("doc_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="File id.")],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The stored bytes with the content type checked on upload; `ETag` = SM3 digest.",
            )
        },
    ),
)
class InspectionViewSet(WorkflowCaseViewSet):
    """监督检查 (Art 5). The center and the regulators see every inspection, a district agency those of its
    district or outlets; others get 404."""

    workflow = INSPECTION
    list_serializer_class = InspectionSerializer
    detail_serializer_class = InspectionDetailSerializer
    list_selector = staticmethod(selectors.inspections_for_list)
    selector_params = staticmethod(selector_params)
    filter_class = InspectionFilter
    ordering_fields = ORDERING
    default_ordering = ["-inspected_on", "-pk"]

    @classmethod
    def detail_queryset(cls, user: Any) -> QuerySet[Inspection]:
        return _with_outlets(super().detail_queryset(user))

    def list_queryset(self, user: Any, params: dict[str, Any]) -> QuerySet[Inspection]:
        return _with_outlets(super().list_queryset(user, params))

    def create_case(self, request: Request, data: dict[str, Any], files: Any) -> Inspection:
        return services.record(actor=request.user, data=data, files=files)

    @action(detail=True, methods=["get"], url_path=r"documents/(?P<doc_id>\d{1,18})", url_name="document")
    def document(self, request: Request, pk: str, doc_id: str) -> FileResponse:
        inspection = self.get_object()  # 404 outside the caller's scope
        doc = InspectionDocument.objects.filter(inspection=inspection, pk=int(doc_id)).first()
        if doc is None:
            raise NotFound(_("该监督检查没有此文件。"))
        try:
            handle = doc.file.open("rb")
        except (FileNotFoundError, OSError) as exc:
            raise NotFound(_("文件已不在存储中，请联系系统管理员。")) from exc
        with transaction.atomic():
            services.record_download(document=doc, actor=request.user)
        response = FileResponse(handle, as_attachment=True, filename=doc.original_name, content_type=doc.content_type)
        response["ETag"] = f'"{doc.sm3}"'
        response["Cache-Control"] = "private, no-store"
        return response


class InspectionActionView(WorkflowActionView):
    """``POST /api/v1/inspections/{id}/actions/<action>/`` — ``respond`` (the district named) and ``close`` (the
    recording organisation)."""

    workflow = INSPECTION
    resource = "inspections"
    response_serializer = InspectionDetailSerializer
    case_viewset = InspectionViewSet
