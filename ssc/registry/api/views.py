"""Registry endpoints. Thin: parse input, call a selector or service, render output.

Every queryset goes through ``Model.objects.restrict(request.user)``, so an object outside the caller's
scope is simply not there (404, existence not disclosed). Districts and card services are reference data
that every signed-in user may read.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ssc.core.api.concurrency import check_if_match, etag
from ssc.core.api.filters import StableOrderingFilter, parse_query
from ssc.core.api.schema import ProblemAutoSchema
from ssc.core.errors import NotAllowed
from ssc.core.scoping import NONE

from .. import selectors
from .. import services as registry_services
from ..models import Bank, CardService, District, Organisation, Outlet, SystemAccount
from . import filters
from .serializers import (
    BankSerializer,
    CardServiceSerializer,
    DistrictSerializer,
    OrganisationSerializer,
    OutletSerializer,
    OutletWriteSerializer,
    SystemAccountSerializer,
)

ID_PATTERN = r"\d{1,18}"


class ReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List + detail, with the query parameters of ``filter_class`` validated and applied on lists."""

    schema = ProblemAutoSchema()
    lookup_value_regex = ID_PATTERN
    filter_backends = [StableOrderingFilter]
    filter_class: type | None = None

    def base_queryset(self) -> QuerySet:
        raise NotImplementedError

    def apply_filters(self, qs: QuerySet, params: dict[str, Any]) -> QuerySet:
        return qs

    def get_queryset(self) -> QuerySet:
        qs = self.base_queryset()
        if self.action in ("list",) and self.filter_class is not None:
            qs = self.apply_filters(qs, parse_query(self.filter_class, self.request))
        return qs


@extend_schema_view(list=extend_schema(parameters=[filters.DistrictFilter]))
class DistrictViewSet(ReadOnlyViewSet):
    """区县 (GB/T 2260 divisions and management zones)."""

    serializer_class = DistrictSerializer
    filter_class = filters.DistrictFilter
    ordering_fields = ["code", "name"]
    ordering = ["code"]
    unique_ordering_fields = ["code", "name"]

    def base_queryset(self) -> QuerySet:
        # Reference data: public knowledge, readable by every signed-in user.
        return District.objects.prefetch_related(Prefetch("overlaps", queryset=District.objects.only("pk")))

    def apply_filters(self, qs: QuerySet, params: dict[str, Any]) -> QuerySet:
        return filters.districts_filter(qs, params)


@extend_schema_view(list=extend_schema(parameters=[filters.OrganisationFilter]))
class OrganisationViewSet(ReadOnlyViewSet):
    """机构 — those the caller may see (``Organisation.scope_filter``)."""

    serializer_class = OrganisationSerializer
    filter_class = filters.OrganisationFilter
    ordering_fields = ["code", "name", "kind"]
    ordering = ["kind", "code"]
    unique_ordering_fields = ["code"]

    def base_queryset(self) -> QuerySet:
        return Organisation.objects.restrict(self.request.user)

    def apply_filters(self, qs: QuerySet, params: dict[str, Any]) -> QuerySet:
        return filters.organisations_filter(qs, params)


@extend_schema_view(list=extend_schema(parameters=[filters.BankFilter]))
class BankViewSet(ReadOnlyViewSet):
    """银行."""

    serializer_class = BankSerializer
    filter_class = filters.BankFilter
    ordering_fields = ["sort_order", "name", "code"]
    ordering = ["sort_order", "name"]
    unique_ordering_fields = ["name", "code"]

    def base_queryset(self) -> QuerySet:
        return Bank.objects.restrict(self.request.user)

    def apply_filters(self, qs: QuerySet, params: dict[str, Any]) -> QuerySet:
        return filters.banks_filter(qs, params)


@extend_schema_view(list=extend_schema(parameters=[filters.CardServiceFilter]))
class CardServiceViewSet(ReadOnlyViewSet):
    """社保卡服务项目 — the catalogue outlets choose their services from."""

    serializer_class = CardServiceSerializer
    filter_class = filters.CardServiceFilter
    ordering_fields = ["sort_order", "code", "name"]
    ordering = ["sort_order", "code"]
    unique_ordering_fields = ["code", "name"]

    def base_queryset(self) -> QuerySet:
        # Reference data, like districts.
        return CardService.objects.all()

    def apply_filters(self, qs: QuerySet, params: dict[str, Any]) -> QuerySet:
        return filters.card_services_filter(qs, params)


# The columns ``OutletSerializer`` reads (not the search columns or creation time).
_OUTLET_COLUMNS = [
    *(f for f in OutletSerializer.Meta.fields if f in {f.name for f in Outlet._meta.concrete_fields}),
    "bank__name",
    "bank__short_name",
    "sub_branch__name",
    "district__code",
    "district__name",
]


def outlet_queryset(user: Any) -> QuerySet[Outlet]:
    """The outlets ``user`` may see, with what ``OutletSerializer`` needs in the same query. Their service
    codes come from ``with_service_codes`` (one more query per page, whatever its size)."""
    return Outlet.objects.restrict(user).select_related("bank", "district", "sub_branch").only(*_OUTLET_COLUMNS)


