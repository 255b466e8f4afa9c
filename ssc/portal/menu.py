"""The left menu: only what the user's role can use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from ssc.accounts.choices import Role

from .permissions import OUTLET_IMPORT_ROLES, OUTLET_READER_ROLES


@dataclass(frozen=True)
class MenuItem:
    label: Any
    url_name: str
    roles: frozenset[str] | None = None  # None: every role

    def url(self) -> str:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return ""


R = Role


def _deadline_readers() -> frozenset[str]:
    from ssc.deadlines.views import DEADLINE_READER_ROLES

    return DEADLINE_READER_ROLES


_DEADLINE_READERS = _deadline_readers()
_SUPERVISORS = frozenset(
    {
        Role.CENTER_OFFICER,
        Role.CENTER_LEADER,
        Role.REGULATOR,
        Role.SYSTEM_ADMIN,
        Role.DISTRICT_OFFICER,
        Role.DISTRICT_LEADER,
    }
)

ITEMS = [
    MenuItem(_("待办"), "portal:home"),
    MenuItem(_("网点"), "portal:outlet_list", OUTLET_READER_ROLES),
    MenuItem(_("我的待办"), "workflow:inbox", OUTLET_READER_ROLES),
    MenuItem(_("准入申请"), "admission:application_list", OUTLET_READER_ROLES),
    MenuItem(_("合作协议"), "agreements:list", OUTLET_READER_ROLES),
    MenuItem(_("质量评价"), "evaluations:list", OUTLET_READER_ROLES),
    MenuItem(_("整改"), "rectification:list", OUTLET_READER_ROLES),
    MenuItem(_("监督检查"), "inspections:list", _SUPERVISORS),
    MenuItem(_("热线工单"), "tickets:ticket_list", OUTLET_READER_ROLES),
    MenuItem(_("问题报告"), "tickets:problem_report_list", OUTLET_READER_ROLES - {Role.HOTLINE_OPERATOR}),
    MenuItem(_("网点迁址"), "relocations:list", OUTLET_READER_ROLES),
    MenuItem(_("金渝网迁移"), "supervision:jinyu_migration", _SUPERVISORS),
    MenuItem(_("公示检查"), "supervision:disclosure", _SUPERVISORS),
    MenuItem(_("法定期限"), "deadlines:list", _DEADLINE_READERS),
    MenuItem(_("合作网点名单"), "roster:version_list"),
    MenuItem(_("批量导入网点"), "portal:outlet_import", OUTLET_IMPORT_ROLES),
    MenuItem(
        _("工作日历"),
        "workcalendar:calendar",
        frozenset({R.CENTER_OFFICER, R.CENTER_LEADER, R.SYSTEM_ADMIN, R.DISTRICT_OFFICER, R.DISTRICT_LEADER}),
    ),
    MenuItem(_("审计日志"), "audit:event_list", frozenset({R.AUDIT_ADMIN, R.REGULATOR})),
    MenuItem(_("接口文档"), "api-docs"),
    MenuItem(_("系统管理"), "admin:index", frozenset({R.SYSTEM_ADMIN, R.SECURITY_ADMIN})),
]


def menu_for(user: Any, path: str) -> list[dict[str, Any]]:
    out = []
    for item in ITEMS:
        if item.roles is not None and user.role not in item.roles and not user.is_superuser:
            continue
        url = item.url()
        if not url:
            continue
        # The longest matching prefix wins, so "/outlets/import/" does not also light up "/outlets/".
        out.append({"label": item.label, "url": url, "active": False})
    best = max(
        (m for m in out if path == m["url"] or (m["url"] != "/" and path.startswith(m["url"]))),
        key=lambda m: len(m["url"]),
        default=None,
    )
    if best is not None:
        best["active"] = True
    return out
