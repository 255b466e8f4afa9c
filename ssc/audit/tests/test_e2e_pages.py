"""End to end in headless Chromium: the audit administrator logs in, filters the trail, opens an event's
before/after, verifies the chain. Screenshots at 1366×768 go to /tmp for a human look.

Uses the system Chromium (never ``playwright install``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
SCREENSHOTS = Path(os.environ.get("SSC_E2E_SCREENSHOTS") or tempfile.gettempdir())

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() or shutil.which("chromium")), reason=f"Chromium not found at {CHROMIUM}"
    ),
]


@pytest.fixture
def page():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        pg = context.new_page()
        pg.set_default_timeout(15_000)
        try:
            yield pg
        finally:
            context.close()
            browser.close()


@pytest.fixture
def trail(transactional_db, live_server):
    """The world and 56 events, made before the browser starts (a query made while Playwright's loop runs
    would open a second database connection in this thread)."""
    from ssc.accounts.choices import Role
    from ssc.audit import services
    from ssc.core.testing import build_world

    w = build_world()
    for i in range(55):
        services.record(action="outlet.export", object_type="registry.outlet", object_repr=f"网点清单{i}")
    changed = services.record(
        action="outlet.update",
        obj=w.outlets["A"],
        before={"name": "中国工商银行重庆解放碑分理处", "weekday_hours": "09:00-17:00", "version": 1},
        after={"name": "中国工商银行重庆解放碑支行", "weekday_hours": "08:30-17:30", "version": 2},
        article="7(2)",
        actor=w.users[Role.DISTRICT_OFFICER],
    )
    return w, changed


def test_audit_admin_reads_and_verifies_the_trail(live_server, trail, page):
    from ssc.accounts.choices import Role
    from ssc.core.testing import PASSWORD

    w, changed = trail
    officer = w.users[Role.DISTRICT_OFFICER]

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(w.users[Role.AUDIT_ADMIN].username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_label("密码").press("Enter")
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="审计日志").click()
    page.wait_for_url(f"{live_server.url}/audit/")
    assert page.locator("table.audit-events tbody tr").count() == 50
    assert page.get_by_text("共 56 条事件").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "ssc_audit_list.png"), full_page=False)

    page.locator("#id_action").fill("outlet.update")
    page.locator("#id_action").press("Enter")
    page.wait_for_url("**/audit/?*action=outlet.update*")
    rows = page.locator("table.audit-events tbody tr")
    assert rows.count() == 1 and officer.username in rows.first.inner_text()

    page.get_by_role("link", name=str(changed.seq), exact=True).click()
    page.wait_for_url(f"{live_server.url}/audit/{changed.seq}/")
    assert page.locator("tr.changed").count() == 3
    assert page.get_by_text("中国工商银行重庆解放碑支行").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "ssc_audit_detail.png"), full_page=True)

    page.goto(f"{live_server.url}/audit/")
    page.get_by_role("button", name="校验审计链").click()
    page.wait_for_url(f"{live_server.url}/audit/verify/")
    assert page.get_by_text("已校验 56 条事件，哈希链完整").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "ssc_audit_verify.png"), full_page=False)
