"""``ssc.directory.search``: text, pinyin initials, filters, distance order and values, hidden outlets."""

from __future__ import annotations

import json
import math

import pytest

from ssc.accounts.choices import Role
from ssc.core.testing import make_outlet
from ssc.directory import search as s
from ssc.registry.models import Outlet
from ssc.roster import services as roster
from ssc.roster.models import RosterEntry


def publish_all(world):
    everyone = Outlet.objects.values_list("pk", flat=True)
    return roster.publish(outlet_ids=everyone, actor=world.users[Role.CENTER_OFFICER])


def ids(rows):
    return [r["id"] for r in rows]


@pytest.fixture
def published(world):
    publish_all(world)
    return world


def test_haversine_against_known_geometry():
    # One degree of latitude along a meridian: πR/180.
    assert s.haversine_m(29.0, 106.5, 30.0, 106.5) == pytest.approx(111_195, abs=1)
    # One degree of longitude on the equator: the same; at 60° north half of it.
    assert s.haversine_m(0.0, 0.0, 0.0, 1.0) == pytest.approx(111_195, abs=1)
    assert s.haversine_m(60.0, 0.0, 60.0, 1.0) == pytest.approx(111_195 * math.cos(math.radians(60)), rel=2e-3)
    # 解放碑 → 沙坪坝 三峡广场, about 11.6 km as the crow flies.
    assert s.haversine_m(29.5573, 106.5770, 29.5410, 106.4566) == pytest.approx(11_790, rel=0.02)


def test_terms_are_normalised():
    assert s.terms("  ＧＳＹＨ　解放碑,工行 ") == ["gsyh", "解放碑", "工行"]
    assert s.terms(None) == [] and s.terms("   ") == []
    assert s.terms("a\x00b\u200bc") == ["a", "b", "c"]
    assert len(s.terms("a b c d e f g")) == s.MAX_TERMS


def test_search_by_chinese_text(published):
    w = published
    count, rows = s.search(q="解放碑")
    assert count == 1 and ids(rows) == [w.outlets["A"].pk]
    count, rows = s.search(q="工商银行")
    assert count == 2 and set(ids(rows)) == {w.outlets["A"].pk, w.outlets["AB"].pk}
    # An address matches too, and several terms must all match.
    count, rows = s.search(q="沙坪坝区某路")
    assert set(ids(rows)) == {w.outlets["B"].pk, w.outlets["AB"].pk}
    assert ids(s.search(q="工商银行 沙坪坝")[1]) == [w.outlets["AB"].pk]
    assert s.search(q="不存在的网点") == (0, [])


def test_search_by_pinyin_initials_and_full_pinyin(published):
    w = published
    assert set(ids(s.search(q="gsyh")[1])) == {w.outlets["A"].pk, w.outlets["AB"].pk}
    assert set(ids(s.search(q="GSYH")[1])) == {w.outlets["A"].pk, w.outlets["AB"].pk}
    # 支行 reads zhī háng: 沙坪坝支行营业部 has the initials "spbzhyyb" (not "spbzxyyb").
    assert ids(s.search(q="spbzh")[1]) == [w.outlets["B"].pk]
    assert ids(s.search(q="zhyyb")[1]) == [w.outlets["B"].pk]
    assert s.search(q="zxyyb")[0] == 0
    # Without a vowel a term is initials only: "zh" is 支行 (zhī háng), not the "zh" of every 中国 (zhongguo).
    assert ids(s.search(q="zh")[1]) == [w.outlets["B"].pk]
    assert ids(s.search(q="jiefangbei")[1]) == [w.outlets["A"].pk]
    assert ids(s.search(q="gsyh spb")[1]) == [w.outlets["AB"].pk]


