"""``manage.py load_calendar [--years 2024-2026] [--replace]`` — load years from chinesecalendar (audited)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ssc.core import context
from ssc.core.errors import ValidationFailed
from ssc.workcalendar import services, yeardata


def parse_years(text: str) -> list[int]:
    """``2024-2026``, ``2025`` or ``2024,2026`` → the list of years."""
    years: list[int] = []
    for part in text.replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if "-" in part:
                first, last = (int(p) for p in part.split("-", 1))
                if last < first:
                    raise CommandError(f"年份范围无效：{part}")
                years.extend(range(first, last + 1))
            else:
                years.append(int(part))
        except ValueError as exc:
            raise CommandError(f"年份无效：{part}（例如 2024-2026 或 2025）") from exc
    if not years:
        raise CommandError("请指定年份，例如 --years 2024-2026")
    return sorted(set(years))


class Command(BaseCommand):
    help = "从 chinesecalendar 程序库载入工作日历（默认 2024-2026 年；已录入的年度不覆盖，除非指定 --replace）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", default="2024-2026", help="例如 2024-2026、2025 或 2024,2026")
        parser.add_argument("--replace", action="store_true", help="覆盖已录入（含人工录入）的年度")

    def handle(self, *args, **options) -> None:
        years = parse_years(options["years"])
        first, last = yeardata.library_year_span()
        unavailable = [y for y in years if not first <= y <= last]
        if unavailable:
            raise CommandError(
                f"chinesecalendar 程序库没有以下年度的数据：{', '.join(map(str, unavailable))}"
                f"（只有 {first}-{last} 年）。新年度请由市社保卡服务中心在“工作日历”页面按国务院通知人工录入。"
            )
        with context.use(source="command"):
            for year in years:
                try:
                    row = services.calendar_year_load(year=year, replace=options["replace"])
                except ValidationFailed as exc:
                    raise CommandError("; ".join(str(m) for v in exc.errors.values() for m in v)) from exc
                if row is None:
                    self.stdout.write(f"{year}: 已存在，跳过（使用 --replace 覆盖）")
                else:
                    self.stdout.write(self.style.SUCCESS(f"{year}: 已载入（{row.notice}）"))
