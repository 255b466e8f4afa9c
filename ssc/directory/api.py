"""The public API (no log-in): ``/api/v1/public/outlets/``, ``…/outlets/{id}/`` and ``/api/v1/public/roster/``.

Responses carry a strong ``ETag`` (the roster generation and the normalised request) and ``Cache-Control``;
``If-None-Match`` gives 304 without touching the outlets. Bodies of searches and outlets are cached until the
roster changes (see ``ssc.directory.cache``). Every client address is rate-limited (429 + ``Retry-After``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache as django_cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified, StreamingHttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.utils.text import compress_string
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.views import APIView

from ssc.core.api.schema import ProblemAutoSchema, problem_response
from ssc.core.errors import NotFound, ValidationFailed
from ssc.core.exports import attachment_header
from ssc.roster import opendata
from ssc.roster import services as roster
from ssc.roster.models import RosterEntry

from . import cache, params, search
from .serializers import PublicOutletPageSerializer, PublicOutletSerializer, RosterJsonSerializer
from .throttling import PublicRateThrottle

BODY_TTL = 600
GZIP_MIN_BYTES = 1024
NOT_MODIFIED = OpenApiResponse(description="Not modified: `If-None-Match` names the current `ETag`.")


class IgnoreFormatNegotiation(DefaultContentNegotiation):
    """``?format=`` names the download format here, not a DRF renderer: always answer JSON."""

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


def etag_matches(request: HttpRequest, etag: str) -> bool:
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return etag in tags


def cache_headers(response: HttpResponseBase, etag: str) -> HttpResponseBase:
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={cache.max_age()}"
    return response


def not_modified(etag: str) -> HttpResponseBase:
    return cache_headers(HttpResponseNotModified(), etag)


def accepts_gzip(request: HttpRequest) -> bool:
    return "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "")


def cached_response(
    request: HttpRequest, parts: Iterable[Any], build: Any, content_type: str, vary: tuple[str, ...] = ()
) -> HttpResponseBase:
    """The body for ``parts`` from the cache (``build()`` → bytes on a miss; gzipped too once asked), or 304.

    The ``ETag`` names the roster generation and the normalised request (``parts``), plus the encoding."""
    key = cache.key(*parts)
    gzip = accepts_gzip(request)
    etag = quote_etag(key + ("-gz" if gzip else ""))
    vary = ("Accept-Encoding", *vary)
    if etag_matches(request, etag):
        response = not_modified(etag)
        patch_vary_headers(response, vary)
        return response
    entry = django_cache.get("directory:body:" + key)
    if entry is None:
        entry = (build(), None)
        django_cache.set("directory:body:" + key, entry, BODY_TTL)
    plain, packed = entry
    if gzip and packed is None and len(plain) >= GZIP_MIN_BYTES:
        packed = compress_string(plain)  # compressed once, when a client first accepts gzip
        django_cache.set("directory:body:" + key, (plain, packed), BODY_TTL)
    if gzip and packed is not None:
        response = HttpResponse(packed, content_type=content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(plain, content_type=content_type)
    patch_vary_headers(response, vary)
    return cache_headers(response, etag)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class PublicView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [PublicRateThrottle]
    throttle_scope = "public"
    content_negotiation_class = IgnoreFormatNegotiation
    schema = ProblemAutoSchema()

    def cached(self, request: HttpRequest, parts: Iterable[Any], build: Any) -> HttpResponseBase:
        """The cached JSON body for ``parts`` (built by ``build()`` on a miss), or 304."""
        return cached_response(request, parts, lambda: _dumps(build()), "application/json")


def _page_url(request: HttpRequest, page: int | None) -> str | None:
    """The absolute URL of ``page`` of this search (parameters sorted; the last value of a repeated one)."""
    if page is None:
        return None
    query = {**request.GET.dict(), "page": str(page)}
    return request.build_absolute_uri(request.path + "?" + urlencode(sorted(query.items())))


QUERY_PARAMETERS = [
    OpenApiParameter("q", str, description="Name, address (hanzi) or pinyin initials (`gsyh` → 工商银行)."),
    OpenApiParameter("district", str, description="District id or 6-digit division code."),
    OpenApiParameter("bank", str, description="Bank id or bank code (e.g. `icbc`)."),
    OpenApiParameter("service", str, description="Card-service code (e.g. `instant_issuance`)."),
    OpenApiParameter("instant_issuance", bool, description="Only outlets that issue cards on the spot (即时制卡)."),
    OpenApiParameter(
        "near",
        str,
        description="`<lat>,<lng>` in GCJ-02: results sorted by distance, each with `distance_m` (metres).",
        examples=[OpenApiExample("解放碑", value="29.5573,106.5770")],
    ),
    OpenApiParameter("page", int, description="1-based page number."),
    OpenApiParameter("page_size", int, description="Rows per page (default 20, max 200)."),
]


class PublicOutletListView(PublicView):
    """公众网点查询 — outlets of the latest published roster; hidden (terminating) outlets never appear."""

    @extend_schema(
        operation_id="public_outlets_list",
        summary="Search the cooperating outlets (public, no log-in)",
        description=(
            "Outlets of the latest published roster version, listed by the pinyin of their name or, with `near`, "
            "by distance. Cacheable: `ETag` / `If-None-Match` (304) and `Cache-Control`; rate-limited per client "
            "address (429 with `Retry-After`)."
        ),
        parameters=QUERY_PARAMETERS,
        responses={200: PublicOutletPageSerializer, 304: NOT_MODIFIED, 404: problem_response("A page past the last.")},
        tags=["public"],
    )
    def get(self, request: Request) -> HttpResponseBase:
        p, errors = params.parse(request.query_params)
        if errors:
            raise ValidationFailed(_("请检查标出的参数。"), errors=errors)
        host = request.build_absolute_uri("/")
        key_parts = ("outlets", cache.generation(), host, *p.cache_parts())

        def build() -> bytes:
            count, rows = search.search_text(**p.search_kwargs())
            if not rows and p.page > 1:
                raise NotFound(_("没有这一页。"))
            last = (count + p.page_size - 1) // p.page_size
            # The rows are the roster's own JSON text: spliced in, not decoded and encoded again.
            head = _dumps(
                {
                    "count": count,
                    "next": _page_url(request, p.page + 1 if p.page < last else None),
                    "previous": _page_url(request, p.page - 1 if p.page > 1 else None),
                }
            )
            return head[:-1] + b',"results":[' + ",".join(rows).encode() + b"]}"

        return cached_response(request, key_parts, build, "application/json")


class PublicOutletDetailView(PublicView):
    @extend_schema(
        operation_id="public_outlets_retrieve",
        summary="One outlet of the latest roster (public, no log-in)",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Outlet id.")],
        responses={200: PublicOutletSerializer, 304: NOT_MODIFIED},
        tags=["public"],
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        def build() -> dict[str, Any]:
            data = RosterEntry.objects.filter(pk=pk, hidden=False).values_list("data", flat=True).first()
            if data is None:
                raise NotFound(_("名单中没有这个网点。"))
            return dict(data)

        return self.cached(request, ("outlet", cache.generation(), pk), build)


class PublicRosterView(PublicView):
    throttle_scope = "public_download"

    @extend_schema(
        operation_id="public_roster_download",
        summary="The latest roster as open data (public, no log-in)",
        description=(
            "Every visible outlet of the latest published version (hidden ones excluded), by outlet id: "
            "`format=json` (default), `geojson` (a FeatureCollection of Points; coordinates GCJ-02, as the "
            "`coordinate_system` member says), `csv` (UTF-8 with BOM) or `xlsx`. `ETag` changes with the roster."
        ),
        parameters=[
            OpenApiParameter("format", str, enum=list(opendata.FORMATS), description="Download format (default json).")
        ],
        responses={
            (200, "application/json"): RosterJsonSerializer,
            (200, "application/geo+json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="GeoJSON FeatureCollection"
            ),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, UTF-8 with BOM"),
            (200, opendata.CONTENT_TYPES["xlsx"]): OpenApiResponse(OpenApiTypes.BINARY, description="Excel workbook"),
            304: NOT_MODIFIED,
        },
        tags=["public"],
    )
    def get(self, request: Request) -> HttpResponseBase:
        fmt = (request.query_params.get("format") or "json").strip().lower()
        if fmt not in opendata.FORMATS:
            raise ValidationFailed(
                _("请检查标出的参数。"),
                errors={"format": [_("格式应为 %(formats)s 之一。") % {"formats": "、".join(opendata.FORMATS)}]},
            )
        etag = quote_etag(cache.key("roster", cache.generation(), fmt))
        if etag_matches(request, etag):
            return not_modified(etag)
        version = roster.latest()
        response = StreamingHttpResponse(opendata.chunks(fmt, version), content_type=opendata.CONTENT_TYPES[fmt])
        if fmt in ("csv", "xlsx"):
            response["Content-Disposition"] = attachment_header(opendata.filename(fmt, version))
        if version is not None:
            response["Last-Modified"] = http_date(version.published_at.timestamp())
        return cache_headers(response, etag)
