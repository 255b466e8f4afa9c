"""Agreement pages: the list (with expiring filters and export), the Art 9(4) list of agreements ended without
renewal, the agreement page with its renewal chain, renewing (the generic action page), registering an agreement
signed before the platform, and the banks' framework agreements with HRSS (Art 6(1)).

Rows come from ``restrict`` (404 outside the scope); buttons from the ``AGREEMENT`` table; the engine and the services
re-check everything."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import View

from ssc.accounts.choices import BANK_ROLES, Role
from ssc.core.auth import authenticated_user
from ssc.core.errors import DomainError, NotAllowed, NotFound
from ssc.core.forms import form_field
from ssc.registry.choices import OutletStatus
from ssc.registry.models import Bank, Outlet
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
from .forms import FrameworkAgreementForm, RegisterForm
from .models import Agreement, AgreementStatus, FrameworkAgreement
from .workflow import AGREEMENT, RENEWABLE_OUTLET_STATUSES

# Hotlines take calls about outlets, not their contracts.
AGREEMENT_READER_ROLES = READER_ROLES - {Role.HOTLINE_OPERATOR}
PAGE_SIZE = 50
EXPORT_CHUNK = 2000
EXPIRING_CHOICES = [("", _("不限")), ("30", _("30天内到期")), ("90", _("90天内到期")), ("180", _("180天内到期"))]


class AgreementReaderMixin(ReaderRequiredMixin):
    roles = AGREEMENT_READER_ROLES


def _date_widgets(form: forms.Form) -> forms.Form:
    for f in form.fields.values():
        if isinstance(f, forms.DateField) and isinstance(f.widget, forms.DateInput):
            f.widget.input_type = "date"
            f.widget.format = "%Y-%m-%d"
    return form


# --- list, export, Art 9(4) list ------------------------------------------------------------------------------


class AgreementFilterForm(CaseFilterForm):
    q = forms.CharField(
        label=_("关键字"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("协议编号、网点名称、编码或拼音首字母")}),
    )
    status = forms.ChoiceField(label=_("状态"), required=False, choices=ANY + list(AgreementStatus.choices))
    expiring_within_days = forms.ChoiceField(label=_("到期时间"), required=False, choices=EXPIRING_CHOICES)
    district = forms.TypedChoiceField(label=_("区县"), required=False, coerce=int, empty_value=None)
    bank = forms.TypedChoiceField(label=_("银行"), required=False, coerce=int, empty_value=None)
    outlet = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


SORTS: dict[str, tuple[str, ...]] = {
    "number": ("number",),
    "outlet": ("outlet__name_pinyin",),
    "district": ("outlet__district__code",),
    "term_start": ("term_start",),
    "term_end": ("term_end",),
    "status": ("status",),
}
DEFAULT_SORT = "term_end"


def _filtered(request: HttpRequest) -> tuple[AgreementFilterForm, dict[str, Any], str, QuerySet[Agreement]]:
    form = AgreementFilterForm(request.GET or None, user=request.user)
    params = form.params()
    sort, order = list_ordering(request.GET.get("sort"), SORTS, DEFAULT_SORT)
    return form, params, sort, selectors.agreements_for_list(request.user, params).order_by(*order)


def export_columns() -> list[tuple[Any, Any]]:
    """The export's columns. Choice labels are resolved once per export: ``get_FOO_display`` on lazy labels costs
    a translation lookup per cell."""
    status = {k: str(v) for k, v in AgreementStatus.choices}
    outlet_status = {k: str(v) for k, v in OutletStatus.choices}
    yes, no = _t("是"), _t("否")
    return [
        (_("协议编号"), lambda a: a.number),
        (_("网点编码"), lambda a: a.outlet.code),
        (_("网点名称"), lambda a: a.outlet.name),
        (_("银行"), lambda a: a.outlet.bank.name),
        (_("区县"), lambda a: a.outlet.district.name),
        (_("签约机构"), lambda a: a.agency.name),
        (_("签订日期"), lambda a: a.signed_on),
        (_("有效期起"), lambda a: a.term_start),
        (_("有效期止"), lambda a: a.term_end),
        (_("状态"), lambda a: status.get(a.status, a.status)),
        (_("已续签"), lambda a: yes if a.has_successor else no),
        (_("网点状态"), lambda a: outlet_status.get(a.outlet.status, a.outlet.status)),
    ]


def _export(request: HttpRequest, qs: QuerySet[Agreement], what: str, params: dict[str, Any]) -> HttpResponseBase:
    return export_response(
        request,
        qs,
        export_columns(),
        params=params,
        action="agreement.export",
        object_type="agreements.agreement",
        object_repr=what,
        filename=f"{what}_{timezone.localdate():%Y%m%d}",
        sheet_title=what,
        chunk_size=EXPORT_CHUNK,
    )


class AgreementListView(AgreementReaderMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form, params, sort, qs = _filtered(request)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "agreements/agreement_list.html",
            {
                "title": _("合作协议"),
                "form": form,
                "filtered": bool(params),
                "sort": sort,
                "page": page,
                "agreements": page.object_list,
                "today": timezone.localdate(),
                "can_register": authenticated_user(request).role == Role.DISTRICT_OFFICER,
            },
        )


class AgreementExportView(AgreementReaderMixin, View):
    def get(self, request: HttpRequest) -> HttpResponseBase:
        _form, params, _sort, qs = _filtered(request)
        return _export(request, qs, _t("合作协议"), params)


class ExpiredUnrenewedView(AgreementReaderMixin, View):
    """到期未续签 — Art 9(4): agreements past their last day without renewal, oldest first; a district sees its own."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        qs = selectors.agreements_expired_unrenewed(request.user)
        if request.GET.get("format") in ("xlsx", "csv"):
            return _export(request, qs, _t("到期未续签协议"), {"expired_unrenewed": True})
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "agreements/expired_list.html",
            {
                "title": _("到期未续签协议（第九条第(四)项）"),
                "page": page,
                "agreements": page.object_list,
                "today": timezone.localdate(),
            },
        )


