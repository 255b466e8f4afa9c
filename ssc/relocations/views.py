"""Relocation pages: the list with export, reporting a move (outlet staff, the sub-branch's applicant), the case page
and the generic action page (``ssc.workflow.views.CaseActionView``) for ``assess`` and ``withdraw``.

Rows come from ``restrict`` (404 outside the scope); buttons from the ``RELOCATION`` table; the engine re-checks
everything on submit."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import View

from ssc.accounts.choices import Role
from ssc.core.auth import authenticated_user
from ssc.core.errors import DomainError, NotAllowed, NotFound
from ssc.registry.models import Outlet
from ssc.workflow.views import (
    ANY,
    READER_ROLES,
    CaseActionView,
    CaseFilterForm,
    ReaderRequiredMixin,
    case_documents,
    export_response,
    list_ordering,
    mark_case_read,
)
from ssc.workflow.views import add_domain_errors as _add_domain_errors

from . import selectors, services
from .forms import ReportForm
from .models import OPEN_STATES, Relocation, RelocationState
from .workflow import RELOCATION

RELOCATION_READER_ROLES = READER_ROLES - {Role.HOTLINE_OPERATOR}
PAGE_SIZE = 50
EXPORT_CHUNK = 2000


class RelocationReaderMixin(ReaderRequiredMixin):
    roles = RELOCATION_READER_ROLES


def amap(lat: float | None, lng: float | None, name: str) -> str:
    if lat is None or lng is None:
        return ""
    return f"https://uri.amap.com/marker?position={lng},{lat}&name={name}&coordinate=gaode&callnative=0"


# --- list and export -----------------------------------------------------------------------------------------


class RelocationFilterForm(CaseFilterForm):
    q = forms.CharField(
        label=_("关键字"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("网点名称、编码、拼音首字母或新地址")}),
    )
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=ANY + [c for c in RelocationState.choices if c[0] != "new"]
    )
    district = forms.TypedChoiceField(label=_("区县"), required=False, coerce=int, empty_value=None)
    bank = forms.TypedChoiceField(label=_("银行"), required=False, coerce=int, empty_value=None)
    outlet = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


SORTS: dict[str, tuple[str, ...]] = {
    "outlet": ("outlet__name_pinyin",),
    "district": ("outlet__district__code",),
    "state": ("state",),
    "reported": ("reported_at",),
    "planned": ("planned_move_on",),
    "assessed": ("assessed_on",),
}
DEFAULT_SORT = "-reported"


def _filtered(request: HttpRequest) -> tuple[RelocationFilterForm, dict[str, Any], str, QuerySet[Relocation]]:
    form = RelocationFilterForm(request.GET or None, user=request.user)
    params = form.params()
    sort, order = list_ordering(request.GET.get("sort"), SORTS, DEFAULT_SORT)
    return form, params, sort, selectors.relocations_for_list(request.user, params).order_by(*order)


class RelocationListView(RelocationReaderMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form, params, sort, qs = _filtered(request)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "relocations/relocation_list.html",
            {
                "title": _("网点迁址"),
                "form": form,
                "filtered": bool(params),
                "sort": sort,
                "page": page,
                "relocations": page.object_list,
                "can_report": authenticated_user(request).role in services.REPORTER_ROLES,
            },
        )


def export_columns() -> list[tuple[Any, Any]]:
    """The export's columns; state labels resolved once per export, not per cell."""
    states = {k: str(v) for k, v in RelocationState.choices}
    return [
        (_("编号"), lambda r: r.pk),
        (_("网点编码"), lambda r: r.outlet.code),
        (_("网点名称"), lambda r: r.outlet.name),
        (_("银行"), lambda r: r.outlet.bank.name),
        (_("区县"), lambda r: r.outlet.district.name),
        (_("原地址"), lambda r: r.old_address),
        (_("新地址"), lambda r: r.new_address),
        (_("计划迁址日期"), lambda r: r.planned_move_on),
        (_("状态"), lambda r: states.get(r.state, r.state)),
        (_("报告时间"), lambda r: r.reported_at),
        (_("评估日期"), lambda r: r.assessed_on),
        (_("评估意见"), lambda r: r.findings),
    ]


class RelocationExportView(RelocationReaderMixin, View):
    def get(self, request: HttpRequest) -> HttpResponseBase:
        _form, params, _sort, qs = _filtered(request)
        return export_response(
            request,
            qs,
            export_columns(),
            params=params,
            action="relocation.export",
            object_type="relocations.relocation",
            object_repr=_t("网点迁址清单"),
            filename=_t("网点迁址_%(date)s") % {"date": timezone.localdate().strftime("%Y%m%d")},
            sheet_title=_t("网点迁址"),
            chunk_size=EXPORT_CHUNK,
        )


