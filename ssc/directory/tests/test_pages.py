"""The public page (no log-in): search, filters, near, cards with phones and map link, pagination, errors,
outlet page, ETag, rate limit; public roster versions without internal fields."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.test import Client

from ssc.accounts.choices import Role
from ssc.core.testing import make_outlet
from ssc.registry.models import Outlet
from ssc.roster import services as roster

URL = "/directory/"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def published(world):
    roster.publish(
        outlet_ids=list(Outlet.objects.values_list("pk", flat=True)),
        actor=world.users[Role.CENTER_OFFICER],
        reason="首次发布",
    )
    return world


def card_names(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/directory/outlets/\d+/">([^<]+)</a></h2>', html)


def test_page_without_login(published):
    r = Client().get(URL)
    assert r.status_code == 200
    html = r.content.decode()
    assert sorted(card_names(html)) == sorted(o.name for o in published.outlets.values())
    assert 'href="tel:12333"' in html and 'href="tel:12345"' in html
    assert 'href="tel:023-63000001"' in html and 'href="tel:023-63000002"' in html
    assert "https://uri.amap.com/marker?position=106.577%2C29.5573&amp;name=" in html
    assert "09:00-17:00" in html and "即时制卡" in html
    assert 'name="viewport"' in html
    # Footer: roster version, its date, the versions page, open-data downloads, staff log-in.
    assert "网点名单第 1 版" in html and "/directory/roster/" in html
    for fmt in ("xlsx", "csv", "json", "geojson"):
        assert f"/api/v1/public/roster/?format={fmt}" in html
    assert r["ETag"] and "public" in r["Cache-Control"]
    # Nothing about the visitor: no session cookie, no CSRF token, no staff menu.
    assert not r.cookies and "csrfmiddlewaretoken" not in html


def test_search_and_filters(published):
    w = published
    c = Client()
    assert card_names(c.get(URL, {"q": "gsyh"}).content.decode()) == [
        "中国工商银行重庆解放碑分理处",
        "中国工商银行重庆沙坪坝分理处",
    ]
    assert card_names(c.get(URL, {"q": "解放碑"}).content.decode()) == ["中国工商银行重庆解放碑分理处"]
    html = c.get(URL, {"district": "500106", "bank": "icbc"}).content.decode()
    assert card_names(html) == ["中国工商银行重庆沙坪坝分理处"] and "找到 1 个网点" in html
    assert card_names(c.get(URL, {"instant_issuance": "1"}).content.decode()) == [w.outlets["A"].name]
    assert card_names(c.get(URL, {"service": "apply", "district": w.districts["B"].pk}).content.decode()) == [
        w.outlets["B"].name
    ]


def test_near_shows_distances(published):
    html = Client().get(URL, {"near": "29.5410,106.4566"}).content.decode()
    assert card_names(html)[0] == published.outlets["B"].name
    distances = re.findall(r'<span class="distance"[^>]*>([^<]+)</span>', html)
    assert distances[:2] == ["0 米", "1.1 公里"] and distances[2].endswith("公里")
    assert "不按距离排序" in html


def test_bad_parameters_are_shown_not_500(published):
    for query in ({"near": "abc"}, {"page": "-1"}, {"district": "nowhere"}, {"q": "x" * 300}):
        r = Client().get(URL, query)
        assert r.status_code == 400, query
        assert 'class="field-error"' in r.content.decode()
    assert Client().get(URL, {"q": "%_\\\"'"}).status_code == 200


def test_pagination(published):
    w = published
    for i in range(25):
        make_outlet(
            f"OP-{i:03d}",
            f"中国建设银行重庆分页{i:02d}网点",
            bank=w.banks["B"],
            sub_branch=w.orgs["subB"],
            district=w.districts["B"],
        )
    roster.publish(outlet_ids=list(Outlet.objects.values_list("pk", flat=True)), actor=None)
    cache.clear()
    first = Client().get(URL, {"bank": "ccb"}).content.decode()
    assert len(card_names(first)) == 20 and "第 1 / 2 页" in first
    nxt = re.search(r'href="(\?[^"]*page=2[^"]*)" rel="next"', first).group(1).replace("&amp;", "&")
    second = Client().get(URL + nxt).content.decode()
    assert len(card_names(second)) == 6 and not set(card_names(first)) & set(card_names(second))


def test_hidden_outlet_disappears_from_the_page(published, django_capture_on_commit_callbacks):
    w = published
    assert w.outlets["B"].name in Client().get(URL).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        roster.hide(outlet=w.outlets["B"], actor=w.users[Role.CENTER_OFFICER], reason="退出")
    assert w.outlets["B"].name not in Client().get(URL).content.decode()
    assert Client().get(f"/directory/outlets/{w.outlets['B'].pk}/").status_code == 404


def test_outlet_page(published):
    w = published
    r = Client().get(f"/directory/outlets/{w.outlets['A'].pk}/")
    html = r.content.decode()
    assert r.status_code == 200 and w.outlets["A"].name in html
    assert 'href="tel:95588"' in html and 'href="tel:023-63000002"' in html and "uri.amap.com" in html
    assert Client().get(f"/directory/outlets/{w.outlets['A'].pk}/", HTTP_IF_NONE_MATCH=r["ETag"]).status_code == 304
    assert Client().get("/directory/outlets/999999/").status_code == 404


def test_page_rate_limit(published, settings):
    settings.SSC_PUBLIC_RATE_LIMIT = "2/min"
    c = Client()
    assert c.get(URL).status_code == 200 and c.get(URL).status_code == 200
    r = c.get(URL)
    assert r.status_code == 429 and int(r["Retry-After"]) >= 1 and "12333" in r.content.decode()


def test_page_query_count_is_constant(published, django_assert_max_num_queries):
    w = published
    for i in range(30):
        make_outlet(f"OC-{i:03d}", f"网点{i}", bank=w.banks["A"], sub_branch=w.orgs["subA"], district=w.districts["A"])
    roster.publish(outlet_ids=list(Outlet.objects.values_list("pk", flat=True)), actor=None)
    cache.clear()
    from ssc.directory.views import day_kinds
    from ssc.workcalendar.services import invalidate

    invalidate()
    day_kinds(dt.date(2026, 12, 3))  # the process's working-day table, loaded once (not per request)
    # generation (2), count, page, reference data (3), latest version for the footer.
    with django_assert_max_num_queries(8):
        assert len(card_names(Client().get(URL, {"district": "500103"}).content.decode())) == 20


def test_public_roster_versions_without_internal_fields(published):
    w = published
    Outlet.objects.filter(pk=w.outlets["A"].pk).update(address="渝中区新华路 1 号")
    Outlet.objects.filter(pk=w.outlets["B"].pk).update(status="terminated")
    roster.publish(outlet_ids=[w.outlets["A"].pk, w.outlets["B"].pk], actor=w.users[Role.CENTER_OFFICER], reason="变更")
    publisher = w.users[Role.CENTER_OFFICER]
    listing = Client().get("/directory/roster/")
    html = listing.content.decode()
    assert listing.status_code == 200 and "第 2 版" in html and "第 1 版" in html and "变更" in html
    assert publisher.username not in html and "发布人" not in html
    detail = Client().get("/directory/roster/v/2/").content.decode()
    assert "渝中区新华路 1 号" in detail and 'class="diff-before"' in detail
    assert w.outlets["B"].name in detail and "移除" in detail
    assert publisher.username not in detail and (publisher.get_full_name() or publisher.username) not in detail
    # The removed outlet is not linked; the changed one is (by its public outlet id only).
    assert f"/directory/outlets/{w.outlets['B'].pk}/" not in detail
    assert f"/directory/outlets/{w.outlets['A'].pk}/" in detail
    removed = Client().get("/directory/roster/v/2/", {"kind": "removed"}).content.decode()
    assert w.outlets["B"].name in removed and w.outlets["A"].name not in removed
    assert Client().get("/directory/roster/v/99/").status_code == 404


def test_links_to_the_directory_from_login():
    html = Client().get("/accounts/login/").content.decode()
    assert 'href="/directory/"' in html


def test_open_now_follows_the_working_day_calendar(published):
    """The page carries the kind of yesterday, today and tomorrow from the working-day calendar, so "open now"
    uses weekend hours on a public holiday and weekday hours on a make-up working weekend (directory.js)."""
    from ssc.directory.views import day_kinds
    from ssc.workcalendar.models import CalendarDay

    # Today (Thursday 2026-12-03 on the pinned clock) is a working day; the page says so and is cached per date.
    html = Client().get(URL).content.decode()
    assert 'data-days="2026-12-02:w,2026-12-03:w,2026-12-04:w"' in html
    outlet_html = Client().get(f"{URL}outlets/{published.outlets['A'].pk}/").content.decode()
    assert 'data-days="2026-12-02:w,2026-12-03:w,2026-12-04:w"' in outlet_html
    # A public holiday on a weekday is a rest day; a make-up working weekend a working day.
    holiday = CalendarDay.objects.filter(is_holiday=True, date__week_day__in=[2, 3, 4, 5, 6]).first()
    makeup = CalendarDay.objects.filter(is_workday=True, date__week_day__in=[1, 7]).first()
    assert holiday is not None and makeup is not None
    assert f"{holiday.date.isoformat()}:r" in day_kinds(holiday.date)
    assert f"{makeup.date.isoformat()}:w" in day_kinds(makeup.date)
    # Days the calendar does not cover are left out (the browser then goes by the day of the week).
    assert day_kinds(dt.date(2099, 6, 1)) == ""