# --- the agreement page -----------------------------------------------------------------------------------------


def _agreement_in_scope(request: HttpRequest, pk: int) -> Agreement:
    qs = Agreement.objects.restrict(request.user).select_related(
        "outlet__bank", "outlet__district", "outlet__sub_branch", "agency", "application", "renews"
    )
    return get_object_or_404(qs, pk=pk)


class AgreementDetailView(AgreementReaderMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        agreement = _agreement_in_scope(request, pk)
        user = authenticated_user(request)
        today = timezone.localdate()
        documents = case_documents(user, AGREEMENT.name, *[a.pk for a in selectors.chain(agreement)])
        mark_case_read(user, AGREEMENT.name, agreement.pk)
        successor = agreement.successor
        return render(
            request,
            "agreements/agreement_detail.html",
            {
                "title": agreement.number,
                "agreement": agreement,
                "outlet": agreement.outlet,
                "chain": selectors.chain(agreement),
                "successor": successor,
                "days_left": (agreement.term_end - today).days,
                "expired_unrenewed": selectors.agreements_expired_unrenewed(today=today)
                .filter(pk=agreement.pk)
                .exists(),
                "documents": documents,
                "framework": selectors.framework_agreement_for_bank(agreement.outlet.bank_id),
                "outlet_url": _reverse_or_empty("portal:outlet_detail", agreement.outlet_id),
            },
        )


def _reverse_or_empty(name: str, *args: Any) -> str:
    from django.urls import NoReverseMatch

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


class AgreementActionView(CaseActionView):
    """续签 — the generic action page of ``ssc.workflow.views.CaseActionView`` over the ``AGREEMENT`` table."""

    workflow = AGREEMENT
    model = Agreement
    template_name = "agreements/agreement_action.html"
    detail_url_name = "agreements:detail"

    def perform(self, case_id: int, action: str, **kwargs: Any) -> Any:
        return services.perform(case_id, action, **kwargs)

    def get_case(self, request: HttpRequest, pk: int) -> Any:
        return _agreement_in_scope(request, pk)


# --- registering an agreement signed before the platform --------------------------------------------------------


class OutletChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.code}）"


class RegisterPageForm(RegisterForm):
    outlet = OutletChoiceField(label=_("网点"), queryset=Outlet.objects.none(), empty_label=_("请选择网点"))
    field_order = ["outlet"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "outlet", forms.ModelChoiceField).queryset = (
            Outlet.objects.restrict(user)
            .filter(status__in=list(RENEWABLE_OUTLET_STATUSES))
            .exclude(pk__in=Agreement.objects.exclude(status=AgreementStatus.TERMINATED).values("outlet_id"))
            .order_by("name_pinyin", "pk")
        )
        _date_widgets(self)


