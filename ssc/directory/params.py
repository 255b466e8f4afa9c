"""Query parameters of the public directory (page and API alike), validated into :class:`Params`.

``district`` and ``bank`` accept the id or the code (6-digit division code; bank code such as ``icbc``);
``service`` a card-service code; ``instant_issuance`` true/false/1/0; ``near`` ``<lat>,<lng>`` (GCJ-02).
Every bad parameter is reported with a localised message (never a server error).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext as _

from ssc.registry.models import Bank, CardService, District

from . import search

REFERENCE_KEY = "directory:reference"
REFERENCE_TTL = 300
DEFAULT_PAGE_SIZE = 20
MAX_Q_LENGTH = 100
_TRUE = {"1", "true", "yes", "on", "是"}
_FALSE = {"0", "false", "no", "off", "否"}


@dataclass(frozen=True)
class Reference:
    """Districts, banks and card services for the filters (a few dozen rows, cached)."""

    districts: list[dict[str, Any]]
    banks: list[dict[str, Any]]
    services: list[dict[str, Any]]

    def district_id(self, value: str) -> int | None:
        for d in self.districts:
            if value in (str(d["id"]), d["code"]):
                return int(d["id"])
        return None

    def bank_id(self, value: str) -> int | None:
        for b in self.banks:
            if value in (str(b["id"]), b["code"]):
                return int(b["id"])
        return None

    def service_codes(self) -> set[str]:
        return {s["code"] for s in self.services}


def reference() -> Reference:
    ref = cache.get(REFERENCE_KEY)
    if ref is None:
        ref = Reference(
            districts=[dict(d) for d in District.objects.order_by("code").values("id", "code", "name")],
            banks=[
                dict(b) for b in Bank.objects.order_by("sort_order", "code").values("id", "code", "name", "short_name")
            ],
            services=[
                dict(s)
                for s in CardService.objects.filter(is_active=True)
                .order_by("sort_order", "code")
                .values("code", "name")
            ],
        )
        cache.set(REFERENCE_KEY, ref, REFERENCE_TTL)
    return ref


def invalidate_reference() -> None:
    cache.delete(REFERENCE_KEY)


@dataclass(frozen=True)
class Params:
    q: str | None = None
    district: int | None = None
    bank: int | None = None
    service: str | None = None
    instant_issuance: bool | None = None
    near: tuple[float, float] | None = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    def search_kwargs(self) -> dict[str, Any]:
        return {
            "q": self.q,
            "district": self.district,
            "bank": self.bank,
            "service": self.service,
            "instant_issuance": self.instant_issuance,
            "near": self.near,
            "page": self.page,
            "page_size": self.page_size,
        }

    def cache_parts(self) -> tuple[Any, ...]:
        q = " ".join(search.terms(self.q))
        near = f"{self.near[0]:.6f},{self.near[1]:.6f}" if self.near else ""
        return (q, self.district, self.bank, self.service, self.instant_issuance, near, self.page, self.page_size)


def parse_near(value: str) -> tuple[float, float] | None:
    parts = value.replace("，", ",").split(",")
    if len(parts) != 2:
        return None
    try:
        lat, lng = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return lat, lng


def _positive_int(value: str, maximum: int | None = None) -> int | None:
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        return None
    n = int(value)
    if n < 1 or (maximum is not None and n > maximum):
        return None
    return n


def parse(data: Mapping[str, Any], *, max_page_size: int = search.MAX_PAGE_SIZE) -> tuple[Params, dict[str, list[str]]]:
    """``(params, errors)``: the valid parameters of ``data`` (a QueryDict or dict) and a message per bad one."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}

    def get(name: str) -> str:
        value = data.get(name)
        return str(value).strip() if value is not None else ""

    q = get("q")
    if q:
        if len(q) > MAX_Q_LENGTH:
            errors["q"] = [_("搜索词不能超过 %(n)d 个字。") % {"n": MAX_Q_LENGTH}]
        else:
            out["q"] = q
    ref = None
    if get("district"):
        ref = reference()
        district = ref.district_id(get("district"))
        if district is None:
            errors["district"] = [_("没有这个区县。")]
        else:
            out["district"] = district
    if get("bank"):
        ref = ref or reference()
        bank = ref.bank_id(get("bank"))
        if bank is None:
            errors["bank"] = [_("没有这家银行。")]
        else:
            out["bank"] = bank
    if get("service"):
        ref = ref or reference()
        if get("service") not in ref.service_codes():
            errors["service"] = [_("没有这项服务。")]
        else:
            out["service"] = get("service")
    flag = get("instant_issuance").lower()
    if flag:
        if flag in _TRUE:
            out["instant_issuance"] = True
        elif flag in _FALSE:
            out["instant_issuance"] = False
        else:
            errors["instant_issuance"] = [_("请填写 true 或 false。")]
    if get("near"):
        near = parse_near(get("near"))
        if near is None:
            errors["near"] = [_("位置应为“纬度,经度”，例如 29.5630,106.5516。")]
        else:
            out["near"] = near
    if get("page"):
        page = _positive_int(get("page"))
        if page is None:
            errors["page"] = [_("页码应为正整数。")]
        else:
            out["page"] = page
    if get("page_size"):
        size = _positive_int(get("page_size"), max_page_size)
        if size is None:
            errors["page_size"] = [_("每页条数应为 1 到 %(n)d 之间的整数。") % {"n": max_page_size}]
        else:
            out["page_size"] = size
    return Params(**out), errors
