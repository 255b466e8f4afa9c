"""``GET /api/v1/deadlines/`` — statutory deadlines of the cases the caller can see (the center's SLA view,
a district's due list). Scoped through each deadline's case (``ssc.workflow.api.scoping``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from ssc.core.api.filters import parse_query
from ssc.core.api.schema import ProblemAutoSchema
from ssc.deadlines.models import Deadline, DeadlineStatus
from ssc.workflow.api.scoping import cases_by_key, visible_cases_q
from ssc.workflow.api.views import apply_ordering, ordering_parameter

from .serializers import DeadlineListSerializer

ORDERING = {n: n for n in ("due_on", "started_on", "completed_on", "status", "kind")}


class StatusListField(serializers.CharField):
    """Comma separated deadline statuses, checked and normalised (``pending,missed``)."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        parts = [p.strip() for p in value.split(",") if p.strip()]
        bad = [p for p in parts if p not in DeadlineStatus.values]
        if bad:
            raise serializers.ValidationError(
                _("未知的状态：%(bad)s。可选：%(choices)s。")
                % {"bad": "，".join(bad), "choices": "，".join(DeadlineStatus.values)}
            )
        return ",".join(parts)


class DeadlineFilter(serializers.Serializer):
    status = StatusListField(max_length=60, required=False, help_text="pending, met, missed; comma separated.")
    kind = serializers.SlugField(max_length=40, required=False, help_text="e.g. `center_open_accounts`.")
    case_type = serializers.SlugField(max_length=30, required=False, help_text="e.g. `application`.")
    case_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    district = serializers.RegexField(r"^\d{1,18}$", required=False, help_text="District id or 6-digit code.")
    due_before = serializers.DateField(required=False, help_text="Due on or before this date (YYYY-MM-DD).")
    due_after = serializers.DateField(required=False, help_text="Due on or after this date (YYYY-MM-DD).")
    overdue = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true: past the last day and not done."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        before, after = attrs.get("due_before"), attrs.get("due_after")
        if before and after and after > before:
            raise serializers.ValidationError({"due_after": [_("不能晚于 due_before。")]})
        return attrs


def deadlines_filter(qs: QuerySet[Deadline], params: dict[str, Any], today: date) -> QuerySet[Deadline]:
    if params.get("status"):
        qs = qs.filter(status__in=params["status"].split(","))
    for key in ("kind", "case_type", "case_id"):
        if params.get(key):
            qs = qs.filter(**{key: params[key]})
    district = params.get("district")
    if district:
        qs = qs.filter(district__code=district) if len(district) == 6 else qs.filter(district_id=int(district))
    if params.get("due_before"):
        qs = qs.filter(due_on__lte=params["due_before"])
    if params.get("due_after"):
        qs = qs.filter(due_on__gte=params["due_after"])
    overdue = Q(completed_on__isnull=True) & (Q(status=DeadlineStatus.MISSED) | Q(due_on__lt=today))
    if params.get("overdue") is True:
        qs = qs.filter(overdue)
    elif params.get("overdue") is False:
        qs = qs.exclude(overdue)
    return qs


@extend_schema_view(
    list=extend_schema(
        summary="Statutory deadlines of the cases the caller can see",
        parameters=[DeadlineFilter, ordering_parameter(list(ORDERING), "`due_on` (soonest first)")],
    ),
    retrieve=extend_schema(summary="One deadline"),
)
class DeadlineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """期限 — started and met by workflow actions, missed by the sweep (REGULATION.md, deadlines)."""

    schema = ProblemAutoSchema()
    serializer_class = DeadlineListSerializer
    lookup_value_regex = r"\d{1,18}"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Deadline]:
        qs: QuerySet[Deadline] = Deadline.objects.filter(visible_cases_q(self.request.user))
        if self.action == "list":
            params = parse_query(DeadlineFilter, self.request)
            qs = deadlines_filter(qs, params, timezone.localdate())
            qs = apply_ordering(qs, self.request.query_params.get("ordering"), ORDERING, ["due_on", "pk"])
        return qs

    def _render(self, rows: list[Deadline]) -> Any:
        cases = cases_by_key({(d.case_type, d.case_id) for d in rows})
        context = {**self.get_serializer_context(), "cases": cases}
        return DeadlineListSerializer(rows, many=True, context=context).data

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self._render(list(page or [])))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._render([self.get_object()])[0])
