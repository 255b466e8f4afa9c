"""Ticket and problem report pages (Art 10): lists with filters and export, logging a ticket (hotline operators,
with an outlet search by name or pinyin), reporting a problem (outlet staff), the case pages, the audited
"show number" button, and the generic action page (``ssc.workflow.views.CaseActionView``) for every later action.

Which rows a user sees is decided by ``restrict`` (404 outside the scope); which buttons show by the workflow
tables; the engine re-checks everything on submit. The caller's contact is masked everywhere (``masking``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import View

from ssc.accounts.choices import DISTRICT_ROLES, Role
from ssc.core.auth import authenticated_user
from ssc.core.errors import DomainError, InvalidState, NotAllowed, NotFound
from ssc.registry.choices import OrganisationKind
from ssc.registry.models import Outlet
from ssc.registry.selectors import text_query
from ssc.workflow.templatetags.workflow import deadline_info
from ssc.workflow.views import (
    ANY,
    READER_ROLES,
    CaseActionView,
    CaseFilterForm,
    ReaderRequiredMixin,
    case_deadlines,
    case_documents,
    export_response,
    list_ordering,
    mark_case_read,
    reverse_or_empty,
)
from ssc.workflow.views import add_domain_errors as _add_domain_errors

from . import selectors, services
from .forms import TICKETABLE_STATUSES, LogForm, ReportForm
from .models import Channel, ProblemReport, ProblemReportState, Ticket, TicketCategory, TicketState
from .workflow import PROBLEM_REPORT, TICKET

PAGE_SIZE = 50
EXPORT_CHUNK = 2000
OUTLET_CANDIDATES = 20
# Problem reports are between an outlet and its district agency: hotlines have no business with them.
PROBLEM_REPORT_READER_ROLES = READER_ROLES - {Role.HOTLINE_OPERATOR}


def _date_input(field: forms.Field) -> forms.Field:
    field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return field


class _ScopeFilterForm(CaseFilterForm):
    """Filter fields every role's list shares; ``params()`` gives the valid ones to the selector."""

    # Outlet staff see one outlet: no district to choose either.
    district_hidden_for = DISTRICT_ROLES | {Role.OUTLET_STAFF}

    q = forms.CharField(
        label=_("关键字"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("网点名称、地址、编码或拼音首字母")}),
    )
    district = forms.TypedChoiceField(label=_("区县"), required=False, coerce=int, empty_value=None)
    bank = forms.TypedChoiceField(label=_("银行"), required=False, coerce=int, empty_value=None)
    outlet = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    awaiting = forms.BooleanField(label=_("只看待我处理"), required=False)

    def params(self) -> dict[str, Any]:
        """Valid filters only (``awaiting`` as ``"me"``): a bad value is reported beside its field and otherwise
        ignored."""
        self.is_valid()
        data = dict(getattr(self, "cleaned_data", {}))
        if data.get("awaiting"):
            data["awaiting"] = "me"
        return {k: v for k, v in data.items() if v not in (None, "", False) and k not in self.errors}


class TicketFilterForm(_ScopeFilterForm):
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=ANY + [(s.value, s.label) for s in TicketState if s != "new"]
    )
    channel = forms.ChoiceField(label=_("渠道"), required=False, choices=ANY + list(Channel.choices))
    category = forms.ChoiceField(label=_("类别"), required=False, choices=ANY + list(TicketCategory.choices))
    received_from = _date_input(forms.DateField(label=_("受理日期从"), required=False))
    received_to = _date_input(forms.DateField(label=_("至"), required=False))
    overdue = forms.BooleanField(label=_("只看超期未答复"), required=False)

    field_order = ["q", "state", "channel", "category", "district", "bank", "received_from", "received_to"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("结束日期不能早于开始日期。"))
        return data


class ProblemReportFilterForm(_ScopeFilterForm):
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=ANY + [(s.value, s.label) for s in ProblemReportState if s != "new"],
    )
    reported_from = _date_input(forms.DateField(label=_("报告日期从"), required=False))
    reported_to = _date_input(forms.DateField(label=_("至"), required=False))

    field_order = ["q", "state", "district", "bank", "reported_from", "reported_to"]


# --- tickets: list and export ------------------------------------------------------------------------------------

