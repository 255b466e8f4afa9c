"""Rectification pages (整改, Art 8(3)): the list with its filters and export, issuing from an outlet's page, the
case page with the 3-month countdown, and the generic action page for the later steps.

Which rows a user sees is decided by ``Rectification.objects.restrict`` (404 outside the scope); which buttons show
by ``RECTIFICATION.allowed_actions``; the services and the engine re-check everything on submit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
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
from ssc.workflow.templatetags.workflow import deadline_info
from ssc.workflow.views import (
    ANY,
    CaseActionView,
    CaseFilterForm,
    ReaderRequiredMixin,
    add_domain_errors,
    case_deadlines,
    case_documents,
    date_inputs,
    export_response,
    list_ordering,
    mark_case_read,
)

from . import selectors, services
from .forms import IssueForm
from .models import OPEN_STATES, Rectification, RectificationSource, RectificationState
from .workflow import RECTIFICATION

PAGE_SIZE = 50
EXPORT_CHUNK = 2000


def may_issue(user: Any, outlet: Outlet) -> bool:
    """May ``user`` urge ``outlet`` to rectify now? A district officer of the outlet's district, while the outlet
    cooperates (the service decides for real)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.role == Role.DISTRICT_OFFICER
        and user.organisation is not None
        and user.organisation.district_id == outlet.district_id
        and outlet.status in services.RECTIFIABLE
    )


# --- list and export ---------------------------------------------------------------------------------------


class RectificationFilterForm(CaseFilterForm):
    """The list's filter bar; its valid values are the ``params`` of ``rectifications_for_list``."""

    q = forms.CharField(
        label=_("关键字"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("网点名称、地址、编码或拼音首字母")}),
    )
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=ANY + [(s.value, s.label) for s in RectificationState if s != RectificationState.NEW],
    )
    overdue = forms.TypedChoiceField(
        label=_("是否逾期"),
        required=False,
        choices=[*ANY, ("true", _("已逾期")), ("false", _("未逾期"))],
        coerce=lambda v: v == "true",
        empty_value=None,
    )
    source = forms.ChoiceField(label=_("来源"), required=False, choices=ANY + list(RectificationSource.choices))
    district = forms.TypedChoiceField(label=_("区县"), required=False, coerce=int, empty_value=None)
    bank = forms.TypedChoiceField(label=_("银行"), required=False, coerce=int, empty_value=None)
    # One outlet's rectifications (linked from the outlet page); scoping still applies.
    outlet = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)


SORTS: dict[str, tuple[str, ...]] = {
    "outlet": ("outlet__name_pinyin",),
    "district": ("outlet__district__code",),
    "state": ("state",),
    "issued": ("issued_on",),
    "due": ("due_on",),
    "updated": ("updated_at",),
}
DEFAULT_SORT = "-issued"


def _filtered(request: HttpRequest) -> tuple[RectificationFilterForm, dict[str, Any], str, Any]:
    form = RectificationFilterForm(request.GET or None, user=request.user)
    params = form.params()
    sort, order = list_ordering(request.GET.get("sort"), SORTS, DEFAULT_SORT)
    qs = selectors.rectifications_for_list(request.user, params).order_by(*order)
    return form, params, sort, qs


