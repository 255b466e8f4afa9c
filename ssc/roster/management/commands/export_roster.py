"""``manage.py export_roster --format csv|xlsx|json|geojson [--output FILE]`` — the latest roster as open data."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ssc.roster import opendata


class Command(BaseCommand):
    help = _("导出现行合作银行网点名单（最新发布版本，不含已隐藏网点），格式为 CSV、Excel、JSON 或 GeoJSON。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", dest="fmt", choices=opendata.FORMATS, default="csv", help=_("导出格式"))
        parser.add_argument("--output", "-o", default=None, help=_("输出文件（默认：标准输出）"))

    def handle(self, *args: Any, **options: Any) -> None:
        fmt, output = options["fmt"], options["output"]
        if output in (None, "-"):
            if fmt == "xlsx" and sys.stdout.isatty():
                raise CommandError(_("Excel 文件不能输出到终端，请用 --output 指定文件。"))
            out = getattr(self.stdout, "_out", sys.stdout)
            stream = getattr(out, "buffer", None)
            if stream is None:
                raise CommandError(_("标准输出不接受二进制内容，请用 --output 指定文件。"))
            n = opendata.write(fmt, stream)
            stream.flush()
        else:
            path = Path(output)
            if path.parent and not path.parent.is_dir():
                raise CommandError(_("目录不存在：%(dir)s") % {"dir": path.parent})
            tmp = path.with_name(path.name + ".part")
            with tmp.open("wb") as fh:
                n = opendata.write(fmt, fh)
            tmp.replace(path)
            self.stderr.write(_("已导出 %(n)d 个网点到 %(path)s") % {"n": n, "path": path})
