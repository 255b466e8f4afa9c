"""End to end in headless Chromium: a district officer logs in, finds an outlet by pinyin initials, opens it.

Uses the system Chromium (never ``playwright install``). Screenshots of the home page and the outlet list
at 1366×768 go to /tmp for a human look.
"""

from __future__ import annotations

import pytest

from ._support import BROWSER_TESTS, SCREENSHOTS

pytestmark = BROWSER_TESTS


@pytest.fixture
def e2e_world(transactional_db, live_server):
    from ssc.core.testing import build_world

    return build_world()


def test_district_officer_logs_in_and_finds_an_outlet_by_pinyin_initials(live_server, e2e_world, page):
    from ssc.accounts.choices import Role
    from ssc.core.testing import PASSWORD

    user = e2e_world.users[Role.DISTRICT_OFFICER]
    outlet = e2e_world.outlets["A"]

    # Anonymous → the log-in page.
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    # Home: the inbox section and the district's counts.
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="待办").is_visible()
    assert page.get_by_text("暂无待办事项").is_visible()
    assert page.get_by_text(user.organisation.name).first.is_visible()
    page.screenshot(path=str(SCREENSHOTS / "ssc_home_district_officer.png"), full_page=False)

    # The menu leads to the outlet list; search by pinyin initials.
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="网点", exact=True).click()
    page.wait_for_url(f"{live_server.url}/outlets/")
    page.get_by_label("关键字").fill("jfb")
    page.get_by_label("关键字").press("Enter")
    page.wait_for_url("**/outlets/?q=jfb*")
    rows = page.locator("table.outlets tbody tr")
    assert rows.count() == 1
    assert outlet.name in rows.first.inner_text()
    assert page.get_by_text("共 1 个网点").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "ssc_outlet_list_search.png"), full_page=False)

    # Open it.
    page.get_by_role("link", name=outlet.name).click()
    page.wait_for_url(f"{live_server.url}/outlets/{outlet.pk}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith(outlet.name)
    assert page.get_by_text(outlet.code).first.is_visible()
    assert page.get_by_role("link", name="修改网点信息").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "ssc_outlet_detail.png"), full_page=True)


def test_center_pages_screenshots(live_server, e2e_world, page):
    """The city-level home (tables by district and bank), a long list with pagination, the edit form with an
    error, the import page and the log-in error, for a visual check at 1366×768."""
    from playwright.sync_api import expect

    from ssc.accounts.choices import Role
    from ssc.core.testing import PASSWORD, make_outlet

    w = e2e_world
    for i in range(62):
        make_outlet(
            f"OX-{i:04d}",
            f"中国建设银行重庆沙坪坝第{i}储蓄所",
            bank=w.banks["B"],
            sub_branch=w.orgs["subB"],
            district=w.districts["B"],
            address=f"重庆市沙坪坝区小龙坎正街{i}号附{i % 7}号（沙坪坝区人民政府对面）",
        )
    user = w.users[Role.CENTER_OFFICER]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_label("密码").press("Enter")  # keyboard only
    assert page.get_by_role("alert").inner_text().startswith("用户名或密码错误")
    page.screenshot(path=str(SCREENSHOTS / "ssc_login_error.png"))
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_label("密码").press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="各区县网点").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "ssc_home_center.png"), full_page=True)

    page.goto(f"{live_server.url}/outlets/")
    assert page.locator("table.outlets tbody tr").count() == 50
    assert page.get_by_text("共 65 个网点").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "ssc_outlet_list.png"), full_page=False)
    page.get_by_role("link", name="下一页").click()
    expect(page.locator("table.outlets tbody tr")).to_have_count(15)

    page.goto(f"{live_server.url}/outlets/{w.outlets['A'].pk}/edit/")
    page.get_by_label("工作日营业时间").fill("9点-17点")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#id_weekday_hours_errors")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "ssc_outlet_edit_error.png"), full_page=True)

    page.goto(f"{live_server.url}/outlets/import/")
    page.screenshot(path=str(SCREENSHOTS / "ssc_outlet_import.png"))
