"""Home page: the 待办 inbox and what matters to the role."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from ssc.accounts.choices import BANK_ROLES, CITYWIDE_ROLES, DISTRICT_ROLES, Role
from ssc.core.admin import may_administer
from ssc.core.auth import authenticated_user
from ssc.registry.choices import OutletStatus
from ssc.registry.models import Outlet

from .. import dashboard
from ..permissions import OUTLET_IMPORT_ROLES, OUTLET_READER_ROLES


class HomeView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        user = authenticated_user(request)
        ctx: dict[str, Any] = {
            "title": _("工作台"),
            "can_read_outlets": user.role in OUTLET_READER_ROLES,
            "can_import": user.role in OUTLET_IMPORT_ROLES,
            "show_search": user.role == Role.HOTLINE_OPERATOR,
            "is_admin_duty": user.role in {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN},
            "may_administer": may_administer(user),
        }
        if ctx["can_read_outlets"]:
            from ssc.workflow.inbox import inbox_items

            ctx["inbox_rows"] = inbox_items(user, limit=20)
            outlets = Outlet.objects.restrict(user)
            counts = dashboard.status_counts(outlets)
            ctx["status_counts"] = counts
            ctx["outlet_total"] = sum(c.count for c in counts)
            if user.role in DISTRICT_ROLES:
                ctx["scope_label"] = _("本区县网点")
            elif user.role == Role.OUTLET_STAFF:
                ctx["scope_label"] = _("本网点")
                ctx["my_outlets"] = list(outlets.select_related("bank", "district")[:5])
            elif user.role in BANK_ROLES:
                ctx["scope_label"] = _("本行网点")
            else:
                ctx["scope_label"] = _("全市网点")
            if user.role in CITYWIDE_ROLES:
                by_district = dashboard.totals_by_district(outlets)
                by_bank = dashboard.totals_by_bank(outlets)
                ctx.update(
                    by_district=by_district,
                    by_bank=by_bank,
                    district_totals=dashboard.column_totals(by_district),
                    bank_totals=dashboard.column_totals(by_bank),
                    statuses=list(OutletStatus),
                )
        return render(request, "portal/home.html", ctx)
