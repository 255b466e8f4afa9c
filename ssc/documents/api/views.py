"""Document endpoints: metadata of the evidence attached to cases, and the download of each version.

A document is visible to exactly the users who can see its case (``ssc.workflow.api.scoping``) and, through
its outlet, inside their scope (``Document.objects.restrict``). Every download is written to the audit trail
(``documents.services.record_download``) before the bytes leave.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request

from ssc.core.api.filters import parse_query
from ssc.core.api.schema import ProblemAutoSchema
from ssc.core.errors import NotFound
from ssc.core.scoping import ScopedQuerySet
from ssc.workflow.api.scoping import visible_cases_q
from ssc.workflow.api.serializers import DocumentSerializer, documents_queryset

from .. import services
from ..models import Document, DocumentKind

ID_PATTERN = r"\d{1,18}"


class DocumentFilter(serializers.Serializer):
    case_type = serializers.SlugField(max_length=30, required=False, help_text="e.g. `application`.")
    case_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    outlet = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, help_text="Outlet id.")
    kind = serializers.ChoiceField(choices=DocumentKind.choices, required=False)


def documents_for(user: Any) -> QuerySet[Document]:
    # ``Document`` has no scoped manager of its own; apply its ``scope_filter`` the one way ``restrict`` does.
    return ScopedQuerySet.restrict(documents_queryset(), user).filter(visible_cases_q(user))


@extend_schema_view(
    list=extend_schema(summary="Documents of the cases the caller can see", parameters=[DocumentFilter]),
    retrieve=extend_schema(summary="One document with its versions"),
    download=extend_schema(
        summary="Download one version (recorded in the audit trail)",
        parameters=[OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH, description="Version.")],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The stored bytes, with `Content-Type` as checked on upload, `Content-Disposition: "
                "attachment` and `ETag` = SM3 digest.",
            )
        },
    ),
)
class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """文档 — evidence attached to workflow actions; versions are never overwritten."""

    schema = ProblemAutoSchema()
    serializer_class = DocumentSerializer
    lookup_value_regex = ID_PATTERN
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Document]:
        qs = documents_for(self.request.user)
        if self.action == "list":
            params = parse_query(DocumentFilter, self.request)
            for key, field in (("case_type", "case_type"), ("case_id", "case_id"), ("outlet", "outlet_id")):
                if key in params:
                    qs = qs.filter(**{field: params[key]})
            if "kind" in params:
                qs = qs.filter(kind=params["kind"])
            return qs.order_by("-created_at", "-pk")
        return qs

    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>\d{1,9})/download")
    def download(self, request: Request, pk: str, number: str) -> FileResponse:
        document = self.get_object()  # 404 outside the caller's scope
        version = next((v for v in document.versions.all() if v.number == int(number)), None)
        if version is None:
            raise NotFound(_("该文档没有此版本。"))
        try:
            handle = version.file.open("rb")
        except (FileNotFoundError, OSError) as exc:
            raise NotFound(_("文件已不在存储中，请联系系统管理员。")) from exc
        with transaction.atomic():
            services.record_download(version=version, actor=request.user)
        response = FileResponse(
            handle, as_attachment=True, filename=version.original_name, content_type=version.content_type
        )
        response["ETag"] = f'"{version.sm3}"'
        response["Cache-Control"] = "private, no-store"
        return response
