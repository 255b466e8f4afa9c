"""Calendar pages: any staff member views; the center enters a year (preview → confirm) or adjusts a day."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from ssc.accounts.choices import Role
from ssc.audit.models import AuditEvent
from ssc.workcalendar import services
from ssc.workcalendar.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

ENTRY_2027 = {
    "year": "2027",
    "notice": "测试用通知（2027）",
    "holidays": (
        "2027-01-01~2027-01-03 元旦\n# 注释行\n\n2027-02-05～2027-02-13 春节\n2027年10月1日至2027年10月7日 国庆节"
    ),
    "makeup_workdays": "2027-02-20 春节\n2027-09-26",
}


def login(client, world, role):
    client.force_login(world.users[role])
    return client


def cell(html: str, day: date) -> str:
    m = re.search(rf'<td class="[a-z_]+" title="[^"]*" data-date="{day.isoformat()}".*?</td>', html, re.S)
    assert m, day
    return m.group(0)


def test_index_lists_years_and_hides_entry_from_district(client, world):
    r = login(client, world, Role.DISTRICT_OFFICER).get(reverse("workcalendar:calendar"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "国办发明电〔2024〕12号" in html
    assert reverse("workcalendar:year", args=[2026]) in html
    assert reverse("workcalendar:enter") not in html


def test_index_shows_entry_to_center(client, world):
    html = login(client, world, Role.CENTER_LEADER).get(reverse("workcalendar:calendar")).content.decode()
    assert reverse("workcalendar:enter") in html


def test_anonymous_is_sent_to_login(client):
    r = client.get(reverse("workcalendar:calendar"))
    assert r.status_code == 302 and reverse("accounts:login") in r["Location"]


def test_calculator(client, world):
    c = login(client, world, Role.DISTRICT_OFFICER)
    url = reverse("workcalendar:calendar")
    html = c.get(url, {"start": "2026-02-13", "amount": 5, "unit": "workdays"}).content.decode()
    assert '<strong id="calc-due">2026-02-27</strong>' in html
    html = c.get(url, {"start": "2026-04-05", "amount": 3, "unit": "months"}).content.decode()
    assert '<strong id="calc-due">2026-07-06</strong>' in html and "2026-07-05" in html
    r = c.get(url, {"start": "2026-12-25", "amount": 5, "unit": "workdays"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "尚未录入2027年工作日历" in html and "calc-due" not in html
    html = c.get(url, {"start": "not-a-date", "amount": 0, "unit": "workdays"}).content.decode()
    assert 'class="errorlist' in html and "calc-due" not in html


def test_year_page_distinguishes_kinds_by_text(client, world):
    r = login(client, world, Role.DISTRICT_OFFICER).get(reverse("workcalendar:year", args=[2026]))
    assert r.status_code == 200
    html = r.content.decode()
    assert html.count('class="cal-month"') == 12
    makeup = cell(html, date(2026, 2, 14))
    assert 'data-kind="makeup_workday"' in makeup and ">班<" in makeup and "调休上班日" in makeup
    holiday = cell(html, date(2026, 2, 16))
    assert 'data-kind="holiday"' in holiday and ">假<" in holiday and "春节" in holiday
    rest = cell(html, date(2026, 3, 7))
    assert 'data-kind="rest"' in rest and ">休<" in rest
    work = cell(html, date(2026, 3, 9))
    assert 'data-kind="workday"' in work and "工作日" in work
    assert "调整单日" not in html  # district officers do not edit


def test_missing_year_page(client, world):
    r = login(client, world, Role.CENTER_OFFICER).get(reverse("workcalendar:year", args=[2027]))
    assert r.status_code == 404
    html = r.content.decode()
    assert "尚未录入2027年工作日历" in html
    assert reverse("workcalendar:enter") + "?year=2027" in html


def test_center_enters_a_year_with_preview_and_confirmation(client, world):
    c = login(client, world, Role.CENTER_OFFICER)
    url = reverse("workcalendar:enter")
    assert c.get(url).status_code == 200
    # step 1: check → preview, nothing saved yet
    r = c.post(url, {**ENTRY_2027, "step": "check"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "确认录入2027年工作日历" in html
    assert 'data-kind="makeup_workday"' in cell(html, date(2027, 2, 20))
    assert 'data-kind="holiday"' in cell(html, date(2027, 10, 7))
    assert not CalendarYear.objects.filter(year=2027).exists()
    # "back to edit" keeps what was typed
    r = c.post(url, {**ENTRY_2027, "step": "edit"})
    assert r.status_code == 200 and "2027-02-20 春节" in r.content.decode()
    # step 2: confirm → saved, audited, redirected to the year
    r = c.post(url, {**ENTRY_2027, "step": "confirm"})
    assert r.status_code == 302 and r["Location"] == reverse("workcalendar:year", args=[2027])
    row = CalendarYear.objects.get(year=2027)
    assert row.source == "manual" and row.entered_by == world.users[Role.CENTER_OFFICER]
    assert CalendarDay.objects.get(date=date(2027, 10, 1)).holiday_name == "国庆节"
    assert AuditEvent.objects.filter(action="calendar_year.enter", object_id="2027").exists()
    assert services.add_workdays(date(2026, 12, 25), 5) == date(2027, 1, 4)
    html = c.get(r["Location"]).content.decode()
    assert "2027年工作日历已录入" in html


def test_entry_validation_messages(client, world):
    c = login(client, world, Role.CENTER_OFFICER)
    data = {
        "year": "2027",
        "notice": "",
        "holidays": "2027-01-01~2027-01-03 元旦\n2027-02-30 春节\n元宵节",
        "makeup_workdays": "2027-03-03",
        "step": "check",
    }
    r = c.post(reverse("workcalendar:enter"), data)
    assert r.status_code == 400
    html = r.content.decode()
    assert "第2行" in html and "日期不存在" in html
    assert "第3行" in html and "格式应为" in html
    assert not CalendarYear.objects.filter(year=2027).exists()
    # the lines parse, but the arrangement is wrong: messages come from the service's rules
    data.update(notice="x", holidays="2027-01-01~2027-01-03 元旦", makeup_workdays="2027-03-03\n2027-01-02")
    html = c.post(reverse("workcalendar:enter"), data).content.decode()
    assert "不是周六或周日" in html and "已在放假安排" in html
    # a confirm with bad data saves nothing
    r = c.post(reverse("workcalendar:enter"), {**data, "step": "confirm"})
    assert r.status_code == 400 and not CalendarYear.objects.filter(year=2027).exists()


def test_re_entry_is_prefilled_and_warns(client, world):
    c = login(client, world, Role.CENTER_OFFICER)
    html = c.get(reverse("workcalendar:enter"), {"year": 2026}).content.decode()
    assert "2026-02-15~2026-02-23 春节" in html and "2026-02-14 春节" in html
    data = {
        "year": "2026",
        "notice": "国办发明电（测试）",
        "holidays": "2026-01-01~2026-01-03 元旦",
        "makeup_workdays": "",
        "step": "check",
    }
    html = c.post(reverse("workcalendar:enter"), data).content.decode()
    assert "整体替换" in html


@pytest.mark.parametrize("role", [Role.DISTRICT_OFFICER, Role.DISTRICT_LEADER, Role.BANK_APPLICANT, Role.REGULATOR])
def test_others_may_view_but_not_edit(client, world, role):
    c = login(client, world, role)
    assert c.get(reverse("workcalendar:year", args=[2026])).status_code == 200
    assert c.get(reverse("workcalendar:enter")).status_code == 403
    assert c.post(reverse("workcalendar:enter"), {**ENTRY_2027, "step": "confirm"}).status_code == 403
    day = {"date": "2026-03-02", "kind": "rest", "reason": "x"}
    assert c.post(reverse("workcalendar:day_set", args=[2026]), day).status_code == 403
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert CalendarDay.objects.get(date=date(2026, 3, 2)).is_workday


def test_center_adjusts_one_day(client, world):
    c = login(client, world, Role.SYSTEM_ADMIN)
    url = reverse("workcalendar:day_set", args=[2026])
    assert "调整单日" in c.get(reverse("workcalendar:year", args=[2026])).content.decode()
    r = c.post(url, {"date": "2026-03-02", "kind": "holiday", "holiday_name": "临时假日", "reason": "测试"})
    assert r.status_code == 302
    day = CalendarDay.objects.get(date=date(2026, 3, 2))
    assert day.is_holiday and day.holiday_name == "临时假日"
    assert not services.is_workday(date(2026, 3, 2))
    # errors: a holiday without a name, a date of another year, no reason
    r = c.post(url, {"date": "2026-03-03", "kind": "holiday", "holiday_name": "", "reason": ""})
    assert r.status_code == 400
    html = r.content.decode()
    assert "请填写节日名称" in html
    r = c.post(url, {"date": "2025-03-03", "kind": "rest", "reason": "x"})
    assert r.status_code == 400 and "必须在2026年内" in r.content.decode()
    assert services.is_workday(date(2026, 3, 3))


def test_menu_links_to_the_calendar(client, world):
    html = login(client, world, Role.CENTER_OFFICER).get(reverse("workcalendar:calendar")).content.decode()
    assert 'aria-current="page"' in html
