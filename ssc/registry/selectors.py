"""Reads of the registry (selectors). Pages, API and exports filter outlets the same way through here."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q, QuerySet

from .models import Outlet

_LATIN = re.compile(r"^[A-Za-z]+$")


def text_query(q: str) -> Q:
    """Name or address contains ``q``; a latin-only ``q`` also matches pinyin initials (prefix or
    substring) and full pinyin (``gsyh`` or ``gongshang`` find 工商银行 outlets)."""
    q = q.strip()
    cond = Q(name__icontains=q) | Q(address__icontains=q) | Q(code__iexact=q)
    if _LATIN.match(q):
        low = q.lower()
        cond |= Q(name_initials__contains=low) | Q(name_pinyin__contains=low)
    return cond


def outlets_filter(qs: QuerySet[Outlet], params: dict[str, Any]) -> QuerySet[Outlet]:
    """Apply the list filters shared by the outlet pages, the API and the Excel export.

    Parameters (all optional): ``q``, ``district`` (id or code), ``bank`` (id or code), ``status``,
    ``service`` (code), ``instant_issuance`` (true/false), ``interconnection_mode``, ``sub_branch``.
    """
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(text_query(q))
    district = params.get("district")
    if district:
        qs = qs.filter(district__code=district) if len(str(district)) == 6 else qs.filter(district_id=_int(district))
    bank = params.get("bank")
    if bank:
        qs = qs.filter(bank_id=_int(bank)) if str(bank).isdigit() else qs.filter(bank__code=bank)
    status = params.get("status")
    if status:
        qs = qs.filter(status__in=str(status).split(","))
    service = params.get("service")
    if service:
        qs = qs.filter(services__code=service)
    ii = params.get("instant_issuance")
    if ii not in (None, ""):
        qs = qs.filter(instant_issuance=str(ii).lower() in {"1", "true", "yes", "on"})
    mode = params.get("interconnection_mode")
    if mode:
        qs = qs.filter(interconnection_mode=mode)
    sub_branch = params.get("sub_branch")
    if sub_branch:
        qs = qs.filter(sub_branch_id=_int(sub_branch))
    return qs


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def outlets_for_list(user: Any, params: dict[str, Any]) -> QuerySet[Outlet]:
    qs = Outlet.objects.restrict(user).select_related("bank", "district", "sub_branch")
    return outlets_filter(qs, params)
