"""End to end in headless Chromium (SCENARIOS B.1 → B.2): a 12345 operator logs a complaint against an outlet, the
outlet answers it, and the district officer starting the outlet's evaluation sees the complaint counted (and the
automatic complaints indicator lose its 5 points), then scores the indicators. Screenshots at 1366×768 go to /tmp.
"""

from __future__ import annotations

import re

import pytest

from ._support import BROWSER_TESTS, SCREENSHOTS
from ._support import session as _session

pytestmark = BROWSER_TESTS


@pytest.fixture
def e2e_world(transactional_db, live_server, settings, tmp_path):
    from ssc.core.testing import build_world
    from ssc.evaluations.services import ensure_default_indicator_set

    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_default_indicator_set()  # a flush by an earlier transactional test removes the migration's sets
    return build_world()


def test_a_complaint_answered_by_the_outlet_is_counted_in_its_evaluation(e2e_world, live_server, browser):
    from playwright.sync_api import expect

    from ssc.accounts.choices import Role
    from ssc.evaluations.models import Evaluation
    from ssc.tickets.models import Ticket

    world = e2e_world
    base = live_server.url
    outlet = world.outlets["A"]

    # 1. The 12345 operator logs the complaint (SCENARIOS B.1), finding the outlet by name.
    page = _session(browser, base, world.users[Role.HOTLINE_OPERATOR])
    page.goto(f"{base}/tickets/new/")
    page.locator("#id_outlet_q").fill("解放碑")
    page.get_by_role("button", name="搜索网点").click()
    page.get_by_label(re.compile(outlet.name)).check()
    page.get_by_label("渠道").select_option("12345")
    page.get_by_label("投诉", exact=True).check()
    page.get_by_label("来电内容").fill("网点拒绝为来电人即时制卡。")
    page.get_by_label("联系电话").fill("13812341234")
    page.screenshot(path=str(SCREENSHOTS / "e2e_complaint_log.png"), full_page=True)
    page.get_by_role("button", name="登记工单").click()
    page.wait_for_url(re.compile(r"/tickets/\d+/$"))
    ticket = Ticket.objects.get()
    assert (ticket.category, ticket.state, ticket.outlet_id) == ("complaint", "open", outlet.pk)
    page.context.close()

    # 2. The outlet answers it within the channel's limit.
    page = _session(browser, base, world.users[Role.OUTLET_STAFF])
    page.goto(f"{base}/tickets/{ticket.pk}/")
    page.locator('.case-actions a[data-action="answer"]').click()
    page.get_by_label("答复内容").fill("已联系来电人致歉，并于次日为其即时制卡。")
    page.get_by_role("button", name="答复").click()
    page.wait_for_url(f"{base}/tickets/{ticket.pk}/")
    ticket.refresh_from_db()
    assert ticket.state == "answered"
    page.context.close()

    # 3. The district officer starts the half-year evaluation from the outlet page: the complaint is counted.
    page = _session(browser, base, world.users[Role.DISTRICT_OFFICER])
    page.goto(f"{base}/outlets/{outlet.pk}/")
    page.get_by_role("link", name="开始评价").click()
    page.wait_for_url(re.compile(r"/evaluations/new/\?outlet=\d+$"))
    assert page.get_by_label("网点").input_value() == str(outlet.pk)
    page.get_by_label("评价期").fill("2026H2")
    page.get_by_role("button", name="开始评价").click()
    page.wait_for_url(re.compile(r"/evaluations/\d+/$"))
    ev = Evaluation.objects.get()
    assert ev.complaint_count == 1
    assert page.locator("[data-complaints]").inner_text() == "1"
    complaints_row = page.locator('tr[data-indicator="complaints"]')
    assert "10" in complaints_row.locator(".score-cell").inner_text()  # 15 − 1 × 5
    assert "投诉 1 件" in complaints_row.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "e2e_evaluation_started.png"), full_page=True)

    # 4. The officer scores the indicators: each shows its maximum, the automatic one is not an input.
    page.locator('.case-actions a[data-action="score"]').click()
    page.wait_for_url(re.compile(r"/evaluations/\d+/actions/score/$"))
    assert page.locator('input[name="score.complaints"]').count() == 0
    assert page.locator('input[name="score.premises"]').get_attribute("max") == "10"
    page.locator('input[name="score.premises"]').fill("12")  # above the maximum: refused beside the row
    page.get_by_role("button", name="保存评分").click()
    # The refusal re-renders the same address, so wait for the error rather than for a navigation.
    expect(page.locator('tr[data-indicator="premises"].has-error')).to_have_count(1)
    for code, points in {"premises": "9", "disclosure": "5", "compliance": "9", "efficiency": "13"}.items():
        page.locator(f'input[name="score.{code}"]').fill(points)
    page.locator('input[name="note.efficiency"]').fill("高峰期排队较长")
    page.screenshot(path=str(SCREENSHOTS / "e2e_evaluation_scoring.png"), full_page=True)
    page.get_by_role("button", name="保存评分").click()
    page.wait_for_url(f"{base}/evaluations/{ev.pk}/")
    ev.refresh_from_db()
    assert ev.scores == {"complaints": 10, "premises": 9, "disclosure": 5, "compliance": 9, "efficiency": 13}
    assert "已评 5 / 9 项" in page.content()
    page.context.close()
