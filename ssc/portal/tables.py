"""The outlet table: sortable columns of the list page and the columns of its export."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from ssc.registry.models import Outlet

# ``sort`` parameter → ORDER BY. Names sort by pinyin (the order Chinese readers expect); ``pk`` breaks ties
# so pages never overlap.
SORTS: dict[str, tuple[str, ...]] = {
    "code": ("code",),
    "name": ("name_pinyin",),
    "district": ("district__code",),
    "bank": ("bank__sort_order", "bank__name"),
    "status": ("status",),
    "instant_issuance": ("instant_issuance",),
    "interconnection_mode": ("interconnection_mode",),
    "updated": ("updated_at",),
}
DEFAULT_SORT = "district"


def ordering(sort: str | None) -> tuple[str, list[str]]:
    """The validated ``sort`` value and the ORDER BY it means; unknown values fall back to the default."""
    key = (sort or "").lstrip("-")
    if key not in SORTS:
        sort, key = DEFAULT_SORT, DEFAULT_SORT
    desc = bool(sort and sort.startswith("-"))
    fields = [("-" if desc else "") + f for f in SORTS[key]]
    fields += ["-code" if desc else "code", "-pk" if desc else "pk"]
    return sort or DEFAULT_SORT, fields


def _yes_no(value: bool) -> str:
    return str(_("是") if value else _("否"))


EXPORT_COLUMNS: list[tuple[Any, Callable[[Outlet], Any]]] = [
    (_("网点编码"), lambda o: o.code),
    (_("网点名称"), lambda o: o.name),
    (_("银行"), lambda o: o.bank.name),
    (_("所属一级支行"), lambda o: o.sub_branch.name),
    (_("区县代码"), lambda o: o.district.code),
    (_("区县"), lambda o: o.district.name),
    (_("地址"), lambda o: o.address),
    (_("纬度（GCJ-02）"), lambda o: o.latitude),
    (_("经度（GCJ-02）"), lambda o: o.longitude),
    (_("工作日营业时间"), lambda o: o.weekday_hours),
    (_("周末营业时间"), lambda o: o.weekend_hours),
    (_("营业时间说明"), lambda o: o.hours_note),
    (_("服务项目"), lambda o: "、".join(s.name for s in o.services.all())),
    (_("即时制卡"), lambda o: _yes_no(o.instant_issuance)),
    (_("咨询电话"), lambda o: o.consultation_phone),
    (_("投诉电话"), lambda o: o.complaint_phone),
    (_("互联方式"), lambda o: o.get_interconnection_mode_display()),
    (_("计划迁移金渝网日期"), lambda o: o.jinyu_migration_planned_on),
    (_("状态"), lambda o: o.get_status_display()),
    (_("更新时间"), lambda o: o.updated_at),
]


def export_headers() -> list[Any]:
    return [h for h, _get in EXPORT_COLUMNS]


def export_rows(outlets: Iterable[Outlet]) -> Iterator[list[Any]]:
    for o in outlets:
        yield [get(o) for _h, get in EXPORT_COLUMNS]
