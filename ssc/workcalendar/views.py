"""Staff pages of the working-day calendar: years, a year's month grids, entering a notice, adjusting a day,
and a deadline calculator. Thin: parse the form, call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ssc.core.errors import CalendarMissing, NotAllowed, ValidationFailed

from . import parsing, selectors, services, yeardata
from .choices import DAY_BADGE_COLOURS, DAY_MARKS, DayKind
from .forms import CalculatorForm, DaySetForm, YearEntryForm, add_service_errors
from .models import CalendarYear


def _legend() -> list[dict[str, Any]]:
    return [{"kind": k, "label": k.label, "mark": DAY_MARKS[k], "colour": DAY_BADGE_COLOURS[k]} for k in DayKind]


def _require_editor(request: HttpRequest) -> None:
    if not services.can_edit_calendar(request.user):
        raise PermissionDenied(_("只有市社保卡服务中心或系统管理员可以维护工作日历。"))


def _calculate(form: CalculatorForm) -> dict[str, Any] | None:
    """Run the calculator; a missing calendar or bad input becomes a form error, never a 500."""
    if not form.is_valid():
        return None
    start, amount, unit = (form.cleaned_data[k] for k in ("start", "amount", "unit"))
    try:
        if unit == "months":
            nominal = services.add_months(start, amount)
            due = services.next_workday(nominal)
        else:
            nominal = None
            due = services.add_workdays(start, amount)
    except CalendarMissing as exc:
        form.add_error(None, str(exc.detail))
        return None
    except ValidationFailed as exc:
        add_service_errors(form, exc)
        return None
    return {
        "start": start,
        "amount": amount,
        "unit": unit,
        "nominal": nominal,
        "moved": nominal is not None and nominal != due,
        "due": due,
        "due_weekday": selectors.WEEKDAY_NAMES[due.weekday()],
    }


@login_required
def calendar_index(request: HttpRequest) -> HttpResponse:
    """工作日历 — the covered years and the deadline calculator."""
    calculator = CalculatorForm(request.GET if "start" in request.GET else None)
    result = _calculate(calculator) if calculator.is_bound else None
    return render(
        request,
        "workcalendar/index.html",
        {
            "years": selectors.years_overview(),
            "calculator": calculator,
            "result": result,
            "can_edit": services.can_edit_calendar(request.user),
        },
    )


def _year_page(request: HttpRequest, year: int, day_form: DaySetForm | None = None, status: int = 200) -> HttpResponse:
    row = CalendarYear.objects.select_related("entered_by").filter(year=year).first()
    can_edit = services.can_edit_calendar(request.user)
    context: dict[str, Any] = {
        "year": year,
        "row": row,
        "can_edit": can_edit,
        "legend": _legend(),
        "weekday_headers": selectors.WEEKDAY_HEADERS,
        "previous_year": year - 1,
        "next_year": year + 1,
    }
    if row is None:
        context["missing_message"] = services.calendar_missing(year).detail
        return render(request, "workcalendar/year.html", context, status=404)
    days = selectors.year_days(year)
    context["grids"] = selectors.month_grids(days)
    context["summary"] = yeardata.summarise(days)
    if can_edit:
        context["day_form"] = day_form or DaySetForm(year=year)
    return render(request, "workcalendar/year.html", context, status=status)


@login_required
def calendar_year(request: HttpRequest, year: int) -> HttpResponse:
    """One year's month grids: working days, rest days, statutory holidays and make-up working days."""
    return _year_page(request, year)


@login_required
@require_POST
def calendar_day_set(request: HttpRequest, year: int) -> HttpResponse:
    """调整单日 (center roles)."""
    _require_editor(request)
    form = DaySetForm(request.POST, year=year)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.calendar_day_set(
                actor=request.user,
                day=data["date"],
                is_workday=data["kind"] == "workday",
                holiday_name=data["holiday_name"],
                reason=data["reason"],
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.detail)) from exc
        except CalendarMissing as exc:
            form.add_error("date", str(exc.detail))
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            kind = dict(DaySetForm.KIND_CHOICES)[data["kind"]]
            messages.success(request, _("已将%(day)s设为%(kind)s。") % {"day": data["date"].isoformat(), "kind": kind})
            return redirect("workcalendar:year", year=year)
    return _year_page(request, year, day_form=form, status=400)


def _initial_for(year: int) -> dict[str, Any]:
    """Pre-fill the entry form with a stored year's arrangement (re-entry after a correction)."""
    row = CalendarYear.objects.filter(year=year).first()
    if row is None:
        return {"year": year}
    summary = yeardata.summarise(selectors.year_days(year))
    return {
        "year": year,
        "notice": row.notice,
        "holidays": parsing.holiday_lines(summary["holidays"]),
        "makeup_workdays": parsing.makeup_lines(summary["makeup_workdays"]),
    }


@login_required
@require_http_methods(["GET", "POST"])
def calendar_enter(request: HttpRequest) -> HttpResponse:
    """录入年度工作日历 (center roles): fill in the notice → check the preview → confirm."""
    _require_editor(request)
    if request.method == "GET":
        initial: dict[str, Any] = {}
        year_param = request.GET.get("year", "")
        if year_param.isdigit():
            initial = _initial_for(int(year_param))
        return render(request, "workcalendar/enter.html", {"form": YearEntryForm(initial=initial)})

    form = YearEntryForm(request.POST)
    step = request.POST.get("step", "check")
    if not form.is_valid() or step == "edit":
        return render(request, "workcalendar/enter.html", {"form": form}, status=200 if step == "edit" else 400)
    year = form.cleaned_data["year"]
    existing = CalendarYear.objects.filter(year=year).first()
    if step != "confirm":
        return render(
            request,
            "workcalendar/enter_confirm.html",
            {
                "form": form,
                "year": year,
                "existing": existing,
                "grids": selectors.month_grids(form.preview_rows),
                "summary": yeardata.summarise(form.preview_rows),
                "legend": _legend(),
                "weekday_headers": selectors.WEEKDAY_HEADERS,
            },
        )
    try:
        services.calendar_year_enter(
            actor=request.user,
            year=year,
            holidays=form.cleaned_data["holidays"],
            makeup_workdays=form.cleaned_data["makeup_workdays"],
            notice=form.cleaned_data["notice"],
        )
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.detail)) from exc
    except ValidationFailed as exc:
        add_service_errors(form, exc)
        return render(request, "workcalendar/enter.html", {"form": form}, status=400)
    messages.success(request, _("%(year)s年工作日历已录入。") % {"year": year})
    return redirect("workcalendar:year", year=year)
