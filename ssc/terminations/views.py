"""Termination pages (解除合作 / 退出, Art 8, 9): the list with its filters and export, initiating from an outlet's
page (all eight grounds, the unavailable ones disabled with the reason), the case page with the center's
5-working-day countdown, and the action pages (close_accounts with the outlet's open system accounts to tick).

Which rows a user sees is decided by ``Termination.objects.restrict`` (404 outside the scope); which buttons show
by ``TERMINATION.allowed_actions``; the services and the engine re-check everything on submit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import View

from ssc.accounts.choices import BANK_ROLES, DISTRICT_ROLES, Role
from ssc.audit import services as audit
from ssc.core.auth import authenticated_user
from ssc.core.errors import DomainError, NotAllowed, NotFound
from ssc.core.exports import csv_response, xlsx_response
from ssc.core.forms import form_field
from ssc.deadlines import services as deadline_services
from ssc.documents.models import Document
from ssc.notifications.models import Notification
from ssc.portal.permissions import OUTLET_READER_ROLES
from ssc.registry.models import Bank, District, Outlet, SystemAccount
from ssc.workflow.templatetags.workflow import deadline_info
from ssc.workflow.views import CaseActionView, ReaderRequiredMixin, add_domain_errors, date_inputs

from . import selectors, services
from .forms import InitiateForm
from .models import Ground, Termination, TerminationState
from .workflow import CENTER_CLOSE_ACCOUNTS, INITIATOR_ROLES, TERMINATION, ground_evidence

# Hotline operators log tickets against outlets; ending a cooperation is none of their business.
TERMINATION_READER_ROLES = OUTLET_READER_ROLES - {Role.HOTLINE_OPERATOR}

PAGE_SIZE = 50
EXPORT_CHUNK = 2000
ANY = [("", _("全部"))]


class TerminationReaderMixin(ReaderRequiredMixin):
    roles = TERMINATION_READER_ROLES


def may_initiate(user: Any, outlet: Outlet, open_case: Termination | None = None) -> bool:
    """Show "发起退出" to ``user`` on ``outlet``'s page? A role that may initiate on some ground, acting inside its
    scope (the district of the outlet, the outlet's bank), while the outlet cooperates and no termination is open.
    Which grounds are available is the initiate page's business (``available_grounds``)."""
    if not getattr(user, "is_authenticated", False) or user.role not in INITIATOR_ROLES:
        return False
    if open_case is not None or outlet.status not in selectors.TERMINABLE:
        return False
    org = user.organisation
    if org is None:
        return False
    if user.role == Role.DISTRICT_OFFICER:
        return bool(org.district_id == outlet.district_id)
    if user.role == Role.BANK_HEAD_OFFICE:
        return bool(org.bank_id == outlet.bank_id)
    if user.role == Role.BANK_APPLICANT:
        return bool(org.pk == outlet.sub_branch_id)
    return False


# --- list and export ---------------------------------------------------------------------------------------


def _date_input(field: forms.Field) -> forms.Field:
    field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return field


class TerminationFilterForm(forms.Form):
    """The list's filter bar."""

    q = forms.CharField(
        label=_("关键字"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("网点名称、地址、编码或拼音首字母")}),
    )
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=ANY + [(s.value, s.label) for s in TerminationState if s != TerminationState.NEW],
    )
    ground = forms.ChoiceField(label=_("解除情形"), required=False, choices=ANY + list(Ground.choices))
    district = forms.TypedChoiceField(label=_("区县"), required=False, coerce=int, empty_value=None)
    bank = forms.TypedChoiceField(label=_("银行"), required=False, coerce=int, empty_value=None)
    initiated_from = _date_input(forms.DateField(label=_("发起日期从"), required=False))
    initiated_to = _date_input(forms.DateField(label=_("至"), required=False))
    # One outlet's terminations (linked from the outlet page); scoping still applies.
    outlet = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A district sees one district and a bank one bank: those filters would offer a single choice.
        if user.role in DISTRICT_ROLES:
            del self.fields["district"]
        else:
            form_field(self, "district", forms.ChoiceField).choices = ANY + [
                (d.pk, d.name) for d in District.objects.only("pk", "name")
            ]
        if user.role in BANK_ROLES:
            del self.fields["bank"]
        else:
            form_field(self, "bank", forms.ChoiceField).choices = ANY + [
                (b.pk, b.short_name or b.name) for b in Bank.objects.all()
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("initiated_from"), data.get("initiated_to")
        if start and end and start > end:
            self.add_error("initiated_to", _("结束日期不能早于开始日期。"))
        return data

    def params(self) -> dict[str, Any]:
        """Valid filters only: a bad value is reported beside its field and otherwise ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v not in (None, "") and k not in self.errors}


def terminations_for_list(user: Any, params: dict[str, Any]) -> QuerySet[Termination]:
    """``selectors.terminations_for_list`` (scope, state, ground, district, bank, outlet, text) plus the filter
    bar's date range on the initiation date."""
    qs = selectors.terminations_for_list(user, params).exclude(state=TerminationState.NEW)
    if params.get("initiated_from"):
        qs = qs.filter(initiated_on__gte=params["initiated_from"])
    if params.get("initiated_to"):
        qs = qs.filter(initiated_on__lte=params["initiated_to"])
    return qs


SORTS: dict[str, tuple[str, ...]] = {
    "outlet": ("outlet__name_pinyin",),
    "district": ("outlet__district__code",),
    "ground": ("ground",),
    "state": ("state",),
    "initiated": ("initiated_on",),
    "filed": ("filed_on",),
    "updated": ("updated_at",),
}
DEFAULT_SORT = "-initiated"


def _ordering(sort: str | None) -> tuple[str, list[Any]]:
    key = (sort or "").lstrip("-")
    if key not in SORTS:
        sort, key = DEFAULT_SORT, DEFAULT_SORT.lstrip("-")
    desc = bool(sort and sort.startswith("-"))
    fields: list[Any] = [(F(f).desc(nulls_last=True) if desc else F(f).asc(nulls_last=True)) for f in SORTS[key]]
    fields.append("-pk" if desc else "pk")
    return sort or DEFAULT_SORT, fields


def _filtered(request: HttpRequest) -> tuple[TerminationFilterForm, dict[str, Any], str, Any]:
    form = TerminationFilterForm(request.GET or None, user=request.user)
    params = form.params()
    sort, order = _ordering(request.GET.get("sort"))
    return form, params, sort, terminations_for_list(request.user, params).order_by(*order)


def _center_deadlines(ids: list[int]) -> dict[int, Any]:
    """The center's close-accounts deadline of each case (one query)."""
    from ssc.deadlines.models import Deadline

    return {
        d.case_id: d
        for d in Deadline.objects.filter(case_type="termination", case_id__in=ids, kind=CENTER_CLOSE_ACCOUNTS)
    }


def _countdown(d: Any, today: date) -> Any:
    if d is None:
        return deadline_info(None)
    return deadline_info(d.due_on, completed_on=d.completed_on, status=d.status, today=today)


class TerminationListView(TerminationReaderMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form, params, sort, qs = _filtered(request)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        today = timezone.localdate()
        cases = list(page.object_list)
        deadlines = _center_deadlines([c.pk for c in cases])
        rows = [{"c": c, "deadline": _countdown(deadlines.get(c.pk), today)} for c in cases]
        outlet = None
        if params.get("outlet"):
            outlet = Outlet.objects.restrict(request.user).filter(pk=params["outlet"]).first()
        return render(
            request,
            "terminations/list.html",
            {
                "title": _("退出管理"),
                "form": form,
                "filtered": bool(params),
                "sort": sort,
                "page": page,
                "rows": rows,
                "outlet": outlet,
            },
        )


EXPORT_COLUMNS = [
    (_("编号"), lambda c: c.pk),
    (_("网点编码"), lambda c: c.outlet.code),
    (_("网点名称"), lambda c: c.outlet.name),
    (_("银行"), lambda c: c.outlet.bank.name),
    (_("区县"), lambda c: c.outlet.district.name),
    (_("解除情形"), lambda c: c.get_ground_display()),
    (_("状态"), lambda c: c.get_state_display()),
    (_("发起方"), lambda c: c.get_initiator_side_display()),
    (_("发起机构"), lambda c: str(c.initiator_organisation or "")),
    (_("事实与理由"), lambda c: c.reasons),
    (_("发起日期"), lambda c: c.initiated_on),
    (_("决定日期"), lambda c: c.decided_on),
    (_("报备日期"), lambda c: c.filed_on),
    (_("账户关闭日期"), lambda c: c.closed_on),
    (_("撤销日期"), lambda c: c.cancelled_on),
    (_("更新时间"), lambda c: c.updated_at),
]


class TerminationExportView(TerminationReaderMixin, View):
    """Exactly what the list shows with the same filters and order, every page of it."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        _form, params, _sort, qs = _filtered(request)
        fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
        audit.record(
            action="termination.export",
            object_type="terminations.termination",
            object_repr=_t("解除合作清单"),
            after={"filters": {k: str(v) for k, v in params.items()}, "format": fmt},
        )
        headers = [h for h, _get in EXPORT_COLUMNS]
        rows = ([get(c) for _h, get in EXPORT_COLUMNS] for c in qs.iterator(chunk_size=EXPORT_CHUNK))
        filename = _t("解除合作_%(date)s") % {"date": timezone.localdate().strftime("%Y%m%d")}
        if fmt == "csv":
            return csv_response(filename, headers, rows)
        return xlsx_response(filename, headers, rows, sheet_title=_t("解除合作"))


# --- initiating ----------------------------------------------------------------------------------------------


EVIDENCE_URLS = {"8.3": "rectification:detail", "9.3": "relocations:detail", "9.4": "agreements:detail"}


def _evidence_text(code: str, record: Any) -> str:
    if code == "8.3":
        return _t("整改 第 %(n)s 号（期限 %(d)s，逾期未完成）") % {"n": record.pk, "d": record.due_on}
    if code == "9.3":
        return _t("迁址 第 %(n)s 号（新址 %(a)s，评估不符合要求）") % {"n": record.pk, "a": record.new_address}
    return _t("合作协议 %(n)s（期满 %(d)s，未续签）") % {"n": record.number, "d": record.term_end}


class TerminationInitiateView(LoginRequiredMixin, View):
    """发起退出 — from an outlet's page: all eight grounds, the unavailable ones disabled with the reason."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        if request.user.role not in TERMINATION_READER_ROLES:
            raise PermissionDenied
        self.outlet = get_object_or_404(
            Outlet.objects.restrict(request.user).select_related("district", "bank", "sub_branch"),
            pk=kwargs["outlet_id"],
        )
        if request.user.role not in INITIATOR_ROLES:
            raise PermissionDenied
        open_case = selectors.open_termination_for_outlet(self.outlet)
        if open_case is not None:
            messages.warning(request, _t("该网点已有进行中的解除合作，不能重复发起。"))
            return redirect("terminations:detail", pk=open_case.pk)
        if self.outlet.status not in selectors.TERMINABLE:
            messages.warning(
                request,
                _t("网点当前状态为“%(s)s”，不能发起解除合作。") % {"s": self.outlet.get_status_display()},
            )
            return redirect("portal:outlet_detail", pk=self.outlet.pk)
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form: InitiateForm, status: int = 200) -> HttpResponse:
        options = list(selectors.available_grounds(self.outlet, self.request.user))
        chosen = str(form["ground"].value() or "")
        # The record an available 8(3) / 9(3) / 9(4) will rest on (linked by the system, never typed).
        evidence = {
            o.code: ground_evidence(o.code, self.outlet.pk) for o in options if o.available and o.code in EVIDENCE_URLS
        }
        links = [
            {
                "code": code,
                "record": _evidence_text(code, record),
                "url": _reverse_or_empty(EVIDENCE_URLS[code], record.pk),
            }
            for code, record in evidence.items()
            if record is not None and record is not True
        ]
        by_code = {x["code"]: x for x in links}
        return render(
            self.request,
            "terminations/initiate.html",
            {
                "title": _("发起解除合作"),
                "outlet": self.outlet,
                "form": date_inputs(form),
                "options": [{"o": o, "evidence": by_code.get(o.code)} for o in options],
                "chosen": chosen,
                "any_available": any(o.available for o in options),
                "t": TERMINATION.get("initiate"),
            },
            status=status,
        )

    def get(self, request: HttpRequest, outlet_id: int) -> HttpResponse:
        initial: dict[str, Any] = {}
        ground = request.GET.get("ground")
        if ground in Ground.values:
            initial["ground"] = ground
        return self.render_form(InitiateForm(initial=initial))

    def post(self, request: HttpRequest, outlet_id: int) -> HttpResponse:
        form = InitiateForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form)
        try:
            # A plain dict: ``services.initiate`` copies ``data`` with ``dict()``, which turns a QueryDict's values
            # into lists.
            data = request.POST.dict()
            case = services.initiate(actor=request.user, outlet_id=self.outlet.pk, data=data, files=request.FILES)
        except NotFound as exc:
            raise Http404 from exc
        except NotAllowed as exc:
            add_domain_errors(form, exc)  # e.g. a ground this role may not use: said beside the choice
            return self.render_form(form, status=exc.status)
        except DomainError as exc:  # 400 field errors, 409 ground unavailable / already open: beside the form
            add_domain_errors(form, exc)
            return self.render_form(form, status=exc.status)
        messages.success(
            request,
            _t("已对“%(o)s”发起解除合作（%(g)s）。") % {"o": self.outlet.name, "g": case.get_ground_display()},
        )
        return redirect("terminations:detail", pk=case.pk)


