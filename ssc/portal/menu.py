"""The left menu: only what the user's role can use."""

from __future__ import annotations

from collections.abc import Callable
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
    when: Callable[[Any], bool] | None = None  # a further condition on the user (None: none)

    def shown_to(self, user: Any) -> bool:
        if self.roles is not None and user.role not in self.roles and not user.is_superuser:
            return False
        return self.when is None or self.when(user)

    def url(self) -> str:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return ""


R = Role


# The pages' own role sets, imported here (not at the top) so that the apps' views never import the menu's
# module while it is half-initialised: the menu offers exactly the roles the page admits.
def _deadline_readers() -> frozenset[str]:
    from ssc.deadlines.views import DEADLINE_READER_ROLES

    return DEADLINE_READER_ROLES


def _agreement_readers() -> frozenset[str]:
    from ssc.agreements.views import AGREEMENT_READER_ROLES

    return AGREEMENT_READER_ROLES


def _relocation_readers() -> frozenset[str]:
    from ssc.relocations.views import RELOCATION_READER_ROLES

    return RELOCATION_READER_ROLES


def _evaluation_readers() -> frozenset[str]:
    from ssc.evaluations.views import EVALUATION_READER_ROLES

    return EVALUATION_READER_ROLES


def _may_administer(user: Any) -> bool:
    """The Django admin admits active staff of the admin duties only (``ssc.core.admin``)."""
    from ssc.core.admin import may_administer

    return may_administer(user)


_DEADLINE_READERS = _deadline_readers()
_AGREEMENT_READERS = _agreement_readers()
_RELOCATION_READERS = _relocation_readers()
_EVALUATION_READERS = _evaluation_readers()
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
    MenuItem(_("合作协议"), "agreements:list", _AGREEMENT_READERS),
    MenuItem(_("质量评价"), "evaluations:list", _EVALUATION_READERS),
    MenuItem(_("整改"), "rectification:list", OUTLET_READER_ROLES),
    MenuItem(_("监督检查"), "inspections:list", _SUPERVISORS),
    MenuItem(_("热线工单"), "tickets:ticket_list", OUTLET_READER_ROLES),
    MenuItem(_("问题报告"), "tickets:problem_report_list", OUTLET_READER_ROLES - {Role.HOTLINE_OPERATOR}),
    MenuItem(_("网点迁址"), "relocations:list", _RELOCATION_READERS),
    MenuItem(_("退出管理"), "terminations:list", OUTLET_READER_ROLES - {Role.HOTLINE_OPERATOR}),
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
    MenuItem(_("系统管理"), "admin:index", frozenset({R.SYSTEM_ADMIN, R.SECURITY_ADMIN}), when=_may_administer),
]


def menu_for(user: Any, path: str) -> list[dict[str, Any]]:
    out = []
    for item in ITEMS:
        if not item.shown_to(user):
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
