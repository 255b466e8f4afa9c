"""Query parameters of the registry collections, validated (bad values answer 400 naming the parameter)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import DistrictKind, InterconnectionMode, OrganisationKind, OutletStatus

_ID = r"^\d{1,18}$"


class DistrictFilter(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DistrictKind.choices, required=False)
    q = serializers.CharField(max_length=40, required=False, help_text="Name, GB/T 2260 code or pinyin initials.")


class OrganisationFilter(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OrganisationKind.choices, required=False)
    district = serializers.IntegerField(min_value=1, required=False, help_text="District id.")
    bank = serializers.IntegerField(min_value=1, required=False, help_text="Bank id.")
    # The query parameter's name; DRF's metaclass moves it out of the class, so ``Field.parent`` is unharmed.
    parent = serializers.IntegerField(  # type: ignore[assignment]
        min_value=1, required=False, help_text="Parent organisation id."
    )
    q = serializers.CharField(max_length=100, required=False, help_text="Name or code contains.")


class BankFilter(serializers.Serializer):
    q = serializers.CharField(max_length=60, required=False, help_text="Name, short name, code or pinyin initials.")


class CardServiceFilter(serializers.Serializer):
    is_active = serializers.BooleanField(required=False, allow_null=True, default=None)


class StatusListField(serializers.CharField):
    """Comma separated outlet statuses (``active,under_rectification``)."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        parts = [p.strip() for p in value.split(",") if p.strip()]
        bad = [p for p in parts if p not in OutletStatus.values]
        if bad:
            raise serializers.ValidationError(
                _("未知的状态：%(bad)s。可选：%(choices)s。")
                % {"bad": "，".join(bad), "choices": "，".join(OutletStatus.values)}
            )
        return ",".join(parts)


class OutletFilter(serializers.Serializer):
    """The parameters of ``ssc.registry.selectors.outlets_filter`` (shared with the pages and exports)."""

    q = serializers.CharField(max_length=100, required=False, help_text="Name, address, code or pinyin initials.")
    district = serializers.RegexField(
        _ID, max_length=18, required=False, help_text="District id, or its 6-digit GB/T 2260 code."
    )
    bank = serializers.RegexField(r"^[-\w]{1,20}$", required=False, help_text="Bank id or bank code.")
    status = StatusListField(max_length=200, required=False, help_text="One status or several, comma separated.")
    service = serializers.SlugField(max_length=30, required=False, help_text="Card service code.")
    instant_issuance = serializers.BooleanField(required=False, allow_null=True, default=None)
    interconnection_mode = serializers.ChoiceField(choices=InterconnectionMode.choices, required=False)
    sub_branch = serializers.IntegerField(min_value=1, required=False, help_text="Sub-branch organisation id.")


def districts_filter(qs: QuerySet, params: dict[str, Any]) -> QuerySet:
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    q = (params.get("q") or "").strip()
    if q:
        cond = Q(name__icontains=q) | Q(code__startswith=q)
        if q.isascii() and q.isalpha():
            cond |= Q(name_initials__startswith=q.lower()) | Q(name_pinyin__startswith=q.lower())
        qs = qs.filter(cond)
    return qs


def organisations_filter(qs: QuerySet, params: dict[str, Any]) -> QuerySet:
    for key in ("kind", "district", "bank", "parent"):
        if params.get(key) is not None:
            qs = qs.filter(**{key: params[key]})
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return qs


def banks_filter(qs: QuerySet, params: dict[str, Any]) -> QuerySet:
    q = (params.get("q") or "").strip()
    if q:
        cond = Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__iexact=q)
        if q.isascii() and q.isalpha():
            cond |= Q(name_initials__contains=q.lower()) | Q(name_pinyin__contains=q.lower())
        qs = qs.filter(cond)
    return qs


def card_services_filter(qs: QuerySet, params: dict[str, Any]) -> QuerySet:
    if params.get("is_active") is not None:
        qs = qs.filter(is_active=params["is_active"])
    return qs
