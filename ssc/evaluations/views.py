"""Evaluation pages (Art 5): the list with filters and export, starting an evaluation, the case page, the scoring
form (every indicator with its maximum), the generic action page for the other steps, the center's indicator sets
(versions, a new version), the outlets flagged for two failing years, and issuing a rectification from a 差.

Which rows a user sees is decided by ``restrict`` (404 outside the scope); which buttons show by the workflow
table; the engine re-checks everything on submit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.forms import formset_factory
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import View

from ssc.accounts.choices import DISTRICT_ROLES, Role
from ssc.core.auth import authenticated_user
from ssc.core.errors import DomainError, NotFound, ValidationFailed
from ssc.core.scoping import ALL
from ssc.registry.models import Outlet
from ssc.workflow.views import (
    ANY,
    READER_ROLES,
    CaseActionView,
    CaseFilterForm,
    ReaderRequiredMixin,
    export_response,
    list_ordering,
    mark_case_read,
    reverse_or_empty,
)
from ssc.workflow.views import add_domain_errors as _add_domain_errors

from . import scoring, selectors, services
from .forms import clean_period_value, period_field
from .models import (
    DEFAULT_BANDS,
    AutoSource,
    Evaluation,
    EvaluationState,
    Grade,
    Indicator,
    IndicatorCategory,
    IndicatorSet,
    PeriodKind,
)
from .periods import recent_periods
from .workflow import EVALUATION

PAGE_SIZE = 50
EXPORT_CHUNK = 2000
# Hotlines log tickets; they have no business with the districts' evaluations.
EVALUATION_READER_ROLES = READER_ROLES - {Role.HOTLINE_OPERATOR}
CENTER_ROLES = frozenset({Role.CENTER_OFFICER, Role.CENTER_LEADER})
FLAGGED_READER_ROLES = frozenset({Role.CENTER_OFFICER, Role.CENTER_LEADER, Role.REGULATOR, *DISTRICT_ROLES})


class EvaluationReaderMixin(ReaderRequiredMixin):
    roles = EVALUATION_READER_ROLES


# --- list and export -------------------------------------------------------------------------------------------


class EvaluationFilterForm(CaseFilterForm):
    # Outlet staff see one outlet: no district to choose either.
    district_hidden_for = DISTRICT_ROLES | {Role.OUTLET_STAFF}

    q = forms.CharField(
        label=_("关键字"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("网点名称、地址、编码或拼音首字母")}),
    )
    period = forms.CharField(
        label=_("评价期"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"placeholder": "2026H1", "list": "period-suggestions", "size": 8}),
    )
    grade = forms.ChoiceField(label=_("等级"), required=False, choices=ANY + list(Grade.choices))
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=ANY + [c for c in EvaluationState.choices if c[0] != EvaluationState.NEW],
    )
    district = forms.TypedChoiceField(label=_("区县"), required=False, coerce=int, empty_value=None)
    bank = forms.TypedChoiceField(label=_("银行"), required=False, coerce=int, empty_value=None)
    outlet = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_period(self) -> str:
        value = self.cleaned_data.get("period") or ""
        return clean_period_value(value) if value.strip() else ""


SORTS: dict[str, tuple[str, ...]] = {
    "outlet": ("outlet__name_pinyin",),
    "district": ("outlet__district__code",),
    "period": ("period_end", "period_kind"),
    "state": ("state",),
    "total": ("total",),
    "complaints": ("complaint_count",),
    "updated": ("updated_at",),
}
DEFAULT_SORT = "-period"


def _filtered(request: HttpRequest) -> tuple[EvaluationFilterForm, dict[str, Any], str, Any]:
    form = EvaluationFilterForm(request.GET or None, user=request.user)
    params = form.params()
    sort, order = list_ordering(request.GET.get("sort"), SORTS, DEFAULT_SORT)
    return form, params, sort, selectors.evaluations_for_list(request.user, params).order_by(*order)


class EvaluationListView(EvaluationReaderMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form, params, sort, qs = _filtered(request)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        role = authenticated_user(request).role
        return render(
            request,
            "evaluations/evaluation_list.html",
            {
                "title": _("服务质量评价"),
                "form": form,
                "filtered": bool(params),
                "sort": sort,
                "page": page,
                "evaluations": page.object_list,
                "can_start": role == Role.DISTRICT_OFFICER,
                "can_see_flagged": role in FLAGGED_READER_ROLES,
                "periods": recent_periods(timezone.localdate()),
            },
        )


EXPORT_COLUMNS = [
    (_("评价编号"), lambda e: e.pk),
    (_("网点编码"), lambda e: e.outlet.code),
    (_("网点名称"), lambda e: e.outlet.name),
    (_("银行"), lambda e: e.outlet.bank.name),
    (_("区县"), lambda e: e.outlet.district.name),
    (_("评价期"), lambda e: e.period_label),
    (_("指标体系"), lambda e: str(e.indicator_set)),
    (_("状态"), lambda e: e.get_state_display()),
    (_("投诉件数"), lambda e: e.complaint_count),
    (_("总分"), lambda e: e.total),
    (_("等级"), lambda e: e.get_grade_display() if e.grade else ""),
    (_("评价人"), lambda e: str(e.evaluator)),
    (_("审定时间"), lambda e: e.finalised_at),
]


class EvaluationExportView(EvaluationReaderMixin, View):
    """Exactly what the list shows with the same filters and order, every page of it."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        _form, params, _sort, qs = _filtered(request)
        return export_response(
            request,
            qs,
            EXPORT_COLUMNS,
            params=params,
            action="evaluation.export",
            object_type="evaluations.evaluation",
            object_repr=_t("服务质量评价清单"),
            filename=_t("服务质量评价_%(date)s") % {"date": timezone.localdate().strftime("%Y%m%d")},
            sheet_title=_t("服务质量评价"),
            chunk_size=EXPORT_CHUNK,
        )


