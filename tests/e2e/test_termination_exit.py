"""End to end in headless Chromium: one Art 9(2) exit through the pages (协商一致终止合作). The bank's Chongqing branch
starts "发起退出" from the outlet page (all eight grounds shown, the ones it may not use disabled with the reason),
the district agency agrees, the district leader decides with the decision document, the district officer files with
the center (the outlet turns 退出中), and the center officer closes every system account (all must be ticked). The
outlet then shows 已退出 and is not in the latest roster version. Screenshots at 1366×768 go to
``SSC_E2E_SCREENSHOTS`` (default: the temp directory).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from ._support import BROWSER_TESTS, PDF, SCREENSHOTS
from ._support import session as _session

pytestmark = BROWSER_TESTS
ACCOUNTS = ["CQ-OP-0101", "CQ-OP-0102", "CQ-TM-0101"]


@pytest.fixture
def e2e_world(transactional_db, live_server, settings, tmp_path):
    """The test world with outlet A cooperating: three open system accounts and a published roster entry."""
    from ssc.core.testing import build_world
    from ssc.registry.models import SystemAccount
    from ssc.roster import services as roster

    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world()
    for identifier in ACCOUNTS:
        SystemAccount.objects.create(
            outlet=world.outlets["A"],
            account_type="terminal" if "TM" in identifier else "operator",
            identifier=identifier,
            holder="张三" if identifier.endswith("1") else "",
            opened_on=date(2026, 4, 1),
        )
    roster.publish(outlet_ids=[o.pk for o in world.outlets.values()], actor=None, reason="初始名单")
    return world


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"e2e_termination_{name}.png"), full_page=True)


def _pdf(tmp_path: Path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(PDF)
    return str(path)


def _open_action(page, action: str) -> None:
    page.locator(f'.case-actions a[data-action="{action}"]').click()
    page.wait_for_url(re.compile(rf"/terminations/\d+/actions/{action}/$"))


def test_a_mutual_agreement_exit_through_the_pages(e2e_world, live_server, browser, tmp_path):
    from django.utils import timezone
    from playwright.sync_api import expect

    from ssc.accounts.choices import Role
    from ssc.registry.models import Outlet, SystemAccount
    from ssc.roster.models import RosterEntry, RosterVersion
    from ssc.terminations.models import Termination

    world = e2e_world
    base = live_server.url
    outlet = world.outlets["A"]
    today = timezone.localdate().isoformat()

    # 1. The bank's Chongqing branch starts the exit from the outlet page.
    page = _session(browser, base, world.users[Role.BANK_HEAD_OFFICE])
    page.goto(f"{base}/outlets/{outlet.pk}/")
    panel = page.locator('[data-panel="terminations"]')
    assert "该网点没有解除合作记录" in panel.inner_text()
    panel.get_by_role("link", name="发起退出").click()
    page.wait_for_url(re.compile(rf"/terminations/new/{outlet.pk}/$"))
    options = page.locator(".ground-option")
    assert options.count() == 8
    # 9(1) and 9(2) are the bank's grounds; the district's six are disabled, each with its reason.
    assert page.locator('.ground-option[data-available="1"]').count() == 2
    assert page.locator('input[name="ground"][value="8.1"]').is_disabled()
    assert "您的角色不能依此情形发起解除合作" in page.locator('.ground-option[data-ground="8.1"]').inner_text()
    # Submitting without a ground or reasons: told beside the fields, nothing created.
    page.get_by_role("button", name="发起解除合作").click()
    expect(page.locator('[data-field="ground"] .errorlist')).to_be_visible()
    assert page.locator('[data-field="reasons"] .errorlist').is_visible()
    assert Termination.objects.count() == 0
    page.locator('input[name="ground"][value="9.2"]').check()
    page.get_by_label("事实与理由").fill(
        "总行调整渠道布局，该网点拟撤并，经与区县社保卡管理机构沟通，申请协商终止合作。"
    )
    page.get_by_label("证据材料").set_input_files(_pdf(tmp_path, "申请函.pdf"))
    _shot(page, "1_initiate")
    page.get_by_role("button", name="发起解除合作").click()
    page.wait_for_url(re.compile(r"/terminations/\d+/$"))
    case = Termination.objects.get()
    assert (case.ground, case.state, case.initiator_side) == ("9.2", "initiated", "bank")
    assert "已对" in page.locator(".messages").inner_text()
    _shot(page, "2_initiated")
    page.context.close()
    detail = f"{base}/terminations/{case.pk}/"

    # 2. The district agency, the other side, agrees (9(2)).
    page = _session(browser, base, world.users[Role.DISTRICT_OFFICER])
    page.goto(f"{base}/inbox/")
    page.get_by_role("link", name=re.compile(outlet.name)).first.click()
    page.wait_for_url(detail)
    _open_action(page, "counterparty_agree")
    page.get_by_label("同意日期").fill(today)
    page.get_by_label("同意意见").fill("同意协商终止合作。")
    page.get_by_role("button", name="另一方同意终止").click()
    page.wait_for_url(detail)
    case.refresh_from_db()
    assert case.state == "agreed"
    page.context.close()

    # 3. The district leader decides, with the decision document; confirmation first.
    page = _session(browser, base, world.users[Role.DISTRICT_LEADER])
    page.goto(detail)
    _open_action(page, "decide")
    page.get_by_label("决定日期").fill(today)
    page.get_by_label("解除合作决定书").set_input_files(_pdf(tmp_path, "决定书.pdf"))
    page.get_by_role("button", name="作出解除合作决定").click()  # without the confirmation: refused
    expect(page.locator("#confirm_errors")).to_be_visible()
    page.get_by_label("解除合作决定书").set_input_files(_pdf(tmp_path, "决定书.pdf"))  # files are not kept
    page.locator("#id_confirm").check()
    _shot(page, "3_decide")
    page.get_by_role("button", name="作出解除合作决定").click()
    page.wait_for_url(detail)
    case.refresh_from_db()
    assert case.state == "decided"
    assert Outlet.objects.get(pk=outlet.pk).status == "active"  # still serving until filed
    page.context.close()

    # 4. The district officer files with the center: the outlet turns 退出中 and leaves the public roster view.
    page = _session(browser, base, world.users[Role.DISTRICT_OFFICER])
    page.goto(detail)
    _open_action(page, "file_with_center")
    page.locator("#id_confirm").check()
    page.get_by_role("button", name="报中心备案").click()
    page.wait_for_url(detail)
    case.refresh_from_db()
    assert case.state == "filed"
    assert Outlet.objects.get(pk=outlet.pk).status == "terminating"
    assert RosterEntry.objects.get(outlet=outlet).hidden
    box = page.locator(".case-status .deadline-box")
    assert box.get_attribute("data-deadline") in ("left", "today")
    assert "5个工作日" in box.inner_text()
    _shot(page, "4_filed")
    page.context.close()

    # 5. The center officer closes the accounts: every open account must be ticked.
    page = _session(browser, base, world.users[Role.CENTER_OFFICER])
    page.goto(detail)
    _open_action(page, "close_accounts")
    boxes = page.locator('input[name="accounts"]')
    assert boxes.count() == 3
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_label("关闭日期").fill(today)
    page.locator("#id_confirm").check()
    page.get_by_role("button", name="关闭账户并移出名单").click()
    errors = page.locator('[data-field="accounts"] .errorlist')
    expect(errors).to_be_visible()
    assert "CQ-TM-0101" in errors.inner_text()
    assert SystemAccount.objects.filter(outlet=outlet, closed_on__isnull=True).count() == 3
    _shot(page, "5_close_accounts_refused")
    page.locator('input[name="accounts"][value="CQ-TM-0101"]').check()
    page.locator("#id_confirm").check()
    page.get_by_role("button", name="关闭账户并移出名单").click()
    page.wait_for_url(detail)
    case.refresh_from_db()
    assert case.state == "closed"
    timeline = page.locator(".timeline")
    for label in ("发起解除合作", "另一方同意终止", "作出解除合作决定", "报中心备案", "关闭账户并移出名单"):
        assert label in timeline.inner_text()
    assert page.locator('.case-status .deadline-box[data-deadline="met"]').count() == 1
    _shot(page, "6_closed")

    # The outlet shows 已退出, and the latest roster version no longer lists it.
    page.goto(f"{base}/outlets/{outlet.pk}/")
    assert "已退出" in page.locator("h1").inner_text()
    life = page.locator('[data-panel="life"]')
    assert life.locator('[data-step="terminated"]').get_attribute("aria-current") == "step"
    assert "已退出" in life.inner_text()
    assert not SystemAccount.objects.filter(outlet=outlet, closed_on__isnull=True).exists()
    _shot(page, "7_outlet")
    latest = RosterVersion.objects.order_by("-number").first()
    assert not RosterEntry.objects.filter(outlet=outlet).exists()
    page.goto(f"{base}/roster/v/{latest.number}/")
    removed = page.locator('[data-kind="removed"]')
    assert outlet.name in removed.inner_text()
    _shot(page, "8_roster")
    page.context.close()
