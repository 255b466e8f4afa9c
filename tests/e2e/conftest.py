"""Fixtures of the browser tests (``_support`` holds the helpers)."""

from __future__ import annotations

import os

import pytest

from ._support import launch, new_page

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run under one unless told.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = launch(pw)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    """A desktop page (1366×768, zh-CN), not logged in."""
    pg = new_page(browser)
    try:
        yield pg
    finally:
        pg.context.close()
