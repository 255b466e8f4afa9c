"""``manage.py export_outlets --format csv|xlsx [--status S] [--district D] [--bank B] [-o FILE]``.

Writes the outlets in the import's column layout, so the file can be edited and imported again
(with new codes). ``--as USERNAME`` limits the export to what that user may see."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils.translation import gettext as _

from ssc.accounts.models import User
from ssc.registry.choices import OutletStatus
from ssc.registry.imports import export_outlets
from ssc.registry.models import Outlet


class Command(BaseCommand):
    help = _("导出网点（CSV 或 Excel），列与导入模板一致。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv", help=_("导出格式（默认 csv）"))
        parser.add_argument(
            "--status",
            action="append",
            choices=OutletStatus.values,
            help=_("只导出该状态的网点（可重复）"),
        )
        parser.add_argument("--district", action="append", help=_("区县代码或名称（可重复）"))
        parser.add_argument("--bank", action="append", help=_("银行代码或名称（可重复）"))
        parser.add_argument("--as", dest="username", default=None, help=_("只导出该用户可见的网点"))
        parser.add_argument("-o", "--output", default=None, help=_("输出文件（csv 默认写到标准输出）"))

    def handle(self, *args: Any, **options: Any) -> None:
        qs = Outlet.objects.all()
        if options["username"]:
            user = User.objects.select_related("organisation").filter(username=options["username"]).first()
            if user is None:
                raise CommandError(_("用户不存在：%(u)s") % {"u": options["username"]})
            qs = Outlet.objects.restrict(user, "view")
        if options["status"]:
            qs = qs.filter(status__in=options["status"])
        if options["district"]:
            qs = qs.filter(Q(district__code__in=options["district"]) | Q(district__name__in=options["district"]))
        if options["bank"]:
            qs = qs.filter(Q(bank__code__in=options["bank"]) | Q(bank__name__in=options["bank"]))
        fmt = options["format"]
        if fmt == "xlsx" and not options["output"]:
            raise CommandError(_("xlsx 格式须用 -o 指定输出文件。"))
        data = export_outlets(qs, fmt)
        if options["output"]:
            Path(options["output"]).write_bytes(data)
            self.stderr.write(_("已导出 %(n)d 个网点到 %(path)s") % {"n": qs.count(), "path": options["output"]})
        else:
            self.stdout.write(data.decode("utf-8"), ending="")
