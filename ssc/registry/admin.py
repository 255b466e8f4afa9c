"""Registry master data in the admin (系统管理). Every write is audited (``AuditedModelAdmin``).

Day-to-day changes go through the staff pages and the API (services with scoping and optimistic locks);
the admin is the system administrator's tool for corrections. An outlet's status follows its cases and
is never edited here, and outlets and system accounts are not deleted here (exit is a workflow).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ssc.core.admin import AuditedModelAdmin

from .models import INSTANT_ISSUANCE_CODE, Bank, CardService, District, Organisation, Outlet, SystemAccount


@admin.register(District)
class DistrictAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "name_initials"]
    filter_horizontal = ["overlaps"]


@admin.register(Bank)
class BankAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "short_name", "hotline", "sort_order"]
    search_fields = ["code", "name", "short_name", "name_initials"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "kind", "district", "bank", "parent", "is_active"]
    list_filter = ["kind", "is_active", "bank"]
    search_fields = ["code", "name"]
    list_select_related = ["district", "bank", "parent"]
    autocomplete_fields = ["parent"]


@admin.register(CardService)
class CardServiceAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]


@admin.register(Outlet)
class OutletAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "district", "bank", "sub_branch", "status", "instant_issuance", "version"]
    list_filter = ["status", "district", "bank", "interconnection_mode", "instant_issuance"]
    search_fields = ["code", "name", "address", "name_initials"]
    list_select_related = ["district", "bank", "sub_branch"]
    autocomplete_fields = ["sub_branch"]
    filter_horizontal = ["services"]
    readonly_fields = ["status", "instant_issuance", "version"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def after_related(self, request: HttpRequest, obj: Any) -> None:
        # Instant issuance is derived from the services offered, as in ``registry.services``.
        instant = obj.services.filter(code=INSTANT_ISSUANCE_CODE).exists()
        if obj.instant_issuance != instant:
            obj.instant_issuance = instant
            obj.save(update_fields=["instant_issuance"])


@admin.register(SystemAccount)
class SystemAccountAdmin(AuditedModelAdmin):
    list_display = ["identifier", "account_type", "outlet", "holder", "opened_on", "closed_on"]
    list_filter = ["account_type"]
    search_fields = ["identifier", "holder", "outlet__code", "outlet__name"]
    list_select_related = ["outlet"]
    autocomplete_fields = ["outlet"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)
