"""Outlet pages: list (with export), detail, edit."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import View

from ssc.audit import services as audit
from ssc.core.errors import DomainError, NotAllowed, NotFound, StaleVersion, ValidationFailed
from ssc.core.exports import csv_response, xlsx_response
from ssc.registry import services as registry_services
from ssc.registry.choices import OUTLET_STATUS_COLOURS, OutletStatus
from ssc.registry.models import Outlet, SystemAccount
from ssc.registry.selectors import outlets_for_list

from .. import tables
from ..forms import OutletEditForm, OutletFilterForm
from ..paging import DeferredJoinPaginator
from ..permissions import OUTLET_READER_ROLES, RoleRequiredMixin

PAGE_SIZE = 50
EXPORT_CHUNK = 2000


def _filtered(request: HttpRequest) -> tuple[OutletFilterForm, dict[str, Any], str, Any]:
    """The filter form, its valid params, the sort key and the scoped, filtered, ordered queryset."""
    form = OutletFilterForm(request.GET or None, user=request.user)
    params = form.params()
    sort, order = tables.ordering(request.GET.get("sort"))
    qs = outlets_for_list(request.user, params).order_by(*order)
    return form, params, sort, qs


class OutletListView(RoleRequiredMixin, View):
    roles = OUTLET_READER_ROLES

    def get(self, request: HttpRequest) -> HttpResponse:
        form, params, sort, qs = _filtered(request)
        page = DeferredJoinPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "portal/outlet_list.html",
            {
                "title": _("网点"),
                "form": form,
                "filtered": bool(params),
                "sort": sort,
                "page": page,
                "outlets": page.object_list,
                "statuses": [(s, s.label, OUTLET_STATUS_COLOURS[s]) for s in OutletStatus],
            },
        )


class OutletExportView(RoleRequiredMixin, View):
    """Exactly what the list shows with the same filters and order, every page of it."""

    roles = OUTLET_READER_ROLES

    def get(self, request: HttpRequest) -> HttpResponseBase:
        _form, params, _sort, qs = _filtered(request)
        fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
        audit.record(
            action="outlet.export",
            object_type="registry.outlet",
            object_repr=_t("网点清单"),
            after={"filters": params, "format": fmt},
        )
        rows = tables.export_rows(qs.prefetch_related("services").iterator(chunk_size=EXPORT_CHUNK))
        filename = _t("网点清单_%(date)s") % {"date": timezone.localdate().strftime("%Y%m%d")}
        if fmt == "csv":
            return csv_response(filename, tables.export_headers(), rows)
        return xlsx_response(filename, tables.export_headers(), rows, sheet_title=_t("网点清单"))


def amap_url(outlet: Outlet) -> str:
    """A marker on AutoNavi (高德) maps; coordinates are GCJ-02, as AutoNavi expects."""
    query = urlencode(
        {
            "position": f"{outlet.longitude:.6f},{outlet.latitude:.6f}",
            "name": outlet.name,
            "coordinate": "gaode",
            "callnative": "0",
        }
    )
    return f"https://uri.amap.com/marker?{query}"


def _outlet_in_scope(request: HttpRequest, pk: int) -> Outlet:
    qs = Outlet.objects.restrict(request.user).select_related("bank", "district", "sub_branch", "sub_branch__parent")
    return get_object_or_404(qs, pk=pk)


def life_steps(user: Any, outlet: Outlet, accounts: list[SystemAccount]) -> list[dict[str, Any]]:
    """网点生命周期 — the outlet's life at a glance, oldest first: application, cooperation, rectifications,
    termination initiated, filed with the center (退出中), exited. Each step with its date when reached (``None``
    otherwise) and whether it is where the outlet is now. Three aggregate queries whatever the history, each scoped
    to what ``user`` may see."""
    from django.db.models import Count, Max, Min, Q

    from ssc.admission.models import Application
    from ssc.rectification.models import Rectification
    from ssc.terminations.models import Termination

    apps = Application.objects.restrict(user).filter(outlet_id=outlet.pk)
    a = apps.aggregate(
        first=Min("submitted_at"), created=Min("created_at"), active=Max("completed_at", filter=Q(state="active"))
    )
    r = (
        Rectification.objects.restrict(user)
        .filter(outlet_id=outlet.pk)
        .exclude(state="new")
        .aggregate(n=Count("pk"), last=Max("issued_on"))
    )
    t = (
        Termination.objects.restrict(user)
        .filter(outlet_id=outlet.pk)
        .exclude(state__in=["new", "cancelled"])
        .order_by("-created_at", "-pk")
        .only("pk", "state", "initiated_on", "filed_on", "closed_on", "outlet_id")
        .first()
    )
    applied = a["first"] or a["created"]
    opened = a["active"] or min((acc.opened_on for acc in accounts), default=None)
    status = outlet.status
    cooperating = status in (OutletStatus.ACTIVE, OutletStatus.UNDER_RECTIFICATION)
    initiated_on, filed_on, closed_on = (t.initiated_on, t.filed_on, t.closed_on) if t else (None, None, None)
    open_t = t is not None and t.closed_on is None
    steps = [
        {"key": "applied", "label": _("准入申请"), "on": applied, "now": status == OutletStatus.APPLYING},
        {"key": "active", "label": _("开通合作"), "on": opened, "now": status == OutletStatus.ACTIVE and not open_t},
        {
            "key": "rectification",
            "label": _("整改"),
            "on": r["last"],
            "count": r["n"],
            "now": status == OutletStatus.UNDER_RECTIFICATION and not open_t,
        },
        {
            "key": "initiated",
            "label": _("发起退出"),
            "on": initiated_on,
            "now": cooperating and open_t,
        },
        {
            "key": "filed",
            "label": _("报中心备案（退出中）"),
            "on": filed_on,
            "now": status == OutletStatus.TERMINATING,
        },
        {
            "key": "terminated",
            "label": _("已退出"),
            "on": closed_on,
            "now": status == OutletStatus.TERMINATED,
        },
    ]
    if status == OutletStatus.PREPARING:
        steps[0]["now"] = True
    for step in steps:
        step["reached"] = bool(step["on"]) or step["now"]
    return steps


class OutletDetailView(RoleRequiredMixin, View):
    roles = OUTLET_READER_ROLES

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        outlet = _outlet_in_scope(request, pk)
        accounts = list(SystemAccount.objects.restrict(request.user).filter(outlet=outlet))
        return render(
            request,
            "portal/outlet_detail.html",
            {
                "title": outlet.name,
                "outlet": outlet,
                "services": list(outlet.services.all()),
                "accounts": accounts,
                "life": life_steps(request.user, outlet, accounts),
                "can_change": outlet.status != OutletStatus.TERMINATED
                and Outlet.objects.restrict(request.user, "change").filter(pk=outlet.pk).exists(),
                "map_url": amap_url(outlet),
            },
        )


class OutletEditView(RoleRequiredMixin, View):
    """修改网点信息 through ``outlet_update``; errors beside the fields, success back on the detail page."""

    roles = OUTLET_READER_ROLES

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and request.user.role in self.roles:
            self.outlet = _outlet_in_scope(request, kwargs["pk"])
            try:
                registry_services.check_can_change(actor=request.user, outlet=self.outlet)
            except NotFound as exc:
                raise Http404 from exc
            except NotAllowed as exc:
                raise PermissionDenied from exc
            if self.outlet.status == OutletStatus.TERMINATED:
                messages.error(request, _("网点已退出合作，信息保留为历史记录，不可修改。"))
                return redirect("portal:outlet_detail", pk=self.outlet.pk)
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, request: HttpRequest, form: OutletEditForm, status: int = 200) -> HttpResponse:
        ctx = {"title": _("修改网点信息"), "outlet": self.outlet, "form": form}
        return render(request, "portal/outlet_edit.html", ctx, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_form(request, OutletEditForm(instance=self.outlet, user=request.user))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        # The form validates a throw-away copy; the service loads, locks and changes the real row.
        form = OutletEditForm(request.POST, instance=_outlet_in_scope(request, pk), user=request.user)
        if not form.is_valid():
            return self.render_form(request, form)
        try:
            registry_services.outlet_update(
                actor=request.user,
                outlet_id=self.outlet.pk,
                data=form.changes(),
                services=form.service_codes(),
                expected_version=form.cleaned_data["version"],
            )
        except ValidationFailed as exc:
            for field, msgs in (exc.errors or {"__all__": [exc.detail]}).items():
                for msg in msgs:
                    form.add_error(field if field in form.fields else None, str(msg))
            return self.render_form(request, form)
        except StaleVersion as exc:
            form.add_error(None, str(exc.detail))
            return self.render_form(request, form, status=409)
        except NotFound as exc:
            raise Http404 from exc
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
            return self.render_form(request, form, status=exc.status)
        messages.success(request, _("网点信息已保存。"))
        return redirect("portal:outlet_detail", pk=self.outlet.pk)
