"""What the browser tests share: Debian's Chromium (never ``playwright install``), the markers, pages and log-in.

Screenshots go to ``SSC_E2E_SCREENSHOTS`` (default: the temp directory) for a human look.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(os.environ.get("SSC_E2E_SCREENSHOTS") or tempfile.gettempdir())
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DESKTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "zh-CN"}

# ``pytestmark = BROWSER_TESTS`` in every module here (CI sets SSC_REQUIRE_BROWSER=1: never skipped there).
BROWSER_TESTS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() or shutil.which("chromium")), reason=f"Chromium not found at {CHROMIUM}"
    ),
]


def launch(pw: Any) -> Any:
    """Debian's headless Chromium from a ``sync_playwright()`` handle."""
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def new_page(browser: Any, **context_options: Any) -> Any:
    """A page in a fresh context (desktop 1366×768, zh-CN unless told otherwise), 15 s timeouts."""
    page = browser.new_context(**{**DESKTOP, **context_options}).new_page()
    page.set_default_timeout(15_000)
    return page


def log_in(page: Any, base: str, user: Any) -> None:
    from ssc.core.testing import PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def session(browser: Any, base: str, user: Any) -> Any:
    """A fresh browser context logged in as ``user``."""
    page = new_page(browser)
    log_in(page, base, user)
    return page
