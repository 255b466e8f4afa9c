"""``manage.py sweep_deadlines``: runs the sweep with notifications and prints a summary."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ssc.accounts.choices import Role
from ssc.deadlines.models import Deadline
from ssc.notifications.models import Notification


def run(*args: str) -> str:
    out = StringIO()
    call_command("sweep_deadlines", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_command_sweeps_and_prints_a_summary(world):
    d = Deadline.objects.create(
        case_type="application",
        case_id=7,
        kind="center_open_accounts",
        label="中心开通账户",
        responsible="center",
        started_on=date(2026, 2, 13),
        due_on=date(2026, 2, 27),
    )
    out = run("--today", "2026-03-02")
    assert out.startswith("2026-03-02 期限巡检：新超期 1 项，超期上报 1 项，到期提醒 0 项")
    assert "application#7" in out and "截止 2026-02-27" in out
    d.refresh_from_db()
    assert d.status == "missed"
    assert Notification.objects.filter(user=world.users[Role.CENTER_LEADER], kind="deadline.escalation").count() == 1
    again = run("--today", "2026-03-02", "--quiet")
    assert "新超期 0 项" in again and "发出通知 0 条" in again


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["2026-02-30", "yesterday", "20260302"])
def test_command_refuses_a_bad_date(world, bad):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--today", bad)
