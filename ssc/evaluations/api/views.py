"""Evaluation endpoints (Art 5): evaluations (list, detail, start, one route per action) and the center's indicator
sets (list, detail, new version).

Thin, as everywhere: scoping comes from ``restrict`` (through the selectors), every workflow rule from
``ssc.workflow.engine.perform``, every indicator-set rule from ``services.indicator_set_create``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from ssc.core.api.schema import ProblemAutoSchema, problem_response
from ssc.core.errors import NotAllowed
from ssc.core.scoping import ALL
from ssc.registry.models import CardService
from ssc.workflow.api.idempotency import run_idempotent
from ssc.workflow.api.views import (
    ID_PATTERN,
    IDEMPOTENCY_PARAMETER,
    WorkflowActionView,
    WorkflowCaseViewSet,
    ordering_parameter,
)

from .. import selectors, services
from ..models import Evaluation, Indicator, IndicatorSet
from ..workflow import EVALUATION
from .filters import ORDERING, EvaluationFilter, selector_params
from .serializers import (
    PAYLOAD_OVERRIDES,
    EvaluationCreateSerializer,
    EvaluationDetailSerializer,
    EvaluationSerializer,
    IndicatorSetCreateSerializer,
    IndicatorSetSerializer,
)

DEFAULT_ORDER = "`-period_end` (latest period first), then newest"


@extend_schema_view(
    list=extend_schema(
        summary="Evaluations in the caller's scope",
        parameters=[EvaluationFilter, ordering_parameter(list(ORDERING), DEFAULT_ORDER)],
    ),
    retrieve=extend_schema(summary="One evaluation, with its indicators, scores, history (ETag: version)"),
    create=extend_schema(
        summary="Start an evaluation (draft) — district officer of the outlet's district",
        request=EvaluationCreateSerializer,
        responses={
            201: EvaluationDetailSerializer,
            409: problem_response(
                "The outlet already has an evaluation for the period, its status does not allow one, or the center "
                "has no active indicator set for the period's kind."
            ),
            422: problem_response("`Idempotency-Key` already used for a different request."),
        },
        parameters=[IDEMPOTENCY_PARAMETER],
    ),
)
class EvaluationViewSet(WorkflowCaseViewSet):
    """服务质量评价 (Art 5). Center and regulators see all; a district its own; a bank the finalised evaluations
    of its outlets; others see none (404)."""

    workflow = EVALUATION
    list_serializer_class = EvaluationSerializer
    detail_serializer_class = EvaluationDetailSerializer
    list_selector = staticmethod(selectors.evaluations_for_list)
    selector_params = staticmethod(selector_params)
    filter_class = EvaluationFilter
    ordering_fields = ORDERING
    default_ordering = [F("period_end").desc(), "-created_at", "-pk"]
    create_serializer_class = EvaluationCreateSerializer

    @classmethod
    def detail_queryset(cls, user: Any) -> QuerySet[Evaluation]:
        """The evaluations ``user`` may see, loaded for ``EvaluationDetailSerializer``."""
        return (
            super()
            .detail_queryset(user)
            .select_related("finalised_by", "outlet__sub_branch")
            .prefetch_related(
                Prefetch("indicator_set__indicators", queryset=Indicator.objects.order_by("sort_order", "pk")),
                Prefetch("outlet__services", queryset=CardService.objects.only("pk", "code")),
            )
        )

    def create_case(self, request: Request, data: dict[str, Any], files: Any) -> Evaluation:
        return services.evaluation_start(
            actor=request.user, outlet_id=data["outlet"], period=data["period"], note=data.get("note", "")
        )


class EvaluationActionView(WorkflowActionView):
    """``POST /api/v1/evaluations/{id}/actions/<action>/`` — one evaluation step."""

    workflow = EVALUATION
    resource = "evaluations"
    response_serializer = EvaluationDetailSerializer
    payload_overrides = PAYLOAD_OVERRIDES
    case_viewset = EvaluationViewSet


@extend_schema_view(
    list=extend_schema(summary="The center's indicator sets, every version (newest first per period kind)"),
    retrieve=extend_schema(summary="One indicator set version with its indicators and grade bands"),
    create=extend_schema(
        summary="Create a new version — center officer or leader",
        request=IndicatorSetCreateSerializer,
        responses={201: IndicatorSetSerializer, 422: problem_response("`Idempotency-Key` already used.")},
        parameters=[IDEMPOTENCY_PARAMETER],
    ),
)
class IndicatorSetViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """评价指标体系 (Art 5: city-wide standards set by the center). Versions are never changed: a change is a new
    version, so each evaluation keeps the rules it was scored on."""

    schema = ProblemAutoSchema()
    serializer_class = IndicatorSetSerializer
    lookup_value_regex = ID_PATTERN
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[IndicatorSet]:
        used = Evaluation.objects.filter(indicator_set_id=OuterRef("pk"))
        return (
            IndicatorSet.objects.restrict(self.request.user)
            .annotate(used=Exists(used))
            .prefetch_related(Prefetch("indicators", queryset=Indicator.objects.order_by("sort_order", "pk")))
            .order_by("period_kind", "-version", "pk")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if IndicatorSet.scope_filter(request.user, "create") is not ALL:  # 403 before looking at the payload
            raise NotAllowed(_("只有市社保卡服务中心可以制定评价指标体系。"))
        ser = IndicatorSetCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data

        def produce() -> Response:
            s = services.indicator_set_create(
                actor=request.user,
                name=data["name"],
                period_kind=data["period_kind"],
                grade_bands=[dict(b) for b in data["grade_bands"]],
                indicators=[dict(i) for i in data["indicators"]],
                note=data.get("note", ""),
                activate=data.get("activate", True),
            )
            obj = self.get_queryset().get(pk=s.pk)
            body = IndicatorSetSerializer(obj, context=self.get_serializer_context()).data
            headers = {"Location": request.build_absolute_uri(f"{obj.pk}/")}
            return Response(body, status=status.HTTP_201_CREATED, headers=headers)

        return run_idempotent(request, produce)
