"""End to end in headless Chromium on a phone-sized screen (390×844, touch): a cardholder searches the public
directory by pinyin initials, filters, finds the outlets near him (browser location, converted to GCJ-02) and
opens one. Screenshots go to ``SSC_E2E_SCREENSHOTS`` (default: the temp directory) for a human look.

Uses the system Chromium (never ``playwright install``).
"""

from __future__ import annotations

import pytest

from ._support import BROWSER_TESTS, SCREENSHOTS, new_page

pytestmark = BROWSER_TESTS


@pytest.fixture
def directory_world(transactional_db, live_server):
    from django.core.cache import cache

    from ssc.core.testing import build_world
    from ssc.registry.models import Outlet
    from ssc.roster import services as roster

    world = build_world()
    roster.publish(outlet_ids=list(Outlet.objects.values_list("pk", flat=True)), actor=None, reason="首次发布")
    cache.clear()
    return world


@pytest.fixture
def phone(browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pg = new_page(
        browser,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        # What the phone reports (WGS-84), about 1.2 km south of outlet B in 沙坪坝.
        geolocation={"latitude": 29.5300, "longitude": 106.4566},
        permissions=["geolocation"],
    )
    try:
        yield pg
    finally:
        pg.context.close()


def names(page) -> list[str]:
    return page.locator(".cards .card h2").all_inner_texts()


def test_search_filter_near_and_open_an_outlet(directory_world, live_server, phone):
    w = directory_world
    page = phone
    page.goto(f"{live_server.url}/directory/")
    assert page.locator(".hotline", has_text="12333").is_visible()
    assert page.locator(".hotline", has_text="12345").is_visible()
    assert len(names(page)) == 3
    page.screenshot(path=str(SCREENSHOTS / "directory-1-home.png"), full_page=True)

    # Search by pinyin initials (工商银行 → gsyh).
    page.fill("#q", "gsyh")
    page.click("button.primary")
    page.wait_for_url("**q=gsyh**")
    assert sorted(names(page)) == sorted([w.outlets["A"].name, w.outlets["AB"].name])
    page.screenshot(path=str(SCREENSHOTS / "directory-2-gsyh.png"), full_page=True)

    # A quick filter submits at once (JavaScript on): district 沙坪坝区.
    page.select_option("select[name=district]", "500106")
    page.wait_for_url("**district=500106**")
    assert names(page) == [w.outlets["AB"].name]

    # Start again: 附近网点 uses the phone's location and sorts by distance, showing it.
    page.goto(f"{live_server.url}/directory/")
    page.click("#near-button")
    page.wait_for_url("**near=**")
    assert names(page)[0] == w.outlets["B"].name
    distances = page.locator(".cards .distance").all_inner_texts()
    assert len(distances) == 3 and distances[0].endswith(("米", "公里"))
    near = page.input_value("#near")
    lat, lng = (float(x) for x in near.split(","))
    # The browser reported WGS-84; the page sent GCJ-02 (shifted by a few hundred metres in Chongqing).
    assert 0.001 < abs(lat - 29.5300) + abs(lng - 106.4566) < 0.01
    page.screenshot(path=str(SCREENSHOTS / "directory-3-near.png"), full_page=True)

    # Only outlets issuing cards on the spot, still nearest first.
    page.check("input[name=instant_issuance]")
    page.wait_for_url("**instant_issuance=1**")
    assert names(page) == [w.outlets["A"].name]
    card = page.locator(".cards .card").first
    assert card.locator("a.call").get_attribute("href") == "tel:023-63000001"
    assert card.locator("a.nav").get_attribute("href").startswith("https://uri.amap.com/marker?position=106.577")
    assert card.locator(".open-now").inner_text() in ("营业中", "已休息")

    # Open the outlet.
    card.locator("h2 a").click()
    page.wait_for_url(f"**/directory/outlets/{w.outlets['A'].pk}/")
    assert page.locator("h1").inner_text() == w.outlets["A"].name
    assert page.locator("a[href='tel:95588']").is_visible()
    assert page.locator("a.nav").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "directory-4-outlet.png"), full_page=True)

    # Nothing overflows the phone's width.
    for url in ("/directory/", "/directory/roster/", "/directory/roster/v/1/"):
        page.goto(f"{live_server.url}{url}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (url, overflow)
    page.screenshot(path=str(SCREENSHOTS / "directory-5-version.png"), full_page=True)


def test_readable_without_javascript(directory_world, live_server, browser):
    page = new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True, java_script_enabled=False)
    try:
        page.goto(f"{live_server.url}/directory/")
        assert len(names(page)) == 3
        assert not page.locator("#near-button").is_visible()  # needs JavaScript: hidden
        page.select_option("select[name=bank]", "ccb")
        page.click("button.apply-filters")  # without JavaScript the filters apply with a button
        page.wait_for_url("**bank=ccb**")
        assert names(page) == [directory_world.outlets["B"].name]
        page.screenshot(path=str(SCREENSHOTS / "directory-6-nojs.png"), full_page=True)
    finally:
        page.context.close()