def test_each_filter(published):
    w = published
    a, b, ab = w.outlets["A"].pk, w.outlets["B"].pk, w.outlets["AB"].pk
    assert set(ids(s.search(district=w.districts["B"].pk)[1])) == {b, ab}
    assert set(ids(s.search(bank=w.banks["A"].pk)[1])) == {a, ab}
    assert set(ids(s.search(service="apply")[1])) == {a, b}
    assert ids(s.search(service="instant_issuance")[1]) == [a]
    assert ids(s.search(instant_issuance=True)[1]) == [a]
    assert set(ids(s.search(instant_issuance=False)[1])) == {b, ab}
    assert ids(s.search(district=w.districts["B"].pk, bank=w.banks["A"].pk)[1]) == [ab]
    assert s.search(district=w.districts["A"].pk, service="pin_reset") == (0, [])


def test_pagination(published):
    count, rows = s.search(page_size=2)
    assert count == 3 and len(rows) == 2
    count, rows2 = s.search(page=2, page_size=2)
    assert count == 3 and len(rows2) == 1 and not set(ids(rows)) & set(ids(rows2))
    assert s.search(page=3, page_size=2) == (3, [])


def test_hidden_and_non_public_outlets_never_appear(published):
    w = published
    assert s.search()[0] == 3
    roster.hide(outlet=w.outlets["B"], actor=w.users[Role.CENTER_OFFICER], reason="终止")
    count, rows = s.search()
    assert count == 2 and w.outlets["B"].pk not in ids(rows)
    assert s.search(q="建设银行") == (0, [])
    assert s.search(near=(29.5410, 106.4566))[0] == 2
    # One two-character term or two initials letters are counted from the bigram table: less the hidden entry.
    assert s.exact_gram(s.plan("建设")) == "建设" and s.exact_gram(s.plan("js")) == "#js"
    assert s.search(q="建设")[0] == 0 and s.search(q="js")[0] == 0
    entries = RosterEntry.objects.all()
    pairs = {t[i : i + 2] for e in entries for t in (e.name, e.address, e.name_initials) for i in range(len(t) - 1)}
    for t in sorted(x for x in pairs if s.terms(x) == [x]):
        expected = _plain_initials_ids([t]) if s.is_initials_term(t) else _plain_ids([t])
        assert s.search(q=t, page_size=200) == s.raw_sql_floor(q=t, page_size=200), t
        assert s.search(q=t)[0] == len(expected), t
    # An outlet that never reached a public status is not in the roster at all.
    pending = make_outlet(
        "OA-009",
        "中国工商银行重庆申请中网点",
        bank=w.banks["A"],
        sub_branch=w.orgs["subA"],
        district=w.districts["A"],
        status="applying",
    )
    roster.publish(outlet_ids=[pending.pk, w.outlets["B"].pk], actor=w.users[Role.CENTER_OFFICER])
    assert s.search(q="申请中")[0] == 0
    assert not RosterEntry.objects.filter(pk=pending.pk).exists()


def _grid(world):
    """Outlets due north of a centre point at known distances (metres)."""
    lat0, lng0 = 29.50, 106.50
    distances = [50, 400, 1_200, 2_900, 3_100, 9_000, 20_000, 150_000]
    made = {}
    for i, d in enumerate(distances):
        o = make_outlet(
            f"GR-{i:03d}",
            f"网格网点{i}",
            bank=world.banks["A"],
            sub_branch=world.orgs["subA"],
            district=world.districts["A"],
            lat=lat0 + d / s.METRES_PER_DEGREE,
            lng=lng0,
        )
        made[d] = o.pk
    # One due east at 2 km (the longitude scale matters).
    east = make_outlet(
        "GR-E",
        "网格东",
        bank=world.banks["B"],
        sub_branch=world.orgs["subB"],
        district=world.districts["B"],
        lat=lat0,
        lng=lng0 + 2_000 / (s.METRES_PER_DEGREE * math.cos(math.radians(lat0))),
    )
    made[2_000] = east.pk
    return (lat0, lng0), made


