"""Admission pages (Art 7): the list with export, the inbox (待办), a new application, the case page and one
generic action page that renders any transition's payload form and runs it through ``services.perform``.

Which rows a user sees is decided by ``Application.objects.restrict`` (404 outside the scope); which buttons
show is decided by ``ADMISSION.allowed_actions``; the engine re-checks everything on submit.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import View

from ssc.accounts.choices import Role
from ssc.agreements.models import Agreement
from ssc.core.auth import authenticated_user
from ssc.core.errors import DomainError, NotFound
from ssc.core.forms import form_field
from ssc.registry.choices import OrganisationKind
from ssc.registry.models import CardService, Outlet, SystemAccount
from ssc.workflow.definition import Transition, Workflow
from ssc.workflow.templatetags.workflow import deadline_info
from ssc.workflow.views import (  # noqa: F401 - READER_ROLES re-exported for other pages
    ANY,
    READER_ROLES,
    CaseFilterForm,
    ReaderRequiredMixin,
    case_deadlines,
    case_documents,
    export_response,
    list_ordering,
    mark_case_read,
    reverse_or_empty,
)
from ssc.workflow.views import CaseActionView as GenericCaseActionView
from ssc.workflow.views import add_domain_errors as _add_domain_errors

from . import selectors, services
from .models import Application, ApplicationState
from .workflow import ADMISSION

PAGE_SIZE = 50
EXPORT_CHUNK = 2000


# --- list and export ---------------------------------------------------------------------------------------


class ApplicationFilterForm(CaseFilterForm):
    """The application list's filter bar; its valid values are the ``params`` of ``applications_for_list``."""

    q = forms.CharField(
        label=_("关键字"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("网点名称、地址、编码或拼音首字母")}),
    )
    state = forms.ChoiceField(label=_("状态"), required=False, choices=ANY + list(ApplicationState.choices))
    district = forms.TypedChoiceField(label=_("区县"), required=False, coerce=int, empty_value=None)
    bank = forms.TypedChoiceField(label=_("银行"), required=False, coerce=int, empty_value=None)
    # One outlet's applications (linked from the outlet page); scoping still applies.
    outlet = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


SORTS: dict[str, tuple[str, ...]] = {
    "outlet": ("outlet__name_pinyin",),
    "district": ("outlet__district__code",),
    "bank": ("outlet__bank__sort_order",),
    "state": ("state",),
    "submitted": ("submitted_at",),
    "due": ("due_on",),
    "updated": ("updated_at",),
}
DEFAULT_SORT = "-updated"


def _filtered(request: HttpRequest) -> tuple[ApplicationFilterForm, dict[str, Any], str, Any]:
    form = ApplicationFilterForm(request.GET or None, user=request.user)
    params = form.params()
    sort, order = list_ordering(request.GET.get("sort"), SORTS, DEFAULT_SORT)
    qs = selectors.applications_for_list(request.user, params).select_related("outlet__sub_branch").order_by(*order)
    return form, params, sort, qs


class ApplicationListView(ReaderRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form, params, sort, qs = _filtered(request)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "admission/application_list.html",
            {
                "title": _("网点开设申请"),
                "form": form,
                "filtered": bool(params),
                "sort": sort,
                "page": page,
                "applications": page.object_list,
                "can_create": authenticated_user(request).role == Role.BANK_APPLICANT,
            },
        )


EXPORT_COLUMNS = [
    (_("申请编号"), lambda a: a.pk),
    (_("网点编码"), lambda a: a.outlet.code),
    (_("网点名称"), lambda a: a.outlet.name),
    (_("银行"), lambda a: a.outlet.bank.name),
    (_("所属一级支行"), lambda a: a.outlet.sub_branch.name),
    (_("区县"), lambda a: a.outlet.district.name),
    (_("状态"), lambda a: a.get_state_display()),
    (_("提交时间"), lambda a: a.submitted_at),
    (_("法定期限截止日"), lambda a: a.due_on),
    (_("备案编号"), lambda a: a.filing_number),
    (_("办结时间"), lambda a: a.completed_at),
    (_("创建时间"), lambda a: a.created_at),
    (_("更新时间"), lambda a: a.updated_at),
]


