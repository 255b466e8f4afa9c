"""Calendar API: working-day arithmetic for any signed-in caller, and the calendar itself (read-only)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ssc.core.api.schema import PROBLEM_MEDIA_TYPE, ProblemAutoSchema, ProblemSerializer

from .. import selectors, services
from ..models import CalendarDay, CalendarYear
from . import serializers as s

CALENDAR_MISSING = OpenApiResponse(
    response={PROBLEM_MEDIA_TYPE: ProblemSerializer},
    description="`calendar_missing`: the working-day calendar of a year the computation needs was never "
    "entered; the detail names the year. Nothing is guessed.",
)
TAGS = ["calendar"]


class AddWorkdaysView(APIView):
    schema = ProblemAutoSchema()

    @extend_schema(
        operation_id="calendar_add_workdays",
        tags=TAGS,
        parameters=[s.AddWorkdaysQuery],
        responses={200: s.AddWorkdaysResult, 422: CALENDAR_MISSING},
        summary="N working days after a date",
        description=(
            "`due_on` is the N-th working day after `start` (Civil Code Art 201: the start day is not counted). "
            "Make-up working weekends (调休) count as working days; statutory holidays and weekends do not."
        ),
    )
    def get(self, request: Request) -> Response:
        query = s.AddWorkdaysQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, days = query.validated_data["start"], query.validated_data["days"]
        due = services.add_workdays(start, days)
        return Response(s.AddWorkdaysResult({"start": start, "days": days, "due_on": due}).data)


class AddMonthsView(APIView):
    schema = ProblemAutoSchema()

    @extend_schema(
        operation_id="calendar_add_months",
        tags=TAGS,
        parameters=[s.AddMonthsQuery],
        responses={200: s.AddMonthsResult, 422: CALENDAR_MISSING},
        summary="End of a period of N months",
        description=(
            "`nominal_end` is `start` + N months, on the last day of the month when it has no such day "
            "(Art 202: 2025-11-30 + 3 → 2026-02-28); `due_on` moves it to the next working day when it is a "
            "rest day (Art 203)."
        ),
    )
    def get(self, request: Request) -> Response:
        query = s.AddMonthsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, months = query.validated_data["start"], query.validated_data["months"]
        nominal = services.add_months(start, months)
        due = services.next_workday(nominal)
        data = {"start": start, "months": months, "nominal_end": nominal, "due_on": due}
        return Response(s.AddMonthsResult(data).data)


class YearListView(generics.ListAPIView):
    """The years that have a working-day calendar, with counts of each kind of day."""

    schema = ProblemAutoSchema()
    serializer_class = s.CalendarYearSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[CalendarYear]:
        return selectors.years_overview()

    @extend_schema(operation_id="calendar_years_list", tags=TAGS, summary="Calendar years")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class DayListView(generics.ListAPIView):
    """The days of a year (or of one month), each with its kind."""

    schema = ProblemAutoSchema()
    serializer_class = s.CalendarDaySerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[CalendarDay]:
        query = s.DaysQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        year, month = query.validated_data["year"], query.validated_data.get("month")
        services.require_year(year)
        qs = CalendarDay.objects.filter(calendar_year_id=year)
        if month:
            qs = qs.filter(date__month=month)
        return qs.order_by("date")

    @extend_schema(
        operation_id="calendar_days_list",
        tags=TAGS,
        parameters=[s.DaysQuery],
        responses={200: s.CalendarDaySerializer(many=True), 422: CALENDAR_MISSING},
        summary="Days of a calendar year",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