def test_near_sorts_by_distance_with_true_distances(world):
    centre, made = _grid(world)
    publish_all(world)
    count, rows = s.search(near=centre, bank=None, page_size=50)
    expected_order = [made[d] for d in sorted(made)]
    grid_rows = [r for r in rows if r["id"] in made.values()]
    assert ids(grid_rows) == expected_order
    for r in grid_rows:
        d = next(k for k, v in made.items() if v == r["id"])
        assert abs(r["distance_m"] - d) <= max(2, d * 0.001)
    distances = [r["distance_m"] for r in rows]
    assert distances == sorted(distances) and count == len(made) + 3


@pytest.mark.parametrize("page_size", [1, 2, 3, 4, 7])
def test_near_pages_are_consistent_whatever_the_box(world, page_size):
    centre, _ = _grid(world)
    publish_all(world)
    total, everything = s.search(near=centre, page_size=200)
    seen = []
    page = 1
    while True:
        count, rows = s.search(near=centre, page=page, page_size=page_size)
        assert count == total
        if not rows:
            break
        seen += ids(rows)
        page += 1
    assert seen == ids(everything)


def test_near_with_filters(world):
    centre, made = _grid(world)
    publish_all(world)
    count, rows = s.search(near=centre, bank=world.banks["B"].pk)
    assert ids(rows)[0] == made[2_000]
    assert count == 2  # the grid's eastern outlet and outlet B


def test_raw_sql_floor_gives_the_same_results(world):
    centre, _ = _grid(world)
    publish_all(world)
    cases = [
        {},
        {"q": "gsyh"},
        {"q": "工商银行", "page_size": 2, "page": 2},
        {"district": world.districts["B"].pk, "service": "apply"},
        {"near": centre, "page_size": 5},
        {"near": centre, "instant_issuance": False, "page": 2, "page_size": 3},
        {"q": "100%_"},
        {"q": "jiefangbei 88", "bank": world.banks["A"].pk},
        {"q": "解放 碑", "instant_issuance": True},
        {"q": "沙坪坝区某路", "service": "apply"},
    ]
    for kwargs in cases:
        assert s.raw_sql_floor(**kwargs) == s.search(**kwargs), kwargs
        # The hand-written WHERE matches exactly what the ORM filter (filtered) matches.
        filters = {k: v for k, v in kwargs.items() if k not in ("near", "page", "page_size")}
        assert s.filtered(**filters).count() == s.search(**kwargs)[0], kwargs


def test_query_count_is_constant(published, django_assert_max_num_queries):
    # Text terms: the bigram probe (roster 0004/0006), the count and one page query.
    with django_assert_max_num_queries(3):
        s.search(q="gsyh", district=published.districts["A"].pk)
    # The nearest outlet lies within the first box: the count and one page query.
    with django_assert_max_num_queries(2):
        assert len(s.search(near=(29.5573, 106.5770), page_size=1)[1]) == 1
    # Sparse data: the box grows a bounded number of times, whatever the number of rows.
    with django_assert_max_num_queries(2 + len(s.NEAR_RADII_M)):
        assert len(s.search(near=(29.55, 106.5))[1]) == 3


def test_full_text_table_follows_every_change(published):
    """SQLite's trigram table is kept in step by triggers (insert, update, delete of roster entries)."""
    w = published
    a = w.outlets["A"]
    assert s.search(q="某路001号")[0] == 2  # A and B
    Outlet.objects.filter(pk=a.pk).update(address="渝中区新华路188号", name="中国工商银行重庆新华路分理处")
    roster.publish(outlet_ids=[a.pk], actor=None)
    assert ids(s.search(q="新华路188")[1]) == [a.pk]
    assert ids(s.search(q="新华路分理处")[1]) == [a.pk]
    assert s.search(q="解放碑分理处")[0] == 0
    Outlet.objects.filter(pk=a.pk).update(status="terminated")
    roster.publish(outlet_ids=[a.pk], actor=None)
    assert s.search(q="新华路188")[0] == 0
    # The same answers as a plain LIKE scan.
    from django.db.models import Q

    for q in ("沙坪坝", "某路002号", "工商银行", "重庆沙坪坝支行营业部"):
        plain = RosterEntry.objects.filter(Q(name__contains=q) | Q(address__contains=q), hidden=False)
        assert sorted(ids(s.search(q=q)[1])) == sorted(plain.values_list("pk", flat=True)), q