def with_service_codes(outlets: list[Outlet]) -> list[Outlet]:
    """Set ``outlet.service_codes`` on each outlet with one query of (outlet, code) pairs: no model
    instances, no related managers (``prefetch_related`` costs about a third of a page's time)."""
    codes: dict[int, list[str]] = {o.pk: [] for o in outlets}
    if codes:
        pairs = (
            Outlet.services.through.objects.filter(outlet_id__in=list(codes))
            .order_by("cardservice__sort_order", "cardservice__code")
            .values_list("outlet_id", "cardservice__code")
        )
        for outlet_id, code in pairs:
            codes[outlet_id].append(code)
    for outlet in outlets:
        outlet.service_codes = codes[outlet.pk]  # type: ignore[attr-defined]
    return outlets


def _outlet_response(outlet: Outlet, **kwargs: Any) -> Response:
    with_service_codes([outlet])
    headers = {"ETag": etag(outlet.version), **kwargs.pop("headers", {})}
    return Response(OutletSerializer(outlet).data, headers=headers, **kwargs)


_OUTLET_WRITE_DOC = (
    "Optimistic concurrency: send `If-Match` with the `ETag` of the representation you edited; a stale "
    "version answers 412. Centre officers and system administrators may edit every outlet, a district officer the "
    "outlets of their district, a bank applicant those of their sub-branch; other roles get 403."
)


IF_MATCH = OpenApiParameter(
    "If-Match",
    location=OpenApiParameter.HEADER,
    required=False,
    description='The `ETag` of the version edited, e.g. `"3"`; a stale one answers 412.',
)
WRITE_SCHEMA: dict[str, Any] = {
    "request": OutletWriteSerializer,
    "responses": {200: OutletSerializer},
    "parameters": [IF_MATCH],
    "description": _OUTLET_WRITE_DOC,
}


@extend_schema_view(
    list=extend_schema(parameters=[filters.OutletFilter]),
    create=extend_schema(request=OutletWriteSerializer, responses={201: OutletSerializer}),
    update=extend_schema(**WRITE_SCHEMA),
    partial_update=extend_schema(**WRITE_SCHEMA),
    system_accounts=extend_schema(responses={200: SystemAccountSerializer(many=True)}),
)
class OutletViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """合作银行网点 — master data. There is no DELETE: an outlet leaves only through the termination workflow
    (Art 8, 9), which keeps its history."""

    schema = ProblemAutoSchema()
    serializer_class = OutletSerializer
    lookup_value_regex = ID_PATTERN
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["name", "code", "district", "bank", "status", "updated_at"]
    # ``code`` is unique and indexed: the default order pages through 100k outlets without a sort.
    ordering = ["code"]
    unique_ordering_fields = ["code"]

    def get_queryset(self) -> QuerySet[Outlet]:
        if self.action == "list":
            params = parse_query(filters.OutletFilter, self.request)
            return selectors.outlets_filter(outlet_queryset(self.request.user), params)
        return outlet_queryset(self.request.user)

    def http_method_not_allowed(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.method == "DELETE":
            raise exceptions.MethodNotAllowed(
                "DELETE", detail=_("网点不能删除：网点只能通过退出流程（第八、九条）退出合作，其记录须保留。")
            )
        return super().http_method_not_allowed(request, *args, **kwargs)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset())) or []
        return self.get_paginated_response(OutletSerializer(with_service_codes(page), many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _outlet_response(self.get_object())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        flt = Outlet.scope_filter(request.user, "change")
        if flt is None or flt is NONE:
            raise NotAllowed()
        ser = OutletWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        codes = data.pop("services")
        outlet = registry_services.outlet_create(actor=request.user, data=data, services=codes)
        outlet = outlet_queryset(request.user).get(pk=outlet.pk)
        location = request.build_absolute_uri(f"{outlet.pk}/")
        return _outlet_response(outlet, status=status.HTTP_201_CREATED, headers={"Location": location})

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        outlet = self.get_object()  # 404 outside the caller's view scope
        registry_services.check_can_change(actor=request.user, outlet=outlet)  # 403 seen but not theirs to edit
        expected = check_if_match(request, outlet.version)  # 412 before anything is parsed
        ser = OutletWriteSerializer(data=request.data, partial=partial)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        codes = data.pop("services", None)
        outlet = registry_services.outlet_update(
            actor=request.user, outlet_id=outlet.pk, data=data, services=codes, expected_version=expected
        )
        return _outlet_response(outlet_queryset(request.user).get(pk=outlet.pk))

    @action(detail=True, methods=["get"], url_path="system_accounts")
    def system_accounts(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """社保卡系统账户 of one outlet (Art 7(5) opens them, Art 8/9 exits close them)."""
        outlet = self.get_object()
        qs = SystemAccount.objects.restrict(request.user).filter(outlet=outlet).order_by("account_type", "identifier")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(SystemAccountSerializer(page, many=True).data)
