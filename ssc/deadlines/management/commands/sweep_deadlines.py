"""``manage.py sweep_deadlines [--today YYYY-MM-DD]`` — the daily deadline sweep (期限巡检) with notifications."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ssc.core import context
from ssc.core.errors import DomainError
from ssc.deadlines import escalation, services


def _date(value: str) -> date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": value}) from exc


class Command(BaseCommand):
    help = "期限巡检：把已过截止日仍未办结的期限标为超期并通知，提醒次一工作日到期的期限（可重复执行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", default=None, help="按该日期巡检（YYYY-MM-DD，默认今天）")
        parser.add_argument("--quiet", action="store_true", help="只输出汇总行")

    def handle(self, *args: Any, **options: Any) -> None:
        today = _date(options["today"]) if options["today"] else None
        try:
            with context.use(source="command"):
                result = services.sweep(today=today, notify=escalation.notify_sweep)
                jobs = services.run_daily_jobs(result.today)
        except DomainError as exc:
            raise CommandError(str(exc.detail)) from exc
        out = self.stdout
        out.write(
            _(
                "%(day)s 期限巡检：新超期 %(missed)d 项，超期上报 %(escalated)d 项，到期提醒 %(reminded)d 项，"
                "发出通知 %(sent)d 条。"
            )
            % {
                "day": result.today.isoformat(),
                "missed": len(result.missed),
                "escalated": len(result.escalated),
                "reminded": len(result.reminded),
                "sent": result.notifications,
            }
        )
        if not options["quiet"]:
            for d in result.escalated:
                state = (
                    _("未办结") if d.completed_on is None else _("已于 %(d)s 办结") % {"d": d.completed_on.isoformat()}
                )
                out.write(
                    "  "
                    + _("超期  %(case)s  %(label)s  截止 %(due)s  %(state)s")
                    % {
                        "case": f"{d.case_type}#{d.case_id}",
                        "label": d.label or d.kind,
                        "due": d.due_on,
                        "state": state,
                    }
                )
            for d in result.reminded:
                out.write(
                    "  "
                    + _("提醒  %(case)s  %(label)s  截止 %(due)s")
                    % {"case": f"{d.case_type}#{d.case_id}", "label": d.label or d.kind, "due": d.due_on}
                )
        for line in jobs:
            out.write(line)
        if result.calendar_missing:
            self.stderr.write(_("注意：%(msg)s（本次只提醒今天到期的期限）") % {"msg": result.calendar_missing})