def _plain_ids(terms, **filters):
    """Ids of a plain LIKE scan (no index, no full-text or bigram table), in listing order."""
    from django.db.models import Q

    qs = RosterEntry.objects.filter(hidden=False, **filters)
    for t in terms:
        qs = qs.filter(Q(name__contains=t) | Q(address__contains=t))
    return list(qs.order_by("name_pinyin", "pk").values_list("pk", flat=True))


def _hanzi_terms():
    """Every 1- to 4-character substring of the published names and addresses (mostly hanzi), plus misses."""
    texts = RosterEntry.objects.values_list("name", "address")
    out = {"无此", "行无", "网", "号", "某路0"}
    for name, address in texts:
        for text in (name, address):
            for n in (1, 2, 3, 4):
                out.update(text[i : i + n] for i in range(len(text) - n + 1))
    # Lookups are on name or address, never across: the last characters of a name + the first of its address.
    out.update(name[-1] + address[0] for name, address in texts)
    return sorted(t for t in out if s.terms(t) == [t])


@pytest.mark.parametrize("few", [s.FEW_MATCHES, 1])  # count and page from one pass of ids, or apart
@pytest.mark.parametrize("probe_limit", [s.BIGRAM_PROBE_LIMIT, 1])
def test_short_hanzi_terms_give_exactly_a_plain_scan(published, monkeypatch, probe_limit, few):
    """Two-character terms use the bigram table (roster 0004), longer ones the trigram indexes, several terms
    the rarest bigram then ``LIKE`` (or, when every bigram is broad — ``probe_limit`` 1 —, each term its index):
    the count and the ids, in order, are those of a plain scan, for every substring of every name and address."""
    monkeypatch.setattr(s, "BIGRAM_PROBE_LIMIT", probe_limit)
    monkeypatch.setattr(s, "FEW_MATCHES", few)
    monkeypatch.setattr(s, "PAGE_SCAN_FROM", 0 if few == 1 else s.PAGE_SCAN_FROM)  # and the listing-order page
    w = published
    assert bool(s.plan("工商 沙坪坝").driver) == (probe_limit > 1)
    terms = _hanzi_terms()
    assert any(len(t) == 2 for t in terms) and any(len(t) == 4 for t in terms)
    bigram_hits = 0
    for t in terms:
        expected = _plain_ids([t])
        count, rows = s.search(q=t, page_size=200)
        assert (count, ids(rows)) == (len(expected), expected), t
        assert s.filtered(q=t).count() == count, t
        bigram_hits += bool(expected) and len(t) == 2
    assert bigram_hits > 10
    # Two terms together, with filters, pages, and near.
    district_b, bank_a = w.districts["B"].pk, w.banks["A"].pk
    for a, b in [
        ("工商", "沙坪"),
        ("支行", "重庆"),
        ("某路", "银行"),
        ("银行", "无此"),
        ("坪坝", "区"),
        ("工商银行", "沙坪坝"),
        ("解放碑", "分理处"),
        ("某路001号", "银行"),
    ]:
        assert ids(s.search(q=f"{a} {b}", page_size=200)[1]) == _plain_ids([a, b]), (a, b)
        expected = _plain_ids([a, b], district_id=district_b)
        assert ids(s.search(q=f"{a} {b}", district=district_b)[1]) == expected, (a, b)
        expected = _plain_ids([a], bank_id=bank_a)
        assert s.search(q=a, bank=bank_a, page=2, page_size=1) == (len(expected), s.search(q=a, bank=bank_a)[1][1:2])
        assert [r["id"] for r in s.search(q=a, bank=bank_a)[1]] == expected
        near = s.search(q=a, near=(29.5573, 106.5770), page_size=200)
        assert near[0] == len(_plain_ids([a])) and sorted(ids(near[1])) == sorted(_plain_ids([a]))
        assert s.raw_sql_floor(q=f"{a} {b}", page_size=200) == s.search(q=f"{a} {b}", page_size=200)


