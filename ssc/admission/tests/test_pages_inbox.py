"""The inbox page (待办): what waits on me, soonest deadline first, overdue in red with working days late."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ssc.accounts.choices import Role
from ssc.admission import services
from ssc.core.errors import CalendarMissing
from ssc.core.testing import make_outlet
from ssc.deadlines.models import Deadline
from ssc.workcalendar import services as cal

from .conftest import walk

R = Role
pytestmark = pytest.mark.django_db


def _draft(world, code, name):
    outlet = make_outlet(
        code,
        name,
        bank=world.banks["A"],
        sub_branch=world.orgs["subA"],
        district=world.districts["A"],
        status="applying",
    )
    return services.application_create(actor=world.users[R.BANK_APPLICANT], outlet_id=outlet.pk)


def _deadline(app, due):
    Deadline.objects.create(
        case_type="application", case_id=app.pk, kind="test", started_on=due - timedelta(days=7), due_on=due
    )


def test_inbox_order_and_deadline_marks(client, world):
    today = timezone.localdate()
    none = _draft(world, "OA-201", "无期限网点")
    later = _draft(world, "OA-202", "以后到期网点")
    overdue = _draft(world, "OA-203", "已超期网点")
    due_today = _draft(world, "OA-204", "今天到期网点")
    _deadline(later, today + timedelta(days=7))
    _deadline(overdue, today - timedelta(days=7))
    _deadline(due_today, today)
    client.force_login(world.users[R.BANK_APPLICANT])
    response = client.get(reverse("admission:inbox"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["application"].pk for r in rows] == [overdue.pk, due_today.pk, later.pk, none.pk]
    assert [r["deadline"].kind for r in rows] == ["overdue", "today", "left", "none"]
    assert all(r["task"] == "提交申请" for r in rows)
    html = response.content.decode()
    assert re.search(r'<tr class="row-overdue">.*?已超期网点', html, re.S)
    assert 'class="deadline overdue overdue"' in html and 'class="deadline today due-today"' in html
    try:
        late = cal.workdays_between(today - timedelta(days=7), today)
    except CalendarMissing:
        late = None
    if late is not None:
        assert f"已超期 {late} 个工作日" in html
    assert "今天到期" in html
    assert response.context["counts"] == [{"task": "提交申请", "count": 4}]
    assert response.context["overdue"] == 1 and response.context["due_today"] == 1


def test_inbox_per_role(client, world, draft):
    app = walk(world, draft, until="record_site_verification")  # submitted: waits on the district officer
    client.force_login(world.users[R.DISTRICT_OFFICER])
    rows = client.get(reverse("admission:inbox")).context["rows"]
    assert [r["application"].pk for r in rows] == [app.pk]
    assert rows[0]["task"] == "退回补正／记录现场核实"
    for user in (world.users[R.BANK_APPLICANT], world.users[R.CENTER_OFFICER], world.other[R.DISTRICT_OFFICER]):
        client.force_login(user)
        response = client.get(reverse("admission:inbox"))
        assert response.context["rows"] == []
        assert "暂无待办事项" in response.content.decode()


def test_center_inbox_shows_the_five_day_deadline(client, world, draft):
    app = walk(world, draft, until="open_accounts")
    client.force_login(world.users[R.CENTER_OFFICER])
    response = client.get(reverse("admission:inbox"))
    rows = response.context["rows"]
    assert [r["application"].pk for r in rows] == [app.pk]
    assert str(rows[0]["deadline"].due_on) == "2026-04-03"
    assert rows[0]["deadline"].kind == "overdue"  # the scenario ran in March/April 2026
    page = client.get(reverse("admission:application_detail", args=[app.pk])).content.decode()
    assert "市社保卡服务中心开通账户、更新名单（5个工作日）" in page and "2026-04-03" in page
    assert "已超期" in page and 'class="deadline-box overdue"' in page
