"""``manage.py import_outlets FILE [--as USERNAME] [--dry-run]`` — bulk import of outlets (批量导入网点)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ssc.accounts.models import User
from ssc.core import context
from ssc.core.errors import NotAllowed
from ssc.registry.imports import import_outlets


class Command(BaseCommand):
    help = _("从 Excel（.xlsx）或 CSV 文件批量导入网点；任何一行有误则不导入，并列出每个错误的行号和列名。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("要导入的 .xlsx 或 .csv 文件"))
        parser.add_argument(
            "--as",
            dest="username",
            default=None,
            help=_("以该用户的身份和权限范围导入（默认：系统，不限范围）"),
        )
        parser.add_argument("--dry-run", action="store_true", help=_("只校验，不写入"))

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": path})
        actor = None
        if options["username"]:
            actor = User.objects.select_related("organisation").filter(username=options["username"]).first()
            if actor is None or not actor.is_active:
                raise CommandError(_("用户不存在或已停用：%(u)s") % {"u": options["username"]})
        with context.use(actor=actor, source="command"), path.open("rb") as fh:
            try:
                result = import_outlets(actor=actor, fileobj=fh, filename=path.name, dry_run=options["dry_run"])
            except NotAllowed as exc:
                raise CommandError(str(exc.detail)) from exc
        if result.errors:
            self.stderr.write(
                _("共 %(rows)d 行数据，发现 %(n)d 个错误，未导入任何网点：")
                % {"rows": result.total_rows, "n": len(result.errors)}
            )
            self.stderr.write("\t".join([_("行号"), _("列"), _("错误")]))
            for e in result.errors:
                self.stderr.write(f"{e.row or '-'}\t{e.column or '-'}\t{e.message}")
            raise CommandError(_("导入失败。"))
        if options["dry_run"]:
            self.stdout.write(
                _("校验通过：共 %(rows)d 行，可导入 %(n)d 个网点（未写入）。")
                % {"rows": result.total_rows, "n": len(result.codes)}
            )
        else:
            self.stdout.write(_("导入成功：新增网点 %(n)d 个。") % {"n": result.created})