def _plain_initials_ids(terms, **filters):
    """Ids of a plain scan of the initials (and, for terms with a vowel, the full pinyin), in listing order."""
    from django.db.models import Q

    qs = RosterEntry.objects.filter(hidden=False, **filters)
    for t in terms:
        cond = Q(name_initials__contains=t)
        if s._VOWEL.search(t):
            cond |= Q(name_pinyin__contains=t)
        qs = qs.filter(cond)
    return list(qs.order_by("name_pinyin", "pk").values_list("pk", flat=True))


@pytest.mark.parametrize("few", [s.FEW_MATCHES, 1])  # count and page from one pass of ids, or apart
@pytest.mark.parametrize("probe_limit", [s.BIGRAM_PROBE_LIMIT, 1])
def test_initials_terms_give_exactly_a_plain_scan(published, monkeypatch, probe_limit, few):
    """Initials terms are driven by their rarest initials bigram (roster 0006), or — every bigram broad,
    ``probe_limit`` 1 — scanned: the same count and ids, in order, as a plain scan, for every substring of every
    entry's initials, alone, two together, with a hanzi term, with filters."""
    monkeypatch.setattr(s, "BIGRAM_PROBE_LIMIT", probe_limit)
    monkeypatch.setattr(s, "FEW_MATCHES", few)
    monkeypatch.setattr(s, "PAGE_SCAN_FROM", 0 if few == 1 else s.PAGE_SCAN_FROM)  # and the listing-order page
    w = published
    assert (s.plan("gsyh").driver or "").startswith("#") == (probe_limit > 1)
    assert s.plan("gs yh").driver in (("#gs", "#yh") if probe_limit > 1 else (None,))
    if probe_limit > 1:  # the next rarest joins in
        assert {s.plan("gs yh").driver, s.plan("gs yh").partner} == {"#gs", "#yh"}
        assert s.plan("zh").partner is None
    assert s.plan("jiefangbei").driver is None  # a vowel: it may be spelt-out pinyin, never driven by initials
    initials = list(RosterEntry.objects.values_list("name_initials", flat=True))
    terms = sorted({i[a:b] for i in initials for a in range(len(i)) for b in range(a + 1, len(i) + 1)} | {"qqq"})
    for t in terms:
        expected = _plain_initials_ids([t])
        count, rows = s.search(q=t, page_size=200)
        assert (count, ids(rows)) == (len(expected), expected), t
        assert s.filtered(q=t).count() == count, t
    district_b = w.districts["B"].pk
    for a, b in [("gsyh", "spb"), ("zh", "gs"), ("yh", "qqq"), ("zgjsyh", "zh")]:
        assert ids(s.search(q=f"{a} {b}", page_size=200)[1]) == _plain_initials_ids([a, b]), (a, b)
        assert ids(s.search(q=f"{a} {b}", district=district_b)[1]) == _plain_initials_ids(
            [a, b], district_id=district_b
        ), (a, b)
        assert s.raw_sql_floor(q=f"{a} {b}", page_size=200) == s.search(q=f"{a} {b}", page_size=200)
    # With a hanzi term: the initials drive, the hanzi term is checked on their rows.
    expected = [pk for pk in _plain_ids(["沙坪坝"]) if pk in _plain_initials_ids(["gsyh"])]
    assert ids(s.search(q="gsyh 沙坪坝")[1]) == expected == [w.outlets["AB"].pk]