# --- case page ---------------------------------------------------------------------------------------------


def _in_scope(request: HttpRequest, pk: int) -> Termination:
    qs = (
        Termination.objects.restrict(request.user)
        .exclude(state=TerminationState.NEW)
        .select_related(
            "outlet",
            "outlet__bank",
            "outlet__district",
            "outlet__sub_branch",
            "initiated_by",
            "initiator_organisation",
            "rectification",
            "relocation",
            "agreement",
        )
    )
    return get_object_or_404(qs, pk=pk)


def _reverse_or_empty(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def related_records(user: Any, case: Termination) -> dict[str, Any]:
    """What the case rests on and what else of the outlet matters: the overdue rectifications (8(3)), the
    relocations assessed non-compliant (9(3)), the agreements (9(4)) and the system accounts (closed at the end)."""
    from ssc.agreements.models import Agreement
    from ssc.rectification.models import Rectification
    from ssc.relocations.models import Relocation

    outlet_id = case.outlet_id
    return {
        "rectifications": list(
            Rectification.objects.restrict(user).filter(outlet_id=outlet_id, state="overdue").order_by("-due_on")
        ),
        "relocations": list(
            Relocation.objects.restrict(user).filter(outlet_id=outlet_id, state="non_compliant").order_by("-pk")
        ),
        "agreements": list(Agreement.objects.restrict(user).filter(outlet_id=outlet_id).order_by("-term_start")[:5]),
        "accounts": list(SystemAccount.objects.restrict(user).filter(outlet_id=outlet_id)),
        "others": list(
            Termination.objects.restrict(user)
            .filter(outlet_id=outlet_id)
            .exclude(pk=case.pk)
            .exclude(state=TerminationState.NEW)
            .order_by("-pk")
        ),
    }


class TerminationDetailView(TerminationReaderMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _in_scope(request, pk)
        user = authenticated_user(request)
        today = timezone.localdate()
        deadlines: list[dict[str, Any]] = [
            {"d": d, "info": deadline_info(d.due_on, completed_on=d.completed_on, status=d.status, today=today)}
            for d in deadline_services.for_case("termination", case.pk)
        ]
        center = next((x for x in deadlines if x["d"].kind == CENTER_CLOSE_ACCOUNTS), None)
        documents = list(
            Document.objects.restrict(user)
            .filter(case_type="termination", case_id=case.pk)
            .prefetch_related("versions", "versions__uploaded_by")
        )
        # Opening the case reads the notifications about it.
        Notification.objects.filter(user=user, case_type="termination", case_id=case.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        return render(
            request,
            "terminations/detail.html",
            {
                "title": _t("%(o)s 解除合作") % {"o": case.outlet.name},
                "case": case,
                "outlet": case.outlet,
                "deadlines": deadlines,
                "center": center,
                "documents": documents,
                "outlet_url": _reverse_or_empty("portal:outlet_detail", case.outlet_id),
                **related_records(user, case),
            },
        )


class _AccountsForm(forms.Form):
    """Mixed into close_accounts' form: every open account of the outlet must be ticked."""

    open_identifiers: list[str] = []

    def clean(self) -> Any:
        data = super().clean()  # type: ignore[misc]
        ticked = set(data.get("accounts") or []) if isinstance(data, dict) else set()
        missing = [i for i in self.open_identifiers if i not in ticked]
        if missing and "accounts" not in self.errors:
            self.add_error(
                "accounts", _t("须关闭网点全部未关闭的系统账户，尚未勾选：%(a)s。") % {"a": "、".join(missing)}
            )
        unknown = sorted(ticked - set(self.open_identifiers))
        if unknown and "accounts" not in self.errors:
            self.add_error("accounts", _t("不是该网点未关闭的系统账户：%(a)s。") % {"a": "、".join(unknown)})
        return data


def _accounts_joined(data: Any) -> Any:
    """The ticked checkboxes (several ``accounts`` values) as the one-per-line text the form field reads."""
    if data is None or not isinstance(data, QueryDict):
        return data
    values = data.getlist("accounts")
    if len(values) <= 1:
        return data
    joined = data.copy()
    joined.setlist("accounts", ["\n".join(values)])
    return joined


class TerminationActionView(CaseActionView):
    """The later steps on one page each; close_accounts lists the outlet's open accounts to tick."""

    workflow = TERMINATION
    model = Termination
    template_name = "terminations/action.html"
    detail_url_name = "terminations:detail"
    list_url_name = "terminations:list"
    list_label = _("退出管理")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("action") == "initiate":  # initiating creates the case: it starts from the outlet's page
            raise Http404
        if request.user.is_authenticated and request.user.role not in TERMINATION_READER_ROLES:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_case(self, request: HttpRequest, pk: int) -> Any:
        return _in_scope(request, pk)

    def perform(self, case_id: int, action: str, **kwargs: Any) -> Any:
        kwargs["data"] = _accounts_joined(kwargs.get("data"))
        return services.perform(case_id, action, **kwargs)

    def open_accounts(self) -> list[SystemAccount]:
        if not hasattr(self, "_open_accounts"):
            self._open_accounts = list(
                SystemAccount.objects.filter(outlet_id=self.case.outlet_id, closed_on__isnull=True).order_by(
                    "account_type", "identifier"
                )
            )
        return self._open_accounts

    def make_form(self, data: Any = None, files: Any = None) -> forms.Form | None:
        if self.t.action != "close_accounts" or self.t.form is None:
            return super().make_form(data, files)
        base = self.t.form
        identifiers = [a.identifier for a in self.open_accounts()]
        form_class = type("CloseAccountsPageForm", (_AccountsForm, base), {"open_identifiers": identifiers})
        kwargs: dict[str, Any] = {"data": _accounts_joined(data), "files": files}
        if getattr(base, "wants_context", False):
            kwargs.update(case=self.case, actor=self.request.user)
        return date_inputs(form_class(**kwargs))

    def get_context_data(self, **extra: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**extra)
        if self.t.action == "close_accounts":
            form = ctx.get("form")
            if form is not None and form.is_bound:
                ticked = set(form.data.get("accounts", "").splitlines()) if form.data.get("accounts") else set()
            else:
                ticked = set()
            ctx["accounts"] = [{"a": a, "checked": a.identifier in ticked} for a in self.open_accounts()]
        today = timezone.localdate()
        d = _center_deadlines([self.case.pk]).get(self.case.pk)
        ctx["countdown"] = _countdown(d, today)
        return ctx


termination_list = TerminationListView.as_view()
termination_export = TerminationExportView.as_view()
termination_initiate = TerminationInitiateView.as_view()
termination_detail = TerminationDetailView.as_view()
termination_action = TerminationActionView.as_view()