class ApplicationExportView(ReaderRequiredMixin, View):
    """Exactly what the list shows with the same filters and order, every page of it."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        _form, params, _sort, qs = _filtered(request)
        return export_response(
            request,
            qs,
            EXPORT_COLUMNS,
            params=params,
            action="application.export",
            object_type="admission.application",
            object_repr=_t("网点开设申请清单"),
            filename=_t("网点开设申请_%(date)s") % {"date": timezone.localdate().strftime("%Y%m%d")},
            sheet_title=_t("网点开设申请"),
            chunk_size=EXPORT_CHUNK,
        )


# --- inbox -------------------------------------------------------------------------------------------------


def _task_transitions(state: str, role: str) -> list[Transition]:
    return [t for t in ADMISSION.transitions_from(state) if role in t.roles and t.action not in selectors.NOT_AWAITING]


def task_label(state: str, role: str) -> str:
    """What the user must do on a case in ``state``, e.g. “记录现场核实／退回补正”."""
    return "／".join(str(t.label) for t in _task_transitions(state, role))


def inbox_rows(user: Any, limit: int | None = None) -> list[dict[str, Any]]:
    """The inbox of ``user`` as rows for a template (also used by the home page)."""
    qs = selectors.inbox(user)
    if limit is not None:
        qs = qs[:limit]
    today = timezone.localdate()
    return [
        {
            "application": a,
            "task": task_label(a.state, user.role),
            "deadline": deadline_info(a.due_on, today=today),
            "url": reverse("admission:application_detail", args=[a.pk]),
        }
        for a in qs
    ]


def inbox_counts(user: Any) -> list[dict[str, Any]]:
    """How many cases wait on ``user`` per kind of task."""
    counts: Counter[str] = Counter()
    for row in selectors.inbox(user).order_by().values("state").annotate(n=Count("pk")):
        counts[task_label(row["state"], user.role)] += row["n"]
    return [{"task": k, "count": v} for k, v in sorted(counts.items(), key=lambda kv: -kv[1])]


class InboxView(ReaderRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        rows = inbox_rows(request.user)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "admission/inbox.html",
            {
                "title": _("待办"),
                "rows": page.object_list,
                "page": page,
                "total": len(rows),
                "counts": inbox_counts(request.user),
                "overdue": sum(1 for r in rows if r["deadline"].kind == "overdue"),
                "due_today": sum(1 for r in rows if r["deadline"].kind == "today"),
            },
        )


# --- new application ---------------------------------------------------------------------------------------


def _open_outlet_ids() -> Any:
    return Application.objects.exclude(state__in=["active", "rejected", "withdrawn"]).values("outlet_id")


class OutletChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.code}，{obj.district.name}，{obj.get_status_display()}）"


class ExistingOutletForm(forms.Form):
    """为已登记的网点申请 — an outlet of the applicant's sub-branch that may apply (again)."""

    outlet = OutletChoiceField(label=_("网点"), queryset=Outlet.objects.none(), empty_label=_("请选择网点"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "outlet", forms.ModelChoiceField).queryset = (
            Outlet.objects.restrict(user)
            .filter(sub_branch_id=user.organisation_id, status__in=list(services.MAY_APPLY_FROM))
            .exclude(pk__in=_open_outlet_ids())
            .select_related("district")
            .order_by("name_pinyin", "pk")
        )


NEW_OUTLET_FIELDS = [
    "name",
    "code",
    "district",
    "address",
    "latitude",
    "longitude",
    "weekday_hours",
    "weekend_hours",
    "hours_note",
    "consultation_phone",
    "complaint_phone",
    "interconnection_mode",
]


class NewOutletForm(forms.ModelForm):
    """登记新网点并申请 — the outlet's data (Art 7(1)); Jinyu Net by default (Art 6(2))."""

    services = forms.ModelMultipleChoiceField(
        label=_("服务项目"),
        queryset=CardService.objects.filter(is_active=True),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("勾选“即时制卡”即表示网点提供即时制卡服务。"),
    )

    class Meta:
        model = Outlet
        fields = NEW_OUTLET_FIELDS
        widgets = {
            "latitude": forms.NumberInput(attrs={"step": "0.000001", "placeholder": "29.557300"}),
            "longitude": forms.NumberInput(attrs={"step": "0.000001", "placeholder": "106.577000"}),
            "weekday_hours": forms.TextInput(attrs={"placeholder": "09:00-17:00"}),
            "weekend_hours": forms.TextInput(attrs={"placeholder": "09:00-12:00"}),
            "consultation_phone": forms.TextInput(attrs={"placeholder": "023-63000001", "inputmode": "tel"}),
            "complaint_phone": forms.TextInput(attrs={"placeholder": "023-63000002", "inputmode": "tel"}),
        }
        help_texts = {"latitude": _("GCJ-02 坐标（高德地图拾取）"), "longitude": _("GCJ-02 坐标（高德地图拾取）")}

    def outlet_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in NEW_OUTLET_FIELDS if name in self.cleaned_data}

    def service_codes(self) -> list[str]:
        return [s.code for s in self.cleaned_data.get("services") or []]


