"""Deadline pages: the list of statutory deadlines and the report on district steps against the center's targets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import View

from ssc.accounts.choices import DISTRICT_ROLES, Role
from ssc.core.auth import authenticated_user
from ssc.core.errors import DomainError
from ssc.portal.permissions import RoleRequiredMixin
from ssc.workflow.templatetags.workflow import deadline_info

from . import selectors, services
from .cases import CaseIndex
from .forms import DeadlineFilterForm, StepReportFilterForm, StepTargetForm, deadline_kind_choices
from .models import DEADLINE_STATUS_COLOURS

if TYPE_CHECKING:
    from ssc.accounts.models import User

PAGE_SIZE = 50
# The center and the regulators see every deadline; district agencies their own (``Deadline.scope_filter``).
DEADLINE_READER_ROLES = frozenset(
    {Role.CENTER_OFFICER, Role.CENTER_LEADER, Role.REGULATOR, Role.DISTRICT_OFFICER, Role.DISTRICT_LEADER}
)
STEP_REPORT_ROLES = frozenset({Role.CENTER_OFFICER, Role.CENTER_LEADER, Role.REGULATOR, Role.DISTRICT_LEADER})
RESPONSIBLE_LABELS = {
    "center": _("市社保卡服务中心"),
    "district_agency": _("区县社保卡管理机构"),
    "outlet": _("网点"),
}


class DeadlineListView(RoleRequiredMixin, View):
    roles = DEADLINE_READER_ROLES

    def get(self, request: HttpRequest) -> HttpResponse:
        user = authenticated_user(request)
        form = DeadlineFilterForm(request.GET or None, user=user)
        params = form.params()
        today = timezone.localdate()
        page = Paginator(selectors.deadlines_for_list(user, params, today=today), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        cases = CaseIndex(page.object_list)
        kinds = dict(deadline_kind_choices())
        rows = [
            {
                "d": d,
                "case_name": cases.name(d),
                "case_url": cases.url(d),
                "label": d.label or kinds.get(d.kind, d.kind),
                "responsible": RESPONSIBLE_LABELS.get(d.responsible, d.responsible),
                "info": deadline_info(d.due_on, completed_on=d.completed_on, status=d.status, today=today),
                "colour": DEADLINE_STATUS_COLOURS.get(d.status, "grey"),
            }
            for d in page.object_list
        ]
        return render(
            request,
            "deadlines/list.html",
            {
                "title": _("法定期限"),
                "form": form,
                "filtered": bool(params),
                "page": page,
                "rows": rows,
                "scope_label": _("本区县") if user.role in DISTRICT_ROLES else _("全市"),
                "can_see_steps": user.role in STEP_REPORT_ROLES,
            },
        )


def _district_name(user: User) -> str | None:
    """The name of a district user's own district (their scope), else None."""
    org = user.organisation
    if user.role in DISTRICT_ROLES and org is not None and org.district is not None:
        return org.district.name
    return None


class StepReportView(RoleRequiredMixin, View):
    """各环节用时 — average and longest working days per step, the center's target and how many took longer.
    A district leader sees their own district; the center and regulators any district or the whole city."""

    roles = STEP_REPORT_ROLES

    def get(self, request: HttpRequest) -> HttpResponse:
        user = authenticated_user(request)
        form = StepReportFilterForm(request.GET or None, user=user)
        params = form.params()
        case_type = params.get("case_type") or "application"
        district = user.district_id if user.role in DISTRICT_ROLES else params.get("district")
        rows = selectors.step_durations(case_type, district, since=params.get("since"), until=params.get("until"))
        can_edit = user.role in services.TARGET_EDITOR_ROLES
        return render(
            request,
            "deadlines/step_report.html",
            {
                "title": _("各环节用时"),
                "form": form,
                "rows": rows,
                "case_type": case_type,
                "can_edit": can_edit,
                "target_form": StepTargetForm(),
                "scope_label": _district_name(user) or _("全市"),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        user = authenticated_user(request)
        if user.role not in services.TARGET_EDITOR_ROLES:
            raise PermissionDenied
        form = StepTargetForm(request.POST)
        back = request.get_full_path()
        if not form.is_valid():
            for errors in form.errors.values():
                for e in errors:
                    messages.error(request, str(e))  # ErrorList yields the messages as text
            return redirect(back)
        data = form.cleaned_data
        try:
            services.step_target_set(
                actor=user, case_type=data["case_type"], action=data["action"], workdays=data["workdays"]
            )
        except DomainError as exc:
            texts = [str(m) for ms in exc.errors.values() for m in ms] or [str(exc.detail)]
            for text in texts:
                messages.error(request, text)
            return redirect(back)
        if data["workdays"] is None:
            messages.success(request, _t("已取消该环节的内部时限。"))
        else:
            messages.success(request, _t("内部时限已设为 %(n)d 个工作日。") % {"n": data["workdays"]})
        return redirect(back)