def test_bigram_table_follows_every_change(published):
    """The bigram table is kept in step by triggers on insert, update and delete of roster entries."""
    from django.db import connection

    w = published
    a = w.outlets["A"]

    def grams(pk):
        with connection.cursor() as cur:
            cur.execute("SELECT gram FROM roster_entry_bigram WHERE outlet_id = %s", [pk])
            return {g for (g,) in cur.fetchall()}

    def expected(pk):
        e = RosterEntry.objects.get(pk=pk)
        return {
            text[i : i + 2].lower() if connection.vendor == "sqlite" else text[i : i + 2]
            for text in (e.name, e.address)
            for i in range(len(text) - 1)
        } | {"#" + e.name_initials[i : i + 2] for i in range(len(e.name_initials) - 1)}  # roster 0006

    for pk in RosterEntry.objects.values_list("pk", flat=True):
        assert grams(pk) == expected(pk) and grams(pk)
    assert a.pk in ids(s.search(q="渝中", page_size=200)[1]) or a.pk in ids(s.search(q="工商")[1])
    Outlet.objects.filter(pk=a.pk).update(address="江北区新华路188号", name="中国工商银行重庆观音桥分理处")
    roster.publish(outlet_ids=[a.pk], actor=None)
    assert grams(a.pk) == expected(a.pk)
    assert ids(s.search(q="观音")[1]) == [a.pk] and ids(s.search(q="江北")[1]) == [a.pk]
    assert a.pk not in ids(s.search(q="解放")[1])
    roster.hide(outlet=a, actor=w.users[Role.CENTER_OFFICER], reason="终止")
    assert s.search(q="观音")[0] == 0
    Outlet.objects.filter(pk=a.pk).update(status="terminated")
    roster.publish(outlet_ids=[a.pk], actor=None)
    assert grams(a.pk) == set() and s.search(q="观音")[0] == 0


def _count_star(**filters):
    return s.filtered(**filters).count()


def test_facet_counts_follow_every_change_and_equal_count_star(published):
    """A search without text terms is counted from the facet table (roster 0005), kept by triggers on insert,
    update (services, district, bank, flag, hidden) and delete: always the ``COUNT(*)`` of the matches."""
    from ssc.registry.models import CardService
    from ssc.roster import facets

    w = published
    a, b = w.outlets["A"], w.outlets["B"]
    districts = [None, w.districts["A"].pk, w.districts["B"].pk]
    banks = [None, w.banks["A"].pk, w.banks["B"].pk]
    services = [None, "apply", "instant_issuance", "pin_reset", "nothing"]

    def every_combination_agrees():
        facets.check()
        for d in districts:
            for bk in banks:
                for sv in services:
                    for inst in (None, True, False):
                        f = {"district": d, "bank": bk, "service": sv, "instant_issuance": inst}
                        expected = _count_star(**f)
                        assert s.search(**f)[0] == expected, f
                        assert s.search(**f, near=(29.55, 106.55))[0] == expected, f

    every_combination_agrees()
    assert s.search()[0] == 3
    # A change of services, district and flag republished; then hidden; then removed; then listed again.
    a.services.set(CardService.objects.filter(code__in=["pin_reset", "apply"]))
    Outlet.objects.filter(pk=a.pk).update(district=w.districts["B"], instant_issuance=False)
    roster.publish(outlet_ids=[a.pk], actor=None)
    every_combination_agrees()
    assert s.search(service="pin_reset")[0] == 1 and s.search(district=w.districts["B"].pk)[0] == 3
    roster.hide(outlet=b, actor=w.users[Role.CENTER_OFFICER], reason="终止")
    every_combination_agrees()
    assert s.search(service="apply")[0] == 1
    Outlet.objects.filter(pk=b.pk).update(status="terminated")
    roster.publish(outlet_ids=[b.pk], actor=None)
    every_combination_agrees()
    Outlet.objects.filter(pk=b.pk).update(status="active")
    roster.publish(outlet_ids=[b.pk], actor=None)
    every_combination_agrees()
    assert s.search()[0] == 3
    # A hidden entry listed again by the next version (changed, hidden=False) is counted once more.
    roster.hide(outlet=a, actor=w.users[Role.CENTER_OFFICER], reason="终止")
    assert s.search()[0] == 2
    Outlet.objects.filter(pk=a.pk).update(name="中国工商银行重庆观音桥分理处")
    roster.publish(outlet_ids=[a.pk], actor=None)
    every_combination_agrees()
    assert s.search()[0] == 3
    # Raw changes to the entries (outside the services) are followed too: the triggers, not Python, keep it.
    RosterEntry.objects.filter(pk=a.pk).update(services="|apply||pin_reset|apply|")
    RosterEntry.objects.filter(pk=b.pk).delete()
    every_combination_agrees()


