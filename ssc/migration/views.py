"""Supervision report pages: Jinyu Net migration progress (Art 6(2)) and the Art 10 disclosure check, each with its
Excel export of exactly what is shown."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import View

from ssc.accounts.choices import Role
from ssc.audit import services as audit
from ssc.core.auth import authenticated_user
from ssc.core.exports import xlsx_response
from ssc.registry.choices import OutletStatus
from ssc.workflow.views import CaseFilterForm, ReaderRequiredMixin

from . import selectors
from .permissions import DISCLOSURE_REPORT_ROLES, MIGRATION_REPORT_ROLES

PAGE_SIZE = 50


class _ScopeForm(CaseFilterForm):
    district = forms.TypedChoiceField(label=_("区县"), required=False, coerce=int, empty_value=None)
    bank = forms.TypedChoiceField(label=_("银行"), required=False, coerce=int, empty_value=None)


# --- Jinyu Net migration ----------------------------------------------------------------------------------------

MIGRATION_COLUMNS = [
    _("合计网点"),
    _("金渝网"),
    _("原社银直连"),
    _("迁移完成率(%)"),
    _("本季度计划迁移"),
    _("计划已逾期"),
    _("尚无迁移计划"),
]


def _migration_cells(r: selectors.MigrationRow) -> list[Any]:
    return [r.total, r.jinyu, r.legacy, r.percent_migrated, r.planned_this_quarter, r.overdue, r.unplanned]


class JinyuMigrationView(ReaderRequiredMixin, View):
    """金渝网迁移进度 — by bank and by district; a district sees its own, a bank its own."""

    roles = MIGRATION_REPORT_ROLES

    def get(self, request: HttpRequest) -> HttpResponseBase:
        form = _ScopeForm(request.GET or None, user=request.user)
        params = form.params()
        report = selectors.jinyu_migration(request.user, as_of=timezone.localdate(), params=params)
        if request.GET.get("format") == "xlsx":
            return self.export(report, params)
        return render(
            request,
            "migration/jinyu_migration.html",
            {"title": _("金渝网迁移进度"), "form": form, "filtered": bool(params), "report": report},
        )

    def export(self, report: selectors.MigrationReport, params: dict[str, Any]) -> HttpResponseBase:
        audit.record(
            action="report.jinyu_migration.export",
            object_type="registry.outlet",
            object_repr=_t("金渝网迁移进度"),
            after={"filters": {k: str(v) for k, v in params.items()}, "as_of": report.as_of},
            article="6(2)",
        )
        headers = [_t("分组"), _t("名称"), *MIGRATION_COLUMNS]
        rows: list[list[Any]] = [[_t("合计"), _t("全部"), *_migration_cells(report.totals)]]
        rows += [[_t("银行"), r.name, *_migration_cells(r)] for r in report.by_bank]
        rows += [[_t("区县"), r.name, *_migration_cells(r)] for r in report.by_district]
        filename = _t("金渝网迁移进度_%(d)s") % {"d": report.as_of.strftime("%Y%m%d")}
        return xlsx_response(filename, headers, rows, sheet_title=_t("金渝网迁移进度"))


# --- Art 10 disclosure ------------------------------------------------------------------------------------------


class DisclosureFilterForm(_ScopeForm):
    q = forms.CharField(
        label=_("关键字"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("网点名称、地址、编码或拼音首字母")}),
    )
    missing = forms.ChoiceField(
        label=_("缺少"),
        required=False,
        choices=[
            ("", _("咨询或投诉电话")),
            ("consultation", _("咨询电话")),
            ("complaint", _("投诉电话")),
            ("both", _("两者都缺")),
        ],
    )


def _issue_url(outlet_id: int) -> str:
    try:
        return reverse("rectification:issue", args=[outlet_id]) + "?source=disclosure"
    except NoReverseMatch:
        return ""


def disclosure_columns() -> list[tuple[Any, Any]]:
    """The export's columns; labels resolved once per export, not per cell."""
    status = {k: str(v) for k, v in OutletStatus.choices}
    missing, issued = _t("未公示"), _t("已下达整改")
    return [
        (_("网点编码"), lambda o: o.code),
        (_("网点名称"), lambda o: o.name),
        (_("银行"), lambda o: o.bank.name),
        (_("所属一级支行"), lambda o: o.sub_branch.name),
        (_("区县"), lambda o: o.district.name),
        (_("网点状态"), lambda o: status.get(o.status, o.status)),
        (_("咨询电话"), lambda o: o.consultation_phone or missing),
        (_("投诉电话"), lambda o: o.complaint_phone or missing),
        (_("整改"), lambda o: issued if o.open_disclosure_rectification else ""),
    ]


class DisclosureView(ReaderRequiredMixin, View):
    """公示检查 (Art 10) — cooperating outlets missing a consultation or complaint number, with "issue a
    rectification" (source: disclosure) for the district officer."""

    roles = DISCLOSURE_REPORT_ROLES

    def get(self, request: HttpRequest) -> HttpResponseBase:
        form = DisclosureFilterForm(request.GET or None, user=request.user)
        params = form.params()
        qs = selectors.disclosure_missing(request.user, params)
        if request.GET.get("format") == "xlsx":
            audit.record(
                action="report.disclosure.export",
                object_type="registry.outlet",
                object_repr=_t("网点公示检查"),
                after={"filters": {k: str(v) for k, v in params.items()}},
                article="10",
            )
            columns = disclosure_columns()
            headers = [h for h, _get in columns]
            rows = ([get(o) for _h, get in columns] for o in qs.iterator(chunk_size=2000))
            filename = _t("网点公示检查_%(d)s") % {"d": timezone.localdate().strftime("%Y%m%d")}
            return xlsx_response(filename, headers, rows, sheet_title=_t("网点公示检查"))
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        can_issue = authenticated_user(request).role == Role.DISTRICT_OFFICER
        return render(
            request,
            "migration/disclosure.html",
            {
                "title": _("网点公示检查"),
                "form": form,
                "filtered": bool(params),
                "page": page,
                "rows": [{"o": o, "issue_url": _issue_url(o.pk) if can_issue else ""} for o in page.object_list],
            },
        )


jinyu_migration = JinyuMigrationView.as_view()
disclosure = DisclosureView.as_view()
