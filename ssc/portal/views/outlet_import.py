"""Bulk import of outlets from Excel or CSV: all rows or none, with a row-by-row error report."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import View

from ssc.core.errors import DomainError
from ssc.core.exports import XLSX_CONTENT_TYPE, attachment_header

from ..forms import OutletImportForm
from ..permissions import OUTLET_IMPORT_ROLES, RoleRequiredMixin

# The page lists this many errors; the total is always stated.
MAX_ERRORS_SHOWN = 1000


class OutletImportView(RoleRequiredMixin, View):
    roles = OUTLET_IMPORT_ROLES

    def render_page(self, request: HttpRequest, form: OutletImportForm, result: object = None) -> HttpResponse:
        errors = list(getattr(result, "errors", []) or [])
        ctx = {
            "title": _("批量导入网点"),
            "form": form,
            "result": result,
            "errors": errors[:MAX_ERRORS_SHOWN],
            "error_count": len(errors),
            "errors_truncated": len(errors) > MAX_ERRORS_SHOWN,
        }
        return render(request, "portal/outlet_import.html", ctx)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(request, OutletImportForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        from ssc.registry.imports import import_outlets

        form = OutletImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(request, form)
        upload = form.cleaned_data["file"]
        try:
            result = import_outlets(actor=request.user, fileobj=upload, filename=upload.name)
        except DomainError as exc:
            form.add_error("file", str(exc.detail))
            return self.render_page(request, form)
        if result.errors:
            return self.render_page(request, form, result)
        messages.success(
            request,
            _t("导入成功：共 %(total)d 行，新建 %(created)d 个网点。")
            % {"total": result.total_rows, "created": result.created},
        )
        return redirect("portal:outlet_import")


class OutletImportTemplateView(RoleRequiredMixin, View):
    """下载导入模板 — a blank workbook with the header row the importer expects."""

    roles = OUTLET_IMPORT_ROLES

    def get(self, request: HttpRequest) -> HttpResponse:
        from ssc.registry.imports import template_xlsx

        response = HttpResponse(template_xlsx(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = attachment_header(_t("网点导入模板.xlsx"))
        return response