# --- start -----------------------------------------------------------------------------------------------------


class OutletChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.code}，{obj.bank.short_name or obj.bank.name}）"


class StartForm(forms.Form):
    """开始评价 — an outlet of the officer's district that cooperates, and the period."""

    outlet = OutletChoiceField(label=_("网点"), queryset=Outlet.objects.none(), empty_label=_("请选择网点"))
    period = period_field()
    note = forms.CharField(label=_("说明"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["outlet"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Outlet.objects.restrict(user)
            .filter(status__in=list(services.EVALUABLE))
            .select_related("bank")
            .order_by("name_pinyin", "pk")
        )

    def clean_period(self) -> str:
        return clean_period_value(self.cleaned_data["period"])


class EvaluationStartView(LoginRequiredMixin, View):
    """开始评价 — district officers only (Art 5: the district agency evaluates its outlets)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and request.user.role != Role.DISTRICT_OFFICER:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request: HttpRequest, form: StartForm, status: int = 200) -> HttpResponse:
        return render(
            request,
            "evaluations/evaluation_start.html",
            {"title": _("开始评价"), "form": form, "periods": recent_periods(timezone.localdate())},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        initial: dict[str, Any] = {}
        outlet = request.GET.get("outlet", "")
        if outlet.isdigit():
            initial["outlet"] = int(outlet)
        return self._render(request, StartForm(user=request.user, initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = StartForm(request.POST, user=request.user)
        if not form.is_valid():
            return self._render(request, form)
        try:
            case = services.evaluation_start(
                actor=request.user,
                outlet_id=form.cleaned_data["outlet"].pk,
                period=form.cleaned_data["period"],
                note=form.cleaned_data["note"],
            )
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            _add_domain_errors(form, exc)
            return self._render(request, form, status=exc.status)
        messages.success(
            request,
            _t("已开始%(o)s %(p)s的服务质量评价，投诉件数 %(n)d 件已自动统计。请逐项评分。")
            % {"o": case.outlet.name, "p": case.period_label, "n": case.complaint_count},
        )
        return redirect("evaluations:detail", pk=case.pk)


# --- case page -------------------------------------------------------------------------------------------------


def _evaluation_in_scope(request: HttpRequest, pk: int) -> Evaluation:
    qs = (
        Evaluation.objects.restrict(request.user)
        .select_related(
            "outlet",
            "outlet__bank",
            "outlet__district",
            "outlet__sub_branch",
            "indicator_set",
            "evaluator",
            "finalised_by",
        )
        .prefetch_related(Prefetch("indicator_set__indicators", queryset=Indicator.objects.order_by("sort_order")))
    )
    return get_object_or_404(qs, pk=pk)


def score_rows(evaluation: Evaluation, data: Any = None, errors: dict[str, str] | None = None) -> list[dict]:
    """One row per indicator for the case page and the scoring form: maximum, weight, score, note, errors."""
    scores, notes = evaluation.scores or {}, evaluation.notes or {}
    rows = []
    for ind in evaluation.indicator_set.indicators.all():
        value = scores.get(ind.code)
        note = notes.get(ind.code, "")
        if data is not None and not ind.is_auto:
            value = data.get(f"score.{ind.code}", value)
            note = data.get(f"note.{ind.code}", note)
        rows.append(
            {
                "indicator": ind,
                "score": value,
                "note": note,
                "error": (errors or {}).get(ind.code, ""),
                "lost": value is not None and value != "" and _lost(ind, value),
            }
        )
    return rows


def _lost(ind: Indicator, value: Any) -> bool:
    try:
        return Decimal(str(value)) < ind.max_points
    except ArithmeticError:
        return False


class EvaluationDetailView(EvaluationReaderMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        ev = _evaluation_in_scope(request, pk)
        user = authenticated_user(request)
        mark_case_read(user, EVALUATION.name, ev.pk)
        specs = ev.indicator_set.specs()
        provisional = scoring.provisional_total(specs, ev.scores or {})
        offers = selectors.offers_rectification(ev, user)
        two_years: list[int] = []
        if ev.period_kind == PeriodKind.YEAR and ev.is_failing:
            near = selectors.failing_neighbour_years(ev.outlet_id, ev.year)
            two_years = sorted({*near, ev.year}) if near else []
        return render(
            request,
            "evaluations/evaluation_detail.html",
            {
                "title": f"{ev.outlet.name} {ev.period_label}",
                "evaluation": ev,
                "outlet": ev.outlet,
                "rows": score_rows(ev),
                "weighted": any(i.weight != 1 for i in ev.indicator_set.indicators.all()),
                "provisional": provisional,
                "provisional_grade": scoring.grade_for(provisional, ev.indicator_set.bands())
                if provisional is not None
                else "",
                "scored": len(specs) - len(scoring.missing(specs, ev.scores or {})),
                "indicator_count": len(specs),
                "offers_rectification": offers,
                "rectification_url": rectification_issue_url(ev) if offers else "",
                "suggested_items": services.suggested_rectification_items(ev) if offers else [],
                "rectifications": [
                    {"r": r, "url": reverse_or_empty("rectification:detail", r.pk)}
                    for r in (selectors.rectifications_from(ev) if ev.is_failing else [])
                ],
                "two_failing_years": two_years,
                "others": list(
                    Evaluation.objects.restrict(user).filter(outlet=ev.outlet).exclude(pk=ev.pk).order_by("-period_end")
                ),
                "outlet_url": reverse_or_empty("portal:outlet_detail", ev.outlet_id),
                "can_see_flagged": user.role in FLAGGED_READER_ROLES,
            },
        )


# --- actions ---------------------------------------------------------------------------------------------------


class EvaluationActionView(CaseActionView):
    """Every evaluation step through the generic action page; ``score`` renders the indicator table, ``finalise``
    shows the total and grade it will record."""

    workflow = EVALUATION
    model = Evaluation
    template_name = "evaluations/evaluation_action.html"
    detail_url_name = "evaluations:detail"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and request.user.role not in EVALUATION_READER_ROLES:
            raise PermissionDenied  # as on the case page: these roles have no business with evaluations
        return super().dispatch(request, *args, **kwargs)

    def perform(self, case_id: int, action: str, **kwargs: Any) -> Any:
        return services.perform(case_id, action, **kwargs)

    def get_case(self, request: HttpRequest, pk: int) -> Any:
        return _evaluation_in_scope(request, pk)

    def render_form(
        self, form: Any, *, status: int = 200, confirm_error: str = "", version: int | None = None
    ) -> HttpResponse:
        ev = self.case
        context: dict[str, Any] = {
            "title": self.t.label,
            "case": ev,
            "evaluation": ev,
            "t": self.t,
            "form": form,
            "version": ev.version if version is None else version,
            "confirm_error": confirm_error,
            "cancel_url": reverse(self.detail_url_name, args=[ev.pk]),
        }
        if self.t.action == "score":
            bound = form is not None and form.is_bound
            context["rows"] = score_rows(
                ev, form.data if bound else None, getattr(form, "score_errors", None) if bound else None
            )
        if self.t.action in ("finalise", "submit"):
            specs = ev.indicator_set.specs()
            total = scoring.provisional_total(specs, ev.scores or {})
            context["preview_total"] = total
            context["preview_grade"] = scoring.grade_for(total, ev.indicator_set.bands()) if total is not None else ""
            context["rows"] = score_rows(ev)
        return render(self.request, self.template_name, context, status=status)


# --- a failing grade offers a rectification ----------------------------------------------------------------------


def rectification_issue_url(evaluation: Evaluation) -> str:
    """The rectification app's issue form for the outlet, with the evaluation as the source (Art 8(3))."""
    base = reverse_or_empty("rectification:issue", evaluation.outlet_id)
    return f"{base}?{urlencode({'source': 'evaluation', 'source_ref': str(evaluation.pk)})}" if base else ""


# --- flagged outlets -------------------------------------------------------------------------------------------


class FlaggedOutletsView(ReaderRequiredMixin, View):
    """连续两年评为“差”的网点 — for the center (and the regulators; a district sees its own)."""

    roles = FLAGGED_READER_ROLES

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = selectors.outlets_flagged_two_failing_years(request.user)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        outlets = list(page.object_list)
        years = selectors.failing_years_by_outlet([o.pk for o in outlets])
        return render(
            request,
            "evaluations/flagged.html",
            {
                "title": _("连续两年评为“差”的网点"),
                "page": page,
                "rows": [{"outlet": o, "years": years.get(o.pk, [])} for o in outlets],
            },
        )


# --- indicator sets --------------------------------------------------------------------------------------------


class IndicatorSetListView(EvaluationReaderMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        used = Evaluation.objects.filter(indicator_set_id=OuterRef("pk"))
        sets = list(
            selectors.indicator_sets_for_list(request.user)
            .annotate(used=Exists(used))
            .order_by("period_kind", "-version")
        )
        return render(
            request,
            "evaluations/indicator_set_list.html",
            {
                "title": _("评价指标体系"),
                "sets": sets,
                "can_create": IndicatorSet.scope_filter(request.user, "create") is ALL,
            },
        )


class IndicatorSetDetailView(EvaluationReaderMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        s = get_object_or_404(selectors.indicator_sets_for_list(request.user), pk=pk)
        indicators = list(s.indicators.all())
        return render(
            request,
            "evaluations/indicator_set_detail.html",
            {
                "title": str(s),
                "set": s,
                "indicators": indicators,
                "bands": s.grade_bands,
                "max_total": sum((i.max_points for i in indicators), Decimal(0)),
                "used_count": s.evaluations.count(),
                "can_create": IndicatorSet.scope_filter(request.user, "create") is ALL,
            },
        )


class IndicatorSetForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    period_kind = forms.ChoiceField(label=_("评价周期"), choices=PeriodKind.choices)
    excellent = forms.DecimalField(label=_("优（不低于）"), max_digits=4, decimal_places=1, min_value=0, max_value=100)
    good = forms.DecimalField(label=_("良（不低于）"), max_digits=4, decimal_places=1, min_value=0, max_value=100)
    fair = forms.DecimalField(label=_("中（不低于）"), max_digits=4, decimal_places=1, min_value=0, max_value=100)
    note = forms.CharField(
        label=_("版本说明"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    activate = forms.BooleanField(label=_("创建后立即启用（新开始的评价使用此版本）"), required=False, initial=True)

    def bands(self) -> list[dict[str, Any]]:
        d = self.cleaned_data
        return [
            {"grade": "excellent", "min": d["excellent"]},
            {"grade": "good", "min": d["good"]},
            {"grade": "fair", "min": d["fair"]},
            {"grade": "poor", "min": 0},
        ]


class IndicatorRowForm(forms.Form):
    code = forms.CharField(label=_("代码"), max_length=40, required=False)
    label = forms.CharField(label=_("指标名称"), max_length=100, required=False)
    category = forms.ChoiceField(label=_("类别"), choices=IndicatorCategory.choices, required=False)
    max_points = forms.CharField(label=_("满分"), max_length=8, required=False)
    weight = forms.CharField(label=_("权重"), max_length=8, required=False)
    auto_source = forms.ChoiceField(
        label=_("自动计分"), choices=[("", _("否（人工评分）")), *AutoSource.choices], required=False
    )
    deduction = forms.CharField(label=_("每件扣分"), max_length=8, required=False)
    description = forms.CharField(label=_("评分标准"), max_length=500, required=False)

    def is_blank(self) -> bool:
        d = getattr(self, "cleaned_data", {}) or {}
        return not any(d.get(k) for k in ("code", "label", "max_points"))


IndicatorFormSet = formset_factory(IndicatorRowForm, extra=3, max_num=50, absolute_max=60)


class IndicatorSetCreateView(LoginRequiredMixin, View):
    """新建指标体系版本 — the center only; pre-filled from an existing version (``?from=<id>``)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and IndicatorSet.scope_filter(request.user, "create") is not ALL:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def _render(self, form: IndicatorSetForm, formset: Any, status: int = 200, errors: Any = None) -> HttpResponse:
        return render(
            self.request,
            "evaluations/indicator_set_create.html",
            {"title": _("新建指标体系版本"), "form": form, "formset": formset, "row_errors": errors or []},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        base_id = request.GET.get("from", "")
        base = IndicatorSet.objects.filter(pk=int(base_id)).first() if base_id.isdigit() else None
        if base is None:
            base = IndicatorSet.objects.active(PeriodKind.YEAR) or IndicatorSet.objects.order_by("-pk").first()
        bands = {b["grade"]: b["min"] for b in (base.grade_bands if base else DEFAULT_BANDS)}
        initial = {
            "name": base.name if base else "",
            "period_kind": base.period_kind if base else PeriodKind.YEAR,
            "excellent": bands.get("excellent"),
            "good": bands.get("good"),
            "fair": bands.get("fair"),
            "activate": True,
        }
        rows = [
            {
                "code": i.code,
                "label": i.label,
                "category": i.category,
                "max_points": scoring.plain(i.max_points),
                "weight": scoring.plain(i.weight),
                "auto_source": i.auto_source,
                "deduction": scoring.plain(i.deduction) if i.auto_source else "",
                "description": i.description,
            }
            for i in (base.indicators.all() if base else [])
        ]
        return self._render(IndicatorSetForm(initial=initial), IndicatorFormSet(initial=rows, prefix="ind"))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = IndicatorSetForm(request.POST)
        formset = IndicatorFormSet(request.POST, prefix="ind")
        if not (form.is_valid() and formset.is_valid()):
            return self._render(form, formset)
        rows = [f.cleaned_data for f in formset.forms if not f.is_blank()]
        try:
            s = services.indicator_set_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                period_kind=form.cleaned_data["period_kind"],
                grade_bands=form.bands(),
                indicators=rows,
                note=form.cleaned_data["note"],
                activate=form.cleaned_data["activate"],
            )
        except ValidationFailed as exc:
            errors = dict(exc.errors)
            row_errors = errors.pop("indicators", [])
            for msg in errors.pop("grade_bands", []):
                form.add_error("excellent", msg)
            if errors:
                _add_domain_errors(form, ValidationFailed(errors=errors))
            if row_errors and not form.errors:
                form.add_error(None, _t("指标填写有误，请按提示修改。"))
            return self._render(form, formset, status=400, errors=row_errors)
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
            return self._render(form, formset, status=exc.status)
        messages.success(request, _t("已创建%(n)s 第 %(v)d 版。") % {"n": s.name, "v": s.version})
        return redirect("evaluations:indicator_set_detail", pk=s.pk)


evaluation_list = EvaluationListView.as_view()
evaluation_export = EvaluationExportView.as_view()
evaluation_start = EvaluationStartView.as_view()
evaluation_detail = EvaluationDetailView.as_view()
evaluation_action = EvaluationActionView.as_view()
flagged = FlaggedOutletsView.as_view()
indicator_set_list = IndicatorSetListView.as_view()
indicator_set_detail = IndicatorSetDetailView.as_view()
indicator_set_create = IndicatorSetCreateView.as_view()