def test_facets_check_names_a_difference(published):
    from django.db import connection

    from ssc.roster import facets

    facets.check()
    with connection.cursor() as cur:
        cur.execute("UPDATE roster_entry_facet SET n = n + 1 WHERE service = ''")
    with pytest.raises(AssertionError, match="out of step"):
        facets.check()


# --- rows as JSON text (the API splices them into its answer) --------------------------------------------------


def test_with_member_adds_a_last_member():
    assert s.with_member('{"id":1}', "distance_m", 25) == '{"id":1,"distance_m":25}'
    assert s.with_member('{"id": 1, "名称": "工行" } ', "distance_m", 0) == '{"id": 1, "名称": "工行","distance_m":0}'
    assert s.with_member("{}", "distance_m", 7) == '{"distance_m":7}'
    assert s.with_member("{ }", "distance_m", 7) == '{"distance_m":7}'


def test_rows_as_text_are_the_published_data(world):
    centre, _ = _grid(world)
    publish_all(world)
    published = {e.pk: e.data for e in RosterEntry.objects.all()}
    for kwargs in (
        {},
        {"q": "支行"},
        {"q": "gsyh"},
        {"district": world.districts["B"].pk},
        {"near": centre, "page_size": 3},
        {"near": centre, "page": 2, "page_size": 3},
    ):
        count, texts = s.search_text(**kwargs)
        assert (count, [json.loads(t) for t in texts]) == s.search(**kwargs), kwargs
        for t in texts:
            row = json.loads(t)
            distance = row.pop("distance_m", None)
            assert row == published[row["id"]], kwargs
            assert (distance is not None) == ("near" in kwargs), kwargs


def test_entries_are_stored_as_the_api_writes_json(published):
    """Compact UTF-8 on SQLite (hanzi as they are, no spaces); PostgreSQL's jsonb keeps no text of its own."""
    from django.db import connection

    entry = RosterEntry.objects.filter(name__contains="支行").first()
    with connection.cursor() as cur:
        cur.execute("SELECT data FROM roster_rosterentry WHERE outlet_id = %s", [entry.pk])
        text = cur.fetchone()[0]
    assert json.loads(text) == entry.data
    if connection.vendor == "sqlite":
        assert text == json.dumps(entry.data, ensure_ascii=False, separators=(",", ":"))
        assert "支行" in text


def test_migration_recodes_entries_written_before(published, monkeypatch):
    """Roster migration 0009 rewrites entries stored with ``\\uXXXX`` escapes and spaces (SQLite)."""
    import importlib

    from django.apps import apps
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's jsonb keeps no text of its own: the migration leaves it alone")
    migration = importlib.import_module("ssc.roster.migrations.0009_compact_entry_json")
    before = {e.pk: e.data for e in RosterEntry.objects.all()}
    with connection.cursor() as cur:
        for pk, data in before.items():  # as the default encoder wrote them
            cur.execute("UPDATE roster_rosterentry SET data = %s WHERE outlet_id = %s", [json.dumps(data), pk])
    monkeypatch.setattr(migration, "BATCH", 2)  # several batches
    migration.recode(apps, type("Editor", (), {"connection": connection})())
    with connection.cursor() as cur:
        cur.execute("SELECT outlet_id, data FROM roster_rosterentry")
        after = dict(cur.fetchall())
    assert after == {pk: json.dumps(d, ensure_ascii=False, separators=(",", ":")) for pk, d in before.items()}
    assert any(not t.isascii() for t in after.values())
