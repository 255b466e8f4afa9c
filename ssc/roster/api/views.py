"""``/api/v1/roster_versions/`` — the published versions of the roster of cooperating outlets (Art 7(5), 8, 9).

The roster is public (Art 4: open), so every signed-in user may read every version, whatever their scope.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ssc.core.api.filters import parse_query
from ssc.core.api.schema import ProblemAutoSchema
from ssc.core.errors import NotFound

from ..models import ChangeKind, RosterVersion
from .serializers import (
    RosterChangeSerializer,
    RosterVersionDetailSerializer,
    RosterVersionSerializer,
    changes_queryset,
)

NUMBER = OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH, description="Version number.")


class ChangeFilter(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ChangeKind.choices, required=False)


@extend_schema_view(
    list=extend_schema(summary="Published roster versions, newest first"),
    retrieve=extend_schema(summary="One roster version with its changes", parameters=[NUMBER]),
    latest=extend_schema(summary="The latest roster version with its changes"),
    changes=extend_schema(
        summary="Every change of one version, paged",
        parameters=[NUMBER, ChangeFilter],
        responses={200: RosterChangeSerializer(many=True)},
    ),
)
class RosterVersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """名单版本 — number, publication time, counts; the detail adds what changed against the previous one."""

    schema = ProblemAutoSchema()
    lookup_field = "number"
    lookup_value_regex = r"\d{1,9}"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[RosterVersion]:
        return RosterVersion.objects.select_related("published_by").order_by("-number")

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return RosterVersionSerializer if self.action == "list" else RosterVersionDetailSerializer

    @action(detail=False, methods=["get"])
    def latest(self, request: Request) -> Response:
        version = self.get_queryset().first()
        if version is None:
            raise NotFound(_("尚未发布任何名单版本。"))
        return Response(self.get_serializer(version).data)

    @action(detail=True, methods=["get"])
    def changes(self, request: Request, number: str) -> Response:
        version = self.get_object()
        params = parse_query(ChangeFilter, request)
        qs = changes_queryset().filter(version=version).order_by("id")
        if params.get("kind"):
            qs = qs.filter(kind=params["kind"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(RosterChangeSerializer(page, many=True).data)
