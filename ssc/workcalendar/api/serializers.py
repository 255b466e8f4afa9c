"""Query and response shapes of the calendar API (dates as ``YYYY-MM-DD``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import MAX_YEAR, MIN_YEAR, DayKind
from ..models import CalendarDay, CalendarYear
from ..services import MAX_MONTHS

if TYPE_CHECKING:
    from ssc.accounts.models import User

MAX_WORKDAYS = 3660


class AddWorkdaysQuery(serializers.Serializer):
    start = serializers.DateField(help_text=_("起算日（YYYY-MM-DD），当天不计入（民法典第二百零一条）"))
    days = serializers.IntegerField(min_value=1, max_value=MAX_WORKDAYS, help_text=_("工作日天数"))


class AddWorkdaysResult(serializers.Serializer):
    start = serializers.DateField()
    days = serializers.IntegerField()
    due_on = serializers.DateField(help_text=_("期限届满日：起算日之后的第 N 个工作日"))


class AddMonthsQuery(serializers.Serializer):
    start = serializers.DateField(help_text=_("起算日（YYYY-MM-DD）"))
    months = serializers.IntegerField(min_value=1, max_value=MAX_MONTHS, help_text=_("月数"))


class AddMonthsResult(serializers.Serializer):
    start = serializers.DateField()
    months = serializers.IntegerField()
    nominal_end = serializers.DateField(help_text=_("按月计算的到期日（无对应日的取当月最后一日，民法典第二百零二条）"))
    due_on = serializers.DateField(help_text=_("期限届满日：到期日为休息日的，顺延至其后第一个工作日（第二百零三条）"))


class DaysQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, help_text=_("年度"))
    month = serializers.IntegerField(min_value=1, max_value=12, required=False, help_text=_("月份（可选）"))


class CalendarYearSerializer(serializers.ModelSerializer):
    source_display = serializers.CharField(source="get_source_display")
    entered_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    workday_count = serializers.IntegerField(help_text=_("工作日天数（含调休上班日）"))
    rest_day_count = serializers.IntegerField(help_text=_("休息日天数（含法定节假日）"))
    holiday_count = serializers.IntegerField(help_text=_("法定节假日天数"))
    makeup_workday_count = serializers.IntegerField(help_text=_("调休上班日天数"))

    class Meta:
        model = CalendarYear
        fields = [
            "year",
            "source",
            "source_display",
            "notice",
            "entered_by",
            "entered_at",
            "revision",
            "workday_count",
            "rest_day_count",
            "holiday_count",
            "makeup_workday_count",
        ]


class CalendarDaySerializer(serializers.ModelSerializer):
    weekday = serializers.SerializerMethodField(help_text=_("星期（1=周一 … 7=周日）"))
    kind = serializers.ChoiceField(choices=DayKind.choices, read_only=True, help_text=_("日期类型"))
    is_makeup_workday = serializers.SerializerMethodField(help_text=_("是否调休上班日"))

    class Meta:
        model = CalendarDay
        fields = ["date", "weekday", "kind", "is_workday", "is_holiday", "is_makeup_workday", "holiday_name"]

    def get_weekday(self, obj: CalendarDay) -> int:
        return obj.date.isoweekday()

    def get_is_makeup_workday(self, obj: CalendarDay) -> bool:
        return obj.kind == DayKind.MAKEUP_WORKDAY
