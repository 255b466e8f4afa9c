"""Forms of the calendar pages: enter a year's notice, adjust one day, compute a deadline."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ssc.core.errors import ValidationFailed

from . import parsing, yeardata
from .api.serializers import MAX_WORKDAYS
from .choices import MAX_YEAR, MIN_YEAR
from .services import MAX_MONTHS, NOTICE_MAX, REASON_MAX

HOLIDAYS_HELP = _(
    "每行一项：开始日期~结束日期 节日名称，如“2027-01-01~2027-01-03 元旦”；只放一天的写“2027-01-01 元旦”。"
)
MAKEUP_HELP = _("每行一个调休上班的周六或周日，可在日期后注明节日，如“2027-02-07 春节”。")


class YearEntryForm(forms.Form):
    """录入年度工作日历 — the State Council's holiday notice for one year."""

    year = forms.IntegerField(label=_("年度"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    notice = forms.CharField(
        label=_("国务院节假日安排通知"),
        max_length=NOTICE_MAX,
        help_text=_("通知名称或文号，如“国办发明电〔2024〕12号”。"),
    )
    holidays = forms.CharField(
        label=_("放假安排"), widget=forms.Textarea(attrs={"rows": 9, "cols": 48}), help_text=HOLIDAYS_HELP
    )
    makeup_workdays = forms.CharField(
        label=_("调休上班日"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 48}),
        help_text=MAKEUP_HELP,
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.preview_rows: list[yeardata.DayRow] = []

    def clean_holidays(self) -> list[yeardata.HolidayRange]:
        try:
            return parsing.parse_holiday_lines(self.cleaned_data["holidays"])
        except parsing.LineErrors as exc:
            raise forms.ValidationError(exc.messages) from exc

    def clean_makeup_workdays(self) -> list[tuple[Any, str]]:
        try:
            return parsing.parse_makeup_lines(self.cleaned_data.get("makeup_workdays", ""))
        except parsing.LineErrors as exc:
            raise forms.ValidationError(exc.messages) from exc

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        if not data["holidays"]:
            self.add_error("holidays", _("请至少填写一项放假安排。"))
            return data
        try:
            self.preview_rows, _ranges, _makeups = yeardata.compose_year(
                data["year"], data["holidays"], data["makeup_workdays"]
            )
        except ValidationFailed as exc:
            add_service_errors(self, exc)
        return data


class DaySetForm(forms.Form):
    """调整单日 — one day's kind, with the reason (e.g. the notice for a cross-year holiday)."""

    KIND_CHOICES = [
        ("workday", _("工作日（含调休上班日）")),
        ("rest", _("休息日")),
        ("holiday", _("法定节假日")),
    ]
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("设为"), choices=KIND_CHOICES)
    holiday_name = forms.CharField(
        label=_("节日名称"),
        required=False,
        max_length=yeardata.HOLIDAY_NAME_MAX,
        help_text=_("法定节假日必填；调休上班日可填所调节日。"),
    )
    reason = forms.CharField(label=_("调整依据"), max_length=REASON_MAX, help_text=_("如通知文号。"))

    def __init__(self, *args: Any, year: int | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.year = year

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        day = data.get("date")
        if day is not None and self.year is not None and day.year != self.year:
            self.add_error("date", _("日期必须在%(year)s年内。") % {"year": self.year})
        if data.get("kind") == "holiday" and not data.get("holiday_name", "").strip():
            self.add_error("holiday_name", _("法定节假日请填写节日名称。"))
        if data.get("kind") == "rest":
            data["holiday_name"] = ""
        return data


class CalculatorForm(forms.Form):
    """期限计算器 — N working days, or N months, after a date."""

    UNIT_CHOICES = [("workdays", _("个工作日")), ("months", _("个月"))]
    start = forms.DateField(label=_("起算日"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.IntegerField(label=_("期限"), min_value=1, max_value=MAX_WORKDAYS)
    unit = forms.ChoiceField(label=_("单位"), choices=UNIT_CHOICES, initial="workdays")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("unit") == "months" and (data.get("amount") or 0) > MAX_MONTHS:
            self.add_error("amount", _("不能大于%(max)s个月。") % {"max": MAX_MONTHS})
        return data


def add_service_errors(form: forms.Form, exc: ValidationFailed) -> None:
    """Put a service's ``ValidationFailed`` messages next to the matching fields (others on the form)."""
    for field, messages in (exc.errors or {"__all__": [exc.detail]}).items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, str(message))
