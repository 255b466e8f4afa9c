"""Roster pages for signed-in staff: the published versions and what each one changed (Art 7(5), 8, 9)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import View

from .models import ChangeKind, RosterVersion

PAGE_SIZE = 50

# The published fields, in reading order, with their labels.
FIELD_LABELS: dict[str, Any] = {
    "code": _("网点编码"),
    "name": _("网点名称"),
    "bank": _("银行"),
    "district": _("区县"),
    "address": _("地址"),
    "latitude": _("纬度"),
    "longitude": _("经度"),
    "weekday_hours": _("工作日营业时间"),
    "weekend_hours": _("周末营业时间"),
    "hours_note": _("营业时间说明"),
    "services": _("服务项目"),
    "instant_issuance": _("即时制卡"),
    "consultation_phone": _("咨询电话"),
    "complaint_phone": _("投诉电话"),
}


def display(key: str, value: Any) -> str:
    """One published value as a reader sees it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _t("是") if value else _t("否")
    if isinstance(value, dict):
        return str(value.get("name") or value.get("short_name") or value.get("code") or "")
    if isinstance(value, list):
        return "、".join(str(v.get("name", v) if isinstance(v, dict) else v) for v in value) or "—"
    return str(value)


def field_changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The published fields that differ between two versions of an outlet's data (before → after)."""
    before, after = before or {}, after or {}
    keys = [k for k in FIELD_LABELS if k in before or k in after]
    keys += sorted(k for k in set(before) | set(after) if k not in FIELD_LABELS and k != "id")
    out = []
    for k in keys:
        b, a = before.get(k), after.get(k)
        if display(k, b) != display(k, a):
            out.append({"field": k, "label": FIELD_LABELS.get(k, k), "before": display(k, b), "after": display(k, a)})
    return out


def summary(data: dict[str, Any] | None) -> dict[str, str]:
    data = data or {}
    return {
        "name": display("name", data.get("name")),
        "code": display("code", data.get("code")),
        "bank": display("bank", data.get("bank")),
        "district": display("district", data.get("district")),
        "address": display("address", data.get("address")),
        "services": display("services", data.get("services")),
    }


class VersionListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        qs = RosterVersion.objects.select_related("published_by").order_by("-number")
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "roster/version_list.html",
            {"title": _("合作银行网点名单"), "page": page, "versions": page.object_list, "latest": qs.first()},
        )


class VersionDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, number: int) -> HttpResponse:
        version = get_object_or_404(RosterVersion.objects.select_related("published_by"), number=number)
        changes = list(version.changes.select_related("outlet").order_by("kind", "outlet__code", "id"))
        groups = []
        for kind in ChangeKind:
            rows = [
                {
                    "change": c,
                    "outlet": c.outlet,
                    "data": summary(c.after if kind != ChangeKind.REMOVED else c.before),
                    "fields": field_changes(c.before, c.after) if kind == ChangeKind.CHANGED else [],
                }
                for c in changes
                if c.kind == kind
            ]
            groups.append({"kind": kind, "label": kind.label, "rows": rows})
        return render(
            request,
            "roster/version_detail.html",
            {
                "title": _t("名单第 %(n)d 版") % {"n": version.number},
                "version": version,
                "groups": groups,
                "previous": RosterVersion.objects.filter(number__lt=number).order_by("-number").first(),
                "next": RosterVersion.objects.filter(number__gt=number).order_by("number").first(),
            },
        )


version_list = VersionListView.as_view()
version_detail = VersionDetailView.as_view()
