"""Agreement endpoints: ``/agreements/`` (list, detail, registering an agreement signed before the platform, and
``…/actions/renew/``) and ``/framework_agreements/`` (list, detail, registering one, its signed copy).

Thin: scoping comes from ``restrict`` (through the selectors), the rules of ``renew`` from the workflow engine."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ssc.core.api.filters import parse_query
from ssc.core.api.schema import ProblemAutoSchema, problem_response
from ssc.core.errors import NotFound, ValidationFailed
from ssc.workflow.api.idempotency import run_idempotent
from ssc.workflow.api.payload import read_payload, serializer_field_for
from ssc.workflow.api.views import (
    ID_PATTERN,
    IDEMPOTENCY_PARAMETER,
    WorkflowActionView,
    WorkflowCaseViewSet,
    ordering_parameter,
)

from .. import selectors, services
from ..forms import FrameworkAgreementForm, RegisterForm
from ..models import Agreement, FrameworkAgreement
from ..workflow import AGREEMENT
from .filters import ORDERING, AgreementFilter, FrameworkAgreementFilter
from .serializers import AgreementDetailSerializer, AgreementSerializer, FrameworkAgreementSerializer


def _doc_serializer(name: str, form: Any, extra: dict[str, serializers.Field] | None = None) -> Any:
    attrs: dict[str, Any] = dict(extra or {})
    for field_name, field in form.base_fields.items():
        attrs[field_name] = serializer_field_for(field)
    attrs["__doc__"] = form.__doc__
    return type(name, (serializers.Serializer,), attrs)


AgreementRegisterPayload = _doc_serializer(
    "AgreementRegisterPayload",
    RegisterForm,
    {"outlet": serializers.IntegerField(help_text="Id of the outlet (active or under rectification).")},
)
FrameworkAgreementPayload = _doc_serializer("FrameworkAgreementPayload", FrameworkAgreementForm)


@extend_schema_view(
    list=extend_schema(
        summary="Cooperation agreements in the caller's scope (filters: expiring, Art 9(4) expired unrenewed)",
        parameters=[AgreementFilter, ordering_parameter(list(ORDERING), "`term_end`, then id")],
    ),
    retrieve=extend_schema(summary="One agreement, with its renewal chain, history and documents (ETag: version)"),
    create=extend_schema(
        summary="Register an agreement signed before the platform (district officer of the outlet's district)",
        description="For an outlet that already cooperates and has no agreement on record (Art 3). A term that has "
        "already ended is recorded as `expired` (Art 9(4)). Renewals go through `…/actions/renew/`.",
        request={"multipart/form-data": AgreementRegisterPayload, "application/json": AgreementRegisterPayload},
        responses={
            201: AgreementDetailSerializer,
            409: problem_response("The outlet already has an agreement on record, or is not cooperating."),
            422: problem_response("`Idempotency-Key` already used for a different request."),
        },
        parameters=[IDEMPOTENCY_PARAMETER],
    ),
)
class AgreementViewSet(WorkflowCaseViewSet):
    """合作协议 (Art 3, 7(3), 9(4)). Each role sees the agreements of the outlets in its scope; others answer 404."""

    workflow = AGREEMENT
    list_serializer_class = AgreementSerializer
    detail_serializer_class = AgreementDetailSerializer
    list_selector = staticmethod(selectors.agreements_for_list)
    filter_class = AgreementFilter
    ordering_fields = ORDERING
    default_ordering = ["term_end", "pk"]
    create_form = RegisterForm
    create_for_outlet = True

    @classmethod
    def detail_queryset(cls, user: Any) -> QuerySet[Agreement]:
        return super().detail_queryset(user).select_related("renews")

    def read_outlet_id(self, data: dict[str, Any]) -> int:
        outlet = data.get("outlet")
        try:
            outlet_id = int(outlet) if outlet not in (None, "") else None
        except (TypeError, ValueError):
            outlet_id = None
        if outlet_id is None or outlet_id < 1:
            raise ValidationFailed(errors={"outlet": [_("请指定网点（网点ID）。")]})
        return outlet_id

    def create_case(self, request: Request, data: dict[str, Any], files: Any) -> Agreement:
        return services.agreement_register(actor=request.user, outlet_id=data.pop("outlet"), data=data, files=files)


class AgreementActionView(WorkflowActionView):
    """``POST /api/v1/agreements/{id}/actions/renew/`` — the district officer renews (WORKFLOW.md §5)."""

    workflow = AGREEMENT
    resource = "agreements"
    response_serializer = AgreementDetailSerializer
    case_viewset = AgreementViewSet


@extend_schema_view(
    list=extend_schema(
        summary="Framework agreements of the banks with HRSS (Art 6(1))", parameters=[FrameworkAgreementFilter]
    ),
    retrieve=extend_schema(summary="One framework agreement"),
    create=extend_schema(
        summary="Register a framework agreement (center officer)",
        request={"multipart/form-data": FrameworkAgreementPayload},
        responses={201: FrameworkAgreementSerializer, 422: problem_response("`Idempotency-Key` reused.")},
        parameters=[IDEMPOTENCY_PARAMETER],
    ),
    document=extend_schema(
        summary="The signed copy of a framework agreement (download, audited)",
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    ),
)
class FrameworkAgreementViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """合作框架协议 — the center, the regulators and the districts see every bank's; a bank its own."""

    schema = ProblemAutoSchema()
    serializer_class = FrameworkAgreementSerializer
    lookup_value_regex = ID_PATTERN
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[FrameworkAgreement]:
        params = parse_query(FrameworkAgreementFilter, self.request) if self.action == "list" else {}
        return selectors.framework_agreements_for_list(self.request.user, params).order_by(
            "bank__sort_order", "-term_start", "pk"
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data, files = read_payload(request, FrameworkAgreementForm)

        def produce() -> Response:
            fa = services.framework_agreement_create(actor=request.user, data=data, files=files)
            obj = self.get_queryset().get(pk=fa.pk)
            body = FrameworkAgreementSerializer(obj, context=self.get_serializer_context()).data
            return Response(
                body, status=status.HTTP_201_CREATED, headers={"Location": request.build_absolute_uri(f"{obj.pk}/")}
            )

        return run_idempotent(request, produce)

    @action(detail=True, methods=["get"])
    def document(self, request: Request, pk: str | None = None) -> FileResponse:
        fa = self.get_object()
        if not fa.document:
            raise NotFound()
        try:
            fh = fa.document.open("rb")
        except (FileNotFoundError, OSError) as exc:
            raise NotFound() from exc
        services.record_framework_download(agreement=fa, actor=request.user)
        response = FileResponse(
            fh,
            as_attachment=True,
            filename=fa.document_name or f"framework-{fa.pk}",
            content_type=fa.document_content_type or "application/octet-stream",
        )
        response["Cache-Control"] = "private, no-store"
        return response