TICKET_SORTS: dict[str, tuple[str, ...]] = {
    "received": ("received_at",),
    "outlet": ("outlet__name_pinyin",),
    "district": ("outlet__district__code",),
    "state": ("state",),
    "due": ("response_due_on",),
    "updated": ("updated_at",),
}


def ticket_response(ticket: Ticket, today: Any = None) -> Any:
    """The response deadline as the deadline badge shows it: days left / overdue while open, met or late after."""
    answered = timezone.localdate(ticket.answered_at) if ticket.answered_at else None
    if ticket.state != TicketState.OPEN and answered is None:
        return deadline_info(None)
    return deadline_info(ticket.response_due_on, completed_on=answered, today=today)


def _tickets_filtered(request: HttpRequest) -> tuple[TicketFilterForm, dict[str, Any], str, Any]:
    form = TicketFilterForm(request.GET or None, user=request.user)
    params = form.params()
    sort, order = list_ordering(request.GET.get("sort"), TICKET_SORTS, "-received")
    return form, params, sort, selectors.tickets_for_list(request.user, params).order_by(*order)


class TicketListView(ReaderRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form, params, sort, qs = _tickets_filtered(request)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        today = timezone.localdate()
        rows = [{"t": t, "response": ticket_response(t, today)} for t in page.object_list]
        return render(
            request,
            "tickets/ticket_list.html",
            {
                "title": _("热线工单"),
                "form": form,
                "filtered": bool(params),
                "sort": sort,
                "page": page,
                "rows": rows,
                "can_log": authenticated_user(request).role == Role.HOTLINE_OPERATOR,
            },
        )


TICKET_EXPORT_COLUMNS = [
    (_("工单编号"), lambda t: t.pk),
    (_("受理时间"), lambda t: t.received_at),
    (_("渠道"), lambda t: t.get_channel_display()),
    (_("类别"), lambda t: t.get_category_display()),
    (_("网点编码"), lambda t: t.outlet.code),
    (_("网点名称"), lambda t: t.outlet.name),
    (_("区县"), lambda t: t.outlet.district.name),
    (_("银行"), lambda t: t.outlet.bank.name),
    (_("来电人"), lambda t: t.caller_name_masked),
    (_("联系电话（脱敏）"), lambda t: t.caller_contact_masked),
    (_("状态"), lambda t: t.get_state_display()),
    (_("答复期限"), lambda t: t.response_due_on),
    (_("答复时间"), lambda t: t.answered_at),
    (_("满意度"), lambda t: t.satisfaction),
    (_("办结时间"), lambda t: t.closed_at),
    (_("登记热线"), lambda t: t.hotline.name if t.hotline else ""),
    (_("来电内容"), lambda t: t.content),
    (_("答复内容"), lambda t: t.answer),
]


class TicketExportView(ReaderRequiredMixin, View):
    """Exactly what the list shows with the same filters and order; the caller's data masked."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        _form, params, _sort, qs = _tickets_filtered(request)
        return export_response(
            request,
            qs,
            TICKET_EXPORT_COLUMNS,
            params=params,
            action="ticket.export",
            object_type="tickets.ticket",
            object_repr=_t("热线工单清单"),
            filename=_t("热线工单_%(date)s") % {"date": timezone.localdate().strftime("%Y%m%d")},
            sheet_title=_t("热线工单"),
            article="10",
            chunk_size=EXPORT_CHUNK,
        )


# --- tickets: logging --------------------------------------------------------------------------------------------


def default_channel(user: Any) -> str:
    """The channel an operator most likely logs for: the hotline's own number, or the bank's hotline."""
    org = user.organisation
    text = f"{getattr(org, 'code', '')} {getattr(org, 'name', '')}"
    if "12345" in text:
        return Channel.HOTLINE_12345
    if "12333" in text:
        return Channel.HOTLINE_12333
    if getattr(org, "kind", "") == OrganisationKind.BANK_BRANCH:
        return Channel.BANK_HOTLINE
    return ""


class TicketCreateView(LoginRequiredMixin, View):
    """登记工单 — hotline operators only, against any outlet of the city (search by name, address, code or
    pinyin initials; "搜索网点" keeps what was typed)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and request.user.role != Role.HOTLINE_OPERATOR:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def candidates(self, q: str, selected: Any) -> list[Outlet]:
        qs = (
            Outlet.objects.restrict(self.request.user)
            .filter(status__in=TICKETABLE_STATUSES)
            .select_related("district", "bank")
        )
        out: list[Outlet] = []
        if selected not in (None, ""):
            try:
                out = list(qs.filter(pk=int(selected)))
            except (TypeError, ValueError):
                out = []
        if q:
            chosen = {o.pk for o in out}
            out += [
                o
                for o in qs.filter(text_query(q)).order_by("name_pinyin", "pk")[:OUTLET_CANDIDATES]
                if o.pk not in chosen
            ]
        return out

    def render_page(self, form: LogForm, q: str, selected: Any, status: int = 200) -> HttpResponse:
        candidates = self.candidates(q, selected)
        return render(
            self.request,
            "tickets/ticket_create.html",
            {
                "title": _("登记热线工单"),
                "form": form,
                "t": TICKET.get("log"),
                "q": q,
                "searched": bool(q),
                "candidates": candidates,
                "selected": str(selected or ""),
                "max_candidates": OUTLET_CANDIDATES,
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        selected = request.GET.get("outlet", "")
        q = (request.GET.get("q") or "").strip()[:100]
        form = LogForm(initial={"channel": default_channel(request.user), "outlet": selected})
        return self.render_page(form, q, selected)

    def post(self, request: HttpRequest) -> HttpResponse:
        q = (request.POST.get("outlet_q") or "").strip()[:100]
        selected = request.POST.get("outlet", "")
        if request.POST.get("do") == "search":
            # Keep what was typed, without judging a form the operator has not finished.
            initial = {name: request.POST.get(name, "") for name in LogForm.base_fields}
            return self.render_page(LogForm(initial=initial), q, selected)
        form = LogForm(request.POST)
        if not form.is_valid():
            return self.render_page(form, q, selected)
        try:
            ticket = services.ticket_log(actor=request.user, data=request.POST)
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except DomainError as exc:  # e.g. CalendarMissing (422): said beside the form, never a 500
            _add_domain_errors(form, exc)
            return self.render_page(form, q, selected, status=exc.status)
        messages.success(
            request,
            _t("已登记工单 #%(n)s，网点须于 %(d)s 前答复。")
            % {"n": ticket.pk, "d": ticket.response_due_on.isoformat() if ticket.response_due_on else "—"},
        )
        return redirect("tickets:ticket_detail", pk=ticket.pk)


# --- tickets: case page and "show number" ------------------------------------------------------------------------


def _ticket_in_scope(request: HttpRequest, pk: int) -> Ticket:
    qs = Ticket.objects.restrict(request.user).select_related(
        "outlet", "outlet__district", "outlet__bank", "outlet__sub_branch", "hotline", "logged_by"
    )
    return get_object_or_404(qs, pk=pk)


def ticket_page(request: HttpRequest, ticket: Ticket, revealed: dict[str, str] | None = None) -> HttpResponse:
    user = authenticated_user(request)
    deadlines = case_deadlines(TICKET.name, ticket.pk)
    mark_case_read(user, TICKET.name, ticket.pk)
    response = render(
        request,
        "tickets/ticket_detail.html",
        {
            "title": _t("热线工单 #%(n)s") % {"n": ticket.pk},
            "ticket": ticket,
            "outlet": ticket.outlet,
            "response": ticket_response(ticket),
            "open_deadlines": [x for x in deadlines if x["d"].completed_on is None],
            "deadlines": deadlines,
            "may_reveal": services.may_reveal_contact(ticket, user),
            "revealed": revealed,
            "outlet_url": reverse_or_empty("portal:outlet_detail", ticket.outlet_id),
            "others": list(
                Ticket.objects.restrict(user)
                .filter(outlet_id=ticket.outlet_id)
                .exclude(pk=ticket.pk)
                .order_by("-received_at", "-pk")[:10]
            ),
        },
    )
    if revealed is not None:
        response["Cache-Control"] = "private, no-store"
    return response


class TicketDetailView(ReaderRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return ticket_page(request, _ticket_in_scope(request, pk))


class TicketContactView(ReaderRequiredMixin, View):
    """显示号码 — POST (it writes an audit event): the case page again, with the caller's contact unmasked."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        ticket = _ticket_in_scope(request, pk)
        try:
            revealed = services.ticket_contact_reveal(ticket_id=ticket.pk, actor=request.user)
        except NotFound as exc:
            raise Http404 from exc
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except InvalidState as exc:
            messages.warning(request, str(exc.detail))
            return redirect("tickets:ticket_detail", pk=ticket.pk)
        return ticket_page(request, ticket, revealed)


class TicketActionView(CaseActionView):
    workflow = TICKET
    model = Ticket
    template_name = "tickets/case_action.html"
    detail_url_name = "tickets:ticket_detail"

    def perform(self, case_id: int, action: str, **kwargs: Any) -> Any:
        return services.perform_ticket(case_id, action, **kwargs)

    def get_case(self, request: HttpRequest, pk: int) -> Any:
        return _ticket_in_scope(request, pk)


# --- problem reports ---------------------------------------------------------------------------------------------


class ProblemReportReaderMixin(ReaderRequiredMixin):
    roles = PROBLEM_REPORT_READER_ROLES


PROBLEM_REPORT_SORTS: dict[str, tuple[str, ...]] = {
    "reported": ("reported_at",),
    "outlet": ("outlet__name_pinyin",),
    "district": ("outlet__district__code",),
    "state": ("state",),
    "replied": ("replied_at",),
}


class ProblemReportListView(ProblemReportReaderMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        user = authenticated_user(request)
        form = ProblemReportFilterForm(request.GET or None, user=user)
        params = form.params()
        sort, order = list_ordering(request.GET.get("sort"), PROBLEM_REPORT_SORTS, "-reported")
        qs = selectors.problem_reports_for_list(user, params).order_by(*order)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "tickets/problem_report_list.html",
            {
                "title": _("问题报告"),
                "form": form,
                "filtered": bool(params),
                "sort": sort,
                "page": page,
                "reports": page.object_list,
                "can_report": user.role == Role.OUTLET_STAFF and bool(user.outlet_id),
            },
        )


class ProblemReportCreateView(LoginRequiredMixin, View):
    """报告问题 — outlet staff, for their own outlet (Art 10)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and request.user.role != Role.OUTLET_STAFF:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form: ReportForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "tickets/problem_report_create.html",
            {
                "title": _("报告问题"),
                "form": form,
                "t": PROBLEM_REPORT.get("report"),
                "outlet": authenticated_user(self.request).outlet,
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(ReportForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ReportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(form)
        try:
            report = services.problem_report_create(actor=request.user, data=request.POST, files=request.FILES)
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except DomainError as exc:
            _add_domain_errors(form, exc)
            return self.render_page(form, status=exc.status)
        messages.success(request, _t("问题报告已提交区县社保卡管理机构。"))
        return redirect("tickets:problem_report_detail", pk=report.pk)


def _problem_report_in_scope(request: HttpRequest, pk: int) -> ProblemReport:
    qs = ProblemReport.objects.restrict(request.user).select_related(
        "outlet", "outlet__district", "outlet__bank", "reported_by"
    )
    return get_object_or_404(qs, pk=pk)


class ProblemReportDetailView(ProblemReportReaderMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = _problem_report_in_scope(request, pk)
        mark_case_read(request.user, PROBLEM_REPORT.name, report.pk)
        documents = case_documents(request.user, PROBLEM_REPORT.name, report.pk)
        return render(
            request,
            "tickets/problem_report_detail.html",
            {
                "title": report.title,
                "report": report,
                "outlet": report.outlet,
                "documents": documents,
                "outlet_url": reverse_or_empty("portal:outlet_detail", report.outlet_id),
            },
        )


class ProblemReportActionView(CaseActionView):
    workflow = PROBLEM_REPORT
    model = ProblemReport
    template_name = "tickets/case_action.html"
    detail_url_name = "tickets:problem_report_detail"

    def perform(self, case_id: int, action: str, **kwargs: Any) -> Any:
        return services.perform_problem_report(case_id, action, **kwargs)

    def get_case(self, request: HttpRequest, pk: int) -> Any:
        return _problem_report_in_scope(request, pk)