class ApplicationCreateView(LoginRequiredMixin, View):
    """新建网点开设申请 — bank applicants of a first-level sub-branch only (Art 7(1))."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and request.user.role != Role.BANK_APPLICANT:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def _new_outlet_form(self, request: HttpRequest, data: Any = None) -> NewOutletForm:
        org = authenticated_user(request).organisation
        assert org is not None  # a bank applicant belongs to a sub-branch (User.clean)
        # A sub-branch always has its bank (constraint org_bank_units_have_bank); the stubs see a nullable id.
        instance = Outlet(bank_id=org.bank_id, sub_branch=org, status="applying")  # type: ignore[misc]
        initial = {"district": org.district_id} if org.kind == OrganisationKind.SUB_BRANCH else {}
        return NewOutletForm(data, instance=instance, initial=initial, prefix="new")

    def render_forms(
        self, request: HttpRequest, existing: ExistingOutletForm, new: NewOutletForm, mode: str, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "admission/application_create.html",
            {"title": _("新建网点开设申请"), "existing": existing, "new": new, "mode": mode},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_forms(
            request, ExistingOutletForm(user=request.user, prefix="existing"), self._new_outlet_form(request), ""
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        mode = "new" if request.POST.get("mode") == "new" else "existing"
        if mode == "existing":
            existing = ExistingOutletForm(request.POST, user=request.user, prefix="existing")
            new = self._new_outlet_form(request)
            form: forms.BaseForm = existing
            kwargs = {"outlet_id": existing.cleaned_data["outlet"].pk} if existing.is_valid() else None
        else:
            existing = ExistingOutletForm(user=request.user, prefix="existing")
            new = self._new_outlet_form(request, request.POST)
            form = new
            kwargs = {"outlet_data": new.outlet_data(), "services": new.service_codes()} if new.is_valid() else None
        if kwargs is None:
            return self.render_forms(request, existing, new, mode)
        try:
            app = services.application_create(actor=request.user, **kwargs)
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            _add_domain_errors(form, exc)
            return self.render_forms(request, existing, new, mode, status=exc.status)
        messages.success(
            request,
            _t("已创建“%(o)s”的开设申请（草稿）。请上传同意函并提交。") % {"o": app.outlet.name},
        )
        return redirect("admission:application_detail", pk=app.pk)


# --- case page ---------------------------------------------------------------------------------------------


def _application_in_scope(request: HttpRequest, pk: int) -> Application:
    qs = Application.objects.restrict(request.user).select_related(
        "outlet", "outlet__bank", "outlet__district", "outlet__sub_branch", "created_by", "consent_organisation"
    )
    return get_object_or_404(qs, pk=pk)


class ApplicationDetailView(ReaderRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        app = _application_in_scope(request, pk)
        user = authenticated_user(request)
        deadlines = case_deadlines(ADMISSION.name, app.pk)
        documents = case_documents(user, ADMISSION.name, app.pk)
        mark_case_read(user, ADMISSION.name, app.pk)
        return render(
            request,
            "admission/application_detail.html",
            {
                "title": app.outlet.name,
                "application": app,
                "outlet": app.outlet,
                "open_deadlines": [x for x in deadlines if x["d"].completed_on is None],
                "deadlines": deadlines,
                "documents": documents,
                "agreements": list(Agreement.objects.filter(application=app).select_related("agency")),
                "accounts": list(SystemAccount.objects.restrict(user).filter(outlet=app.outlet)),
                "others": list(
                    Application.objects.restrict(user).filter(outlet=app.outlet).exclude(pk=app.pk).order_by("-pk")
                ),
                "preparation": app.facts.get("preparation"),
                "outlet_services": list(app.outlet.services.all()),
                "can_see_outlet_page": reverse_or_empty("portal:outlet_detail", app.outlet_id),
            },
        )


# --- the action page ----------------------------------------------------------------------------------------


class CaseActionView(GenericCaseActionView):
    """Every admission action on one page (``ssc.workflow.views.CaseActionView`` with the admission table)."""

    workflow: Workflow = ADMISSION
    model: type = Application
    template_name = "admission/application_action.html"
    detail_url_name = "admission:application_detail"
    list_url_name = "admission:application_list"
    context_object_name = "application"

    def perform(self, case_id: int, action: str, **kwargs: Any) -> Any:
        return services.perform(case_id, action, **kwargs)


application_list = ApplicationListView.as_view()
application_export = ApplicationExportView.as_view()
inbox = InboxView.as_view()
application_create = ApplicationCreateView.as_view()
application_detail = ApplicationDetailView.as_view()
application_action = CaseActionView.as_view()
