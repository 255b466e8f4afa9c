"""``/api/v1/reports/jinyu_migration/`` (Art 6(2)) and ``/api/v1/reports/disclosure_missing/`` (Art 10): the same
figures as the pages, scoped to the caller."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ssc.core.api.filters import parse_query
from ssc.core.api.schema import ProblemAutoSchema
from ssc.core.errors import NotAllowed
from ssc.registry.api.serializers import BankBriefSerializer, DistrictBriefSerializer

from .. import selectors
from ..permissions import DISCLOSURE_REPORT_ROLES, MIGRATION_REPORT_ROLES


def _require(user: Any, roles: frozenset[str]) -> None:
    if user.role not in roles:
        raise NotAllowed()


class MigrationQuery(serializers.Serializer):
    district = serializers.RegexField(r"^\d{1,18}$", required=False, help_text="District id or 6-digit code.")
    bank = serializers.RegexField(r"^[-\w]{1,20}$", required=False, help_text="Bank id or bank code.")
    as_of = serializers.DateField(required=False, help_text="Count plans against this day (default today).")


class MigrationRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    total = serializers.IntegerField(help_text="Cooperating outlets (active, under rectification).")
    jinyu = serializers.IntegerField(help_text="Connected through Jinyu Net.")
    legacy = serializers.IntegerField(help_text="Still on the legacy bank–SSC link.")
    percent_migrated = serializers.FloatField(help_text="jinyu / total × 100, one decimal.")
    planned_this_quarter = serializers.IntegerField(help_text="Legacy outlets planned to migrate this quarter.")
    overdue = serializers.IntegerField(help_text="Legacy outlets whose planned date has passed.")
    unplanned = serializers.IntegerField(help_text="Legacy outlets without a planned date.")


class MigrationReportSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    quarter_start = serializers.DateField()
    quarter_end = serializers.DateField()
    totals = MigrationRowSerializer()
    by_bank = MigrationRowSerializer(many=True)
    by_district = MigrationRowSerializer(many=True)


class JinyuMigrationView(APIView):
    """金渝网迁移进度 (Art 6(2))."""

    schema = ProblemAutoSchema()

    @extend_schema(
        summary="Jinyu Net migration progress by bank and by district (Art 6(2)), in the caller's scope",
        parameters=[MigrationQuery],
        responses={200: MigrationReportSerializer},
    )
    def get(self, request: Request) -> Response:
        _require(request.user, MIGRATION_REPORT_ROLES)
        params = parse_query(MigrationQuery, request)
        as_of: date = params.pop("as_of", None) or timezone.localdate()
        report = selectors.jinyu_migration(request.user, as_of=as_of, params=params)
        return Response(
            {
                "as_of": report.as_of,
                "quarter_start": report.quarter_start,
                "quarter_end": report.quarter_end,
                "totals": report.totals.as_dict(),
                "by_bank": [r.as_dict() for r in report.by_bank],
                "by_district": [r.as_dict() for r in report.by_district],
            }
        )


class DisclosureQuery(serializers.Serializer):
    district = serializers.RegexField(r"^\d{1,18}$", required=False, help_text="District id or 6-digit code.")
    bank = serializers.RegexField(r"^[-\w]{1,20}$", required=False, help_text="Bank id or bank code.")
    q = serializers.CharField(max_length=100, required=False)
    missing = serializers.ChoiceField(
        choices=[(c, c) for c in selectors.MISSING_CHOICES],
        required=False,
        help_text="`consultation`, `complaint` or `both`; default: either.",
    )


class DisclosureRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField()
    district = DistrictBriefSerializer()
    bank = BankBriefSerializer()
    consultation_phone = serializers.CharField()
    complaint_phone = serializers.CharField()
    missing = serializers.SerializerMethodField()
    open_disclosure_rectification = serializers.BooleanField(
        help_text="A rectification on the disclosure ground is under way."
    )

    def get_missing(self, obj: Any) -> list[str]:
        return [k for k, v in (("consultation", obj.consultation_phone), ("complaint", obj.complaint_phone)) if not v]


class DisclosureMissingView(ListAPIView):
    """公示检查 (Art 10): cooperating outlets without a consultation or complaint number."""

    schema = ProblemAutoSchema()
    serializer_class = DisclosureRowSerializer
    filter_backends: list[Any] = []

    @extend_schema(
        summary="Cooperating outlets missing a consultation or complaint number (Art 10), in the caller's scope",
        parameters=[DisclosureQuery],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        _require(self.request.user, DISCLOSURE_REPORT_ROLES)
        return selectors.disclosure_missing(self.request.user, parse_query(DisclosureQuery, self.request))