class AgreementRegisterView(ReaderRequiredMixin, View):
    """登记存量协议 — district officers only (Art 3, 5)."""

    roles = frozenset({Role.DISTRICT_OFFICER})

    def _render(self, request: HttpRequest, form: RegisterPageForm, status: int = 200) -> HttpResponse:
        ctx = {"title": _("登记存量合作协议"), "form": form}
        return render(request, "agreements/agreement_register.html", ctx, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        initial = {"outlet": request.GET.get("outlet")} if request.GET.get("outlet") else {}
        return self._render(request, RegisterPageForm(user=request.user, initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = RegisterPageForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self._render(request, form)
        try:
            agreement = services.agreement_register(
                actor=request.user, outlet_id=form.cleaned_data["outlet"].pk, data=request.POST, files=request.FILES
            )
        except NotFound as exc:
            raise Http404 from exc
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except DomainError as exc:
            _add_domain_errors(form, exc)
            return self._render(request, form, status=exc.status)
        messages.success(request, _t("已登记合作协议 %(n)s。") % {"n": agreement.number})
        return redirect("agreements:detail", pk=agreement.pk)


# --- framework agreements -------------------------------------------------------------------------------------


class FrameworkReaderMixin(ReaderRequiredMixin):
    roles = AGREEMENT_READER_ROLES


class FrameworkListView(FrameworkReaderMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        qs = selectors.framework_agreements_for_list(request.user, {}).order_by("bank__sort_order", "-term_start")
        today = timezone.localdate()
        banks = []
        if authenticated_user(request).role not in BANK_ROLES:
            covered = set(qs.values_list("bank_id", flat=True))
            banks = [b for b in Bank.objects.all() if b.pk not in covered]
        return render(
            request,
            "agreements/framework_list.html",
            {
                "title": _("合作框架协议"),
                "agreements": [{"fa": fa, "in_force": fa.in_force_on(today)} for fa in qs],
                "banks_without": banks,
                "can_create": authenticated_user(request).role == Role.CENTER_OFFICER,
            },
        )


def _framework_in_scope(request: HttpRequest, pk: int) -> FrameworkAgreement:
    qs = FrameworkAgreement.objects.restrict(request.user).select_related("bank", "bank_organisation", "hrss")
    return get_object_or_404(qs, pk=pk)


class FrameworkDetailView(FrameworkReaderMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        fa = _framework_in_scope(request, pk)
        return render(
            request,
            "agreements/framework_detail.html",
            {"title": fa.number, "fa": fa, "in_force": fa.in_force_on(timezone.localdate())},
        )


class FrameworkDownloadView(FrameworkReaderMixin, View):
    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        fa = _framework_in_scope(request, pk)
        if not fa.document:
            raise Http404
        try:
            fh = fa.document.open("rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404 from exc
        services.record_framework_download(agreement=fa, actor=request.user)
        response = FileResponse(
            fh,
            as_attachment=True,
            filename=fa.document_name or f"framework-{fa.pk}",
            content_type=fa.document_content_type or "application/octet-stream",
        )
        response["Cache-Control"] = "private, no-store"
        return response


class FrameworkCreateView(ReaderRequiredMixin, View):
    """登记合作框架协议 — the center's officer (Art 5, 6(1))."""

    roles = frozenset({Role.CENTER_OFFICER})

    def _render(self, request: HttpRequest, form: FrameworkAgreementForm, status: int = 200) -> HttpResponse:
        return render(
            request,
            "agreements/framework_create.html",
            {"title": _("登记合作框架协议"), "form": _date_widgets(form)},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        initial = {"bank": request.GET.get("bank")} if request.GET.get("bank") else {}
        return self._render(request, FrameworkAgreementForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = FrameworkAgreementForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form)
        try:
            fa = services.framework_agreement_create(actor=request.user, data=request.POST, files=request.FILES)
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except DomainError as exc:
            _add_domain_errors(form, exc)
            return self._render(request, form, status=exc.status)
        messages.success(request, _t("已登记合作框架协议 %(n)s。") % {"n": fa.number})
        return redirect("agreements:framework_detail", pk=fa.pk)


agreement_list = AgreementListView.as_view()
agreement_export = AgreementExportView.as_view()
expired_list = ExpiredUnrenewedView.as_view()
agreement_detail = AgreementDetailView.as_view()
agreement_action = AgreementActionView.as_view()
agreement_register = AgreementRegisterView.as_view()
framework_list = FrameworkListView.as_view()
framework_detail = FrameworkDetailView.as_view()
framework_download = FrameworkDownloadView.as_view()
framework_create = FrameworkCreateView.as_view()
