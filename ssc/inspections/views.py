"""Inspection pages (监督检查, Art 5): the list, recording an inspection (regulators and the center), the case page,
the district's answer and the closing on the generic action page, and the download of an inspection's files.

Which rows a user sees is decided by ``Inspection.objects.restrict`` (404 outside the scope); which buttons show by
``INSPECTION.allowed_actions`` (role and ``in_action_scope``); the engine re-checks everything on submit.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import View

from ssc.accounts.choices import CITYWIDE_ROLES, DISTRICT_ROLES
from ssc.core.auth import authenticated_user
from ssc.core.errors import DomainError, NotAllowed
from ssc.core.forms import form_field
from ssc.registry.choices import OrganisationKind
from ssc.registry.models import Organisation, Outlet
from ssc.workflow.views import (
    ANY,
    CaseActionView,
    CaseFilterForm,
    ReaderRequiredMixin,
    add_domain_errors,
    date_inputs,
    list_ordering,
    mark_case_read,
)

from . import selectors, services
from .forms import RecordForm
from .models import Inspection, InspectionDocument, InspectionState
from .workflow import INSPECTION

PAGE_SIZE = 50
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Who reads inspections at all: the center, the regulators, the system administrator, the district agencies.
READER_ROLES = frozenset(CITYWIDE_ROLES | DISTRICT_ROLES)


class InspectionReaderMixin(ReaderRequiredMixin):
    roles = READER_ROLES


class InspectionFilterForm(CaseFilterForm):
    q = forms.CharField(
        label=_("关键字"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("检查范围、发现或要求")}),
    )
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=ANY + [(s.value, s.label) for s in InspectionState if s != InspectionState.NEW],
    )
    organisation = forms.TypedChoiceField(label=_("检查机构"), required=False, coerce=int, empty_value=None)
    district = forms.TypedChoiceField(label=_("区县"), required=False, coerce=int, empty_value=None)
    inspected_from = forms.DateField(label=_("检查日期自"), required=False, widget=DATE)
    inspected_to = forms.DateField(label=_("至"), required=False, widget=DATE)
    outlet = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        form_field(self, "organisation", forms.ChoiceField).choices = ANY + [
            (o.pk, o.name)
            for o in Organisation.objects.filter(
                kind__in=[OrganisationKind.HRSS, OrganisationKind.NFRA, OrganisationKind.CENTER]
            ).only("pk", "name")
        ]


SORTS: dict[str, tuple[str, ...]] = {
    "inspected": ("inspected_on",),
    "state": ("state",),
    "district": ("district__code",),
    "updated": ("updated_at",),
}
DEFAULT_SORT = "-inspected"


class InspectionListView(InspectionReaderMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = InspectionFilterForm(request.GET or None, user=request.user)
        params = form.params()
        sort, order = list_ordering(request.GET.get("sort"), SORTS, DEFAULT_SORT)
        qs = (
            selectors.inspections_for_list(request.user, params)
            .prefetch_related(Prefetch("outlets", queryset=Outlet.objects.only("pk", "name")))
            .order_by(*order)
        )
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "inspections/list.html",
            {
                "title": _("监督检查"),
                "form": form,
                "filtered": bool(params),
                "sort": sort,
                "page": page,
                "inspections": page.object_list,
                "can_record": services.may_record(request.user),
            },
        )


class InspectionRecordView(LoginRequiredMixin, View):
    """记录监督检查 — regulators and the center (Art 5). ``?outlet=<id>`` pre-fills an outlet (from its page)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not services.may_record(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form: RecordForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "inspections/record.html",
            {"title": _("记录监督检查"), "form": date_inputs(form), "t": INSPECTION.get("record")},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        initial: dict[str, Any] = {"inspected_on": timezone.localdate()}
        outlet_id = request.GET.get("outlet", "")
        if outlet_id.isdigit() and len(outlet_id) <= 18:
            outlet = Outlet.objects.restrict(request.user).filter(pk=int(outlet_id)).first()
            if outlet is not None:
                initial.update(outlets=outlet.code, district=outlet.district_id)
        return self.render_form(RecordForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = RecordForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form)
        try:
            case = services.record(actor=request.user, data=request.POST, files=request.FILES)
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except DomainError as exc:
            add_domain_errors(form, exc)
            return self.render_form(form, status=exc.status)
        # A request for action always names the district (``RecordForm.clean``).
        if case.state == InspectionState.ACTION_REQUESTED and case.district is not None:
            msg = _t("监督检查已记录，已转%(d)s社保卡管理机构处理。") % {"d": case.district.name}
        else:
            msg = _t("监督检查已记录。")
        messages.success(request, msg)
        return redirect("inspections:detail", pk=case.pk)


def _in_scope(request: HttpRequest, pk: int) -> Inspection:
    qs = (
        Inspection.objects.restrict(request.user)
        .exclude(state=InspectionState.NEW)
        .select_related("organisation", "district", "recorded_by", "responded_by")
    )
    return get_object_or_404(qs, pk=pk)


class InspectionDetailView(InspectionReaderMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _in_scope(request, pk)
        user = authenticated_user(request)
        mark_case_read(user, INSPECTION.name, case.pk)
        outlets = list(case.outlets.select_related("district", "bank").order_by("district__code", "code"))
        visible = Outlet.objects.restrict(user).filter(pk__in=[o.pk for o in outlets])
        visible_outlets = set(visible.values_list("pk", flat=True))
        return render(
            request,
            "inspections/detail.html",
            {
                "title": _t("监督检查 #%(n)d") % {"n": case.pk},
                "case": case,
                "outlets": [{"o": o, "linked": o.pk in visible_outlets} for o in outlets],
                "documents": list(case.attachments.select_related("uploaded_by").order_by("pk")),
            },
        )


class InspectionDocumentView(InspectionReaderMixin, View):
    """One file of an inspection, to those who see the inspection; every download audited."""

    def get(self, request: HttpRequest, pk: int, doc_id: int) -> FileResponse:
        case = _in_scope(request, pk)
        doc = get_object_or_404(InspectionDocument.objects.filter(inspection=case), pk=doc_id)
        try:
            handle = doc.file.open("rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404 from exc
        with transaction.atomic():
            services.record_download(document=doc, actor=request.user)
        response = FileResponse(handle, as_attachment=True, filename=doc.original_name, content_type=doc.content_type)
        response["Cache-Control"] = "private, no-store"
        return response


class InspectionActionView(CaseActionView):
    """反馈处理情况 (the district named) / 办结 (the recording organisation) on the generic action page."""

    workflow = INSPECTION
    model = Inspection
    template_name = "inspections/action.html"
    detail_url_name = "inspections:detail"
    list_url_name = "inspections:list"

    def perform(self, case_id: int, action: str, **kwargs: Any) -> Any:
        return services.perform(case_id, action, **kwargs)

    def get_case(self, request: HttpRequest, pk: int) -> Any:
        return _in_scope(request, pk)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("action") == "record":  # recording creates the case: see the "new" page
            raise Http404
        return super().dispatch(request, *args, **kwargs)


inspection_list = InspectionListView.as_view()
inspection_record = InspectionRecordView.as_view()
inspection_detail = InspectionDetailView.as_view()
inspection_document = InspectionDocumentView.as_view()
inspection_action = InspectionActionView.as_view()