class RectificationListView(ReaderRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form, params, sort, qs = _filtered(request)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        today = timezone.localdate()
        rows = [{"r": r, "deadline": _deadline(r, today)} for r in page.object_list]
        outlet = None
        if params.get("outlet"):
            outlet = Outlet.objects.restrict(request.user).filter(pk=params["outlet"]).first()
        return render(
            request,
            "rectification/list.html",
            {
                "title": _("整改"),
                "form": form,
                "filtered": bool(params),
                "sort": sort,
                "page": page,
                "rows": rows,
                "outlet": outlet,
                "can_issue_here": outlet is not None and may_issue(request.user, outlet),
            },
        )


def _deadline(r: Rectification, today: Any) -> Any:
    if r.state == RectificationState.CLOSED:
        return deadline_info(r.due_on, completed_on=r.closed_on, today=today)
    return deadline_info(r.due_on, today=today)


EXPORT_COLUMNS = [
    (_("整改编号"), lambda r: r.pk),
    (_("网点编码"), lambda r: r.outlet.code),
    (_("网点名称"), lambda r: r.outlet.name),
    (_("银行"), lambda r: r.outlet.bank.name),
    (_("区县"), lambda r: r.outlet.district.name),
    (_("状态"), lambda r: r.get_state_display()),
    (_("来源"), lambda r: r.get_source_display()),
    (_("来源记录编号"), lambda r: r.source_ref),
    (_("整改事项"), lambda r: "；".join(r.items or [])),
    (_("通知日期"), lambda r: r.issued_on),
    (_("整改期限"), lambda r: r.due_on),
    (_("完成日期"), lambda r: r.closed_on),
    (_("下达人"), lambda r: str(r.issued_by)),
    (_("更新时间"), lambda r: r.updated_at),
]


class RectificationExportView(ReaderRequiredMixin, View):
    """Exactly what the list shows with the same filters and order, every page of it."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        _form, params, _sort, qs = _filtered(request)
        return export_response(
            request,
            qs,
            EXPORT_COLUMNS,
            params=params,
            action="rectification.export",
            object_type="rectification.rectification",
            object_repr=_t("整改清单"),
            filename=_t("整改_%(date)s") % {"date": timezone.localdate().strftime("%Y%m%d")},
            sheet_title=_t("整改"),
            chunk_size=EXPORT_CHUNK,
        )


# --- issuing -------------------------------------------------------------------------------------------------


class RectificationIssueView(LoginRequiredMixin, View):
    """下达整改通知 — from an outlet's page, by a district officer of its district (Art 8(3))."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.outlet = get_object_or_404(
            Outlet.objects.restrict(request.user).select_related("district", "bank"), pk=kwargs["outlet_id"]
        )
        if authenticated_user(request).role != Role.DISTRICT_OFFICER:
            raise PermissionDenied
        if self.outlet.status not in services.RECTIFIABLE:
            messages.warning(
                request,
                _t("网点当前状态为“%(s)s”，不能下达整改。") % {"s": self.outlet.get_status_display()},
            )
            return redirect("portal:outlet_detail", pk=self.outlet.pk)
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form: IssueForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "rectification/issue.html",
            {
                "title": _("下达整改通知"),
                "outlet": self.outlet,
                "form": date_inputs(form),
                "t": RECTIFICATION.get("issue"),
                "open_cases": list(
                    Rectification.objects.restrict(self.request.user)
                    .filter(outlet=self.outlet, state__in=[*OPEN_STATES, RectificationState.OVERDUE])
                    .order_by("-issued_on")
                ),
            },
            status=status,
        )

    def get(self, request: HttpRequest, outlet_id: int) -> HttpResponse:
        initial: dict[str, Any] = {"issued_on": timezone.localdate()}
        source = request.GET.get("source")
        if source in RectificationSource.values:
            initial["source"] = source
        if request.GET.get("source_ref"):
            initial["source_ref"] = request.GET["source_ref"][:60]
        return self.render_form(IssueForm(initial=initial))

    def post(self, request: HttpRequest, outlet_id: int) -> HttpResponse:
        form = IssueForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form)
        try:
            case = services.issue(actor=request.user, outlet_id=self.outlet.pk, data=request.POST, files=request.FILES)
        except NotFound as exc:
            raise Http404 from exc
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except DomainError as exc:  # 400 field errors, 409 state, 422 calendar missing: said beside the form
            add_domain_errors(form, exc)
            return self.render_form(form, status=exc.status)
        due_on = case.due_on
        assert due_on is not None  # ``on_issue`` sets it (three months from the notice)
        messages.success(
            request,
            _t("已向“%(o)s”下达整改通知，整改期限至 %(d)s。") % {"o": self.outlet.name, "d": due_on.isoformat()},
        )
        return redirect("rectification:detail", pk=case.pk)


# --- case page ---------------------------------------------------------------------------------------------


def _in_scope(request: HttpRequest, pk: int) -> Rectification:
    qs = Rectification.objects.restrict(request.user).select_related(
        "outlet", "outlet__bank", "outlet__district", "outlet__sub_branch", "issued_by", "issued_by__organisation"
    )
    return get_object_or_404(qs, pk=pk)


def _reverse_or_empty(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


class RectificationDetailView(ReaderRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _in_scope(request, pk)
        user = authenticated_user(request)
        today = timezone.localdate()
        deadlines = case_deadlines(RECTIFICATION.name, case.pk, today)
        documents = case_documents(user, RECTIFICATION.name, case.pk)
        mark_case_read(user, RECTIFICATION.name, case.pk)
        reports = case.facts.get("submit_report", [])
        latest = dict(reports[-1]) if reports else None
        if latest and latest.get("at"):
            try:
                latest["at"] = datetime.fromisoformat(latest["at"])
            except (TypeError, ValueError):
                latest["at"] = None
        return render(
            request,
            "rectification/detail.html",
            {
                "title": _t("%(o)s 整改") % {"o": case.outlet.name},
                "case": case,
                "outlet": case.outlet,
                "deadlines": deadlines,
                "open_deadlines": [x for x in deadlines if x["d"].completed_on is None],
                "countdown": _deadline(case, today),
                "documents": documents,
                "latest_report": latest,
                "rejections": case.facts.get("reject_report", []),
                "others": list(
                    Rectification.objects.restrict(user)
                    .filter(outlet=case.outlet)
                    .exclude(pk=case.pk)
                    .order_by("-issued_on", "-pk")
                ),
                "outlet_url": _reverse_or_empty("portal:outlet_detail", case.outlet_id),
                "art83": case.state == RectificationState.OVERDUE,
            },
        )


class RectificationActionView(CaseActionView):
    """提交整改报告 / 退回整改报告 / 核验通过 on one page each (the generic action page)."""

    workflow = RECTIFICATION
    model = Rectification
    template_name = "rectification/action.html"
    detail_url_name = "rectification:detail"
    list_url_name = "rectification:list"

    def perform(self, case_id: int, action: str, **kwargs: Any) -> Any:
        return services.perform(case_id, action, **kwargs)

    def get_case(self, request: HttpRequest, pk: int) -> Any:
        return _in_scope(request, pk)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("action") == "issue":  # issuing creates the case: it starts from the outlet's page
            raise Http404
        return super().dispatch(request, *args, **kwargs)


rectification_list = RectificationListView.as_view()
rectification_export = RectificationExportView.as_view()
rectification_issue = RectificationIssueView.as_view()
rectification_detail = RectificationDetailView.as_view()
rectification_action = RectificationActionView.as_view()
