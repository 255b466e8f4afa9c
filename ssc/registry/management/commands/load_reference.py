"""``manage.py load_reference`` — districts, zones, public bodies, banks and card services (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from ssc.core import context
from ssc.registry.reference import load_reference


class Command(BaseCommand):
    help = _("加载基础数据：区县、功能区、市级机构、区县社保卡管理机构、合作银行及服务项目（可重复执行）。")

    def handle(self, *args: Any, **options: Any) -> None:
        with context.use(source="command"):
            result = load_reference()
        if not result.changed:
            self.stdout.write(_("基础数据已是最新，无需变更。"))
            return
        for label, n in sorted(result.created.items()):
            self.stdout.write(_("新增 %(what)s：%(n)d") % {"what": label, "n": n})
        for label, n in sorted(result.updated.items()):
            self.stdout.write(_("更新 %(what)s：%(n)d") % {"what": label, "n": n})