# --- reporting a move ----------------------------------------------------------------------------------------


def _candidates(user: Any) -> QuerySet[Outlet]:
    return (
        Outlet.objects.restrict(user)
        .filter(status__in=list(services.RELOCATABLE))
        .exclude(pk__in=Relocation.objects.filter(state__in=OPEN_STATES).values("outlet_id"))
        .select_related("district")
        .order_by("name_pinyin", "pk")
    )


class RelocationReportView(ReaderRequiredMixin, View):
    """报告迁址 — outlet staff for their outlet; the sub-branch's applicant picks one of its outlets."""

    roles = services.REPORTER_ROLES

    def _outlet(self, request: HttpRequest) -> Outlet | None:
        user = authenticated_user(request)
        if user.role == Role.OUTLET_STAFF:
            raw: Any = user.outlet_id
        else:
            raw = request.POST.get("outlet") or request.GET.get("outlet")
        try:
            pk = int(raw) if raw else None
        except (TypeError, ValueError):
            pk = None
        if pk is None:
            return None
        return get_object_or_404(Outlet.objects.restrict(request.user).select_related("district"), pk=pk)

    def _form(self, outlet: Outlet, data: Any = None, files: Any = None) -> ReportForm:
        form = ReportForm(
            data, files, case=SimpleNamespace(outlet=outlet), initial={"new_district": outlet.district_id}
        )
        form.fields["planned_move_on"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        return form

    def _render(self, request: HttpRequest, outlet: Outlet | None, form: Any = None, status: int = 200) -> HttpResponse:
        return render(
            request,
            "relocations/relocation_report.html",
            {
                "title": _("报告网点迁址"),
                "outlet": outlet,
                "form": form,
                "candidates": _candidates(request.user) if outlet is None else [],
                "t": RELOCATION.get("report"),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        outlet = self._outlet(request)
        return self._render(request, outlet, self._form(outlet) if outlet is not None else None)

    def post(self, request: HttpRequest) -> HttpResponse:
        outlet = self._outlet(request)
        if outlet is None:
            return self._render(request, None)
        form = self._form(outlet, request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, outlet, form)
        try:
            case = services.relocation_report(
                actor=request.user, outlet_id=outlet.pk, data=request.POST, files=request.FILES
            )
        except NotFound as exc:
            raise Http404 from exc
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except DomainError as exc:
            _add_domain_errors(form, exc)
            return self._render(request, outlet, form, status=exc.status)
        messages.success(request, _t("已报告迁址，等待区县评估新址。"))
        return redirect("relocations:detail", pk=case.pk)


# --- case page and actions ------------------------------------------------------------------------------------


def _relocation_in_scope(request: HttpRequest, pk: int) -> Relocation:
    qs = Relocation.objects.restrict(request.user).select_related(
        "outlet__bank", "outlet__district", "outlet__sub_branch", "new_district", "reported_by", "assessed_by"
    )
    return get_object_or_404(qs.exclude(state=RelocationState.NEW), pk=pk)


def _reverse_or_empty(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


class RelocationDetailView(RelocationReaderMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _relocation_in_scope(request, pk)
        user = authenticated_user(request)
        documents = case_documents(user, RELOCATION.name, case.pk)
        mark_case_read(user, RELOCATION.name, case.pk)
        return render(
            request,
            "relocations/relocation_detail.html",
            {
                "title": case.outlet.name,
                "relocation": case,
                "outlet": case.outlet,
                "documents": documents,
                "old_map": amap(case.old_latitude, case.old_longitude, case.outlet.name),
                "new_map": amap(case.new_latitude, case.new_longitude, case.outlet.name),
                "outlet_url": _reverse_or_empty("portal:outlet_detail", case.outlet_id),
                "others": list(
                    Relocation.objects.restrict(user)
                    .filter(outlet=case.outlet)
                    .exclude(pk=case.pk)
                    .exclude(state=RelocationState.NEW)
                    .order_by("-pk")
                ),
            },
        )


class RelocationActionView(CaseActionView):
    workflow = RELOCATION
    model = Relocation
    template_name = "relocations/relocation_action.html"
    detail_url_name = "relocations:detail"

    def perform(self, case_id: int, action: str, **kwargs: Any) -> Any:
        return services.perform(case_id, action, **kwargs)

    def get_case(self, request: HttpRequest, pk: int) -> Any:
        return _relocation_in_scope(request, pk)


relocation_list = RelocationListView.as_view()
relocation_export = RelocationExportView.as_view()
relocation_report = RelocationReportView.as_view()
relocation_detail = RelocationDetailView.as_view()
relocation_action = RelocationActionView.as_view()
