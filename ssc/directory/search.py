"""The public directory search (公众网点查询) over the flat latest roster (``RosterEntry``).

One query for the page plus one count, on indexed columns, never a join:

- ``q`` — whitespace-separated terms, all of which must match. A term in hanzi matches the outlet's name or
  address: a two-character term is one range of the bigram posting table ``roster_entry_bigram`` (roster
  migration 0004); longer ones ``LIKE '%…%'`` on PostgreSQL (pg_trgm GIN indexes), on SQLite a lookup in the
  FTS5 trigram table (one character: a scan of a covering index). Several hanzi terms are driven by their
  rarest bigram and checked by ``LIKE`` (:func:`plan`). An ASCII term matches the pinyin
  initials of the name (``gsyh`` → 工商银行, ``zh`` → 支行), and, when it has a vowel (so it can be spelt-out
  pinyin, ``jiefangbei``), the full pinyin too; both are stored lower-case in indexed columns, so no pinyin
  conversion happens at request time (``pypinyin`` is never imported here). An initials term is driven by its
  rarest two-letter bigram (the bigram table holds them as ``#jf``, roster migration 0006) unless all are
  broad. A term with digits also matches the name and address (house numbers).
- The count: ``COUNT(*)`` of the matches when there are text terms; without them, a sum over the facet counts
  kept by triggers (``ssc.roster.facets``) instead of a read of every match (a card service: the whole table).
- Results are listed by the pinyin of the name (alphabetical for a Chinese reader), or by distance. The page
  is fetched in two steps inside one SQL statement: the ids of the page (sorted on narrow covering indexes),
  then the published data of those rows only.
- ``district`` / ``bank`` — ids; ``service`` — a card-service code; ``instant_issuance`` — bool.
- ``near=(lat, lng)`` (GCJ-02, like the stored coordinates) — sorted by distance. The order is computed in SQL
  by the equirectangular approximation (plain arithmetic, so SQLite needs no trigonometric functions) inside a
  bounding box that grows until it provably holds the requested page; the distance returned
  (``distance_m``) is the great-circle (haversine) distance computed in Python for the page's rows.

Hidden entries (termination filed) are never returned. Rows come back as the published ``data`` dicts
(:func:`search`) or as their JSON text, spliced by the API into its answer without decoding (:func:`search_text`).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from ssc.roster import facets
from ssc.roster.models import RosterEntry

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180.0  # ≈ 111.2 km per degree of latitude
# Half-widths (metres) of the bounding boxes tried in turn for ``near``; beyond the last, no box at all.
NEAR_RADII_M = (1_000.0, 3_000.0, 15_000.0, 75_000.0)
MAX_TERMS = 5
MAX_TERM_LENGTH = 50
MAX_PAGE_SIZE = 200
# A search with text terms first fetches the ids of up to this many matches in listing order (one pass of the
# index): when they are all, that is the count and the page; only broader searches are counted apart.
FEW_MATCHES = 10_000
# One bigram's term held by more entries than this: its page is read from the listing index in order (SQLite;
# see page_scan_from).
PAGE_SCAN_FROM = 2_000
LISTING_INDEX = "roster_entry_pinyin2_ix"  # (name_pinyin, name_initials, hidden, outlet_id): the listing order

_ASCII_TERM = re.compile(r"^[0-9a-z]+$")
_VOWEL = re.compile(r"[aeiouv]")
_INITIALS_TERM = re.compile(r"^[b-df-hj-np-tv-z]+$")
INITIALS_GRAM = "#"  # prefix of the initials bigrams in the bigram table (roster 0006)
# PostgreSQL: an initials term not driven by a bigram has only broad bigrams, so many candidate rows; read them
# from the covering listing index rather than through the pg_trgm index, whose bitmap then reads thousands of
# wide table rows (jsyh dd: 76-250 ms, against 23 ms). The expression is one no index serves.
INITIALS_SCAN = "(name_initials || '')"
ORDER = ("name_pinyin", "pk")
FTS_IDS = "SELECT rowid FROM roster_entry_fts WHERE roster_entry_fts MATCH %s"
# Roster migration 0004: every two-character substring of each entry's name and address, kept by triggers.
BIGRAM_IDS = "SELECT outlet_id FROM roster_entry_bigram WHERE gram = %s"
# The entries holding two bigrams: a merge of two ranges of the primary key (PostgreSQL: 10,720 + 22,671 postings in
# 5 ms, where checking each of the 10,720 rows of the rarer alone took 38 ms).
BIGRAM_PAIR_IDS = (
    "SELECT a.outlet_id FROM roster_entry_bigram a JOIN roster_entry_bigram b ON b.outlet_id = a.outlet_id "
    "AND b.gram = %s WHERE a.gram = %s"
)
BIGRAM_PROBE_LIMIT = 12_000  # a bigram held by more entries is "broad": it never drives a search
BIGRAM_PROBE_MAX = 12  # bigrams probed at most for one search
_SEPARATORS = re.compile(r"[\s,，、;；]+")


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def terms(q: str | None) -> list[str]:
    """The search terms of ``q``: NFKC-normalised (full-width letters and digits become ASCII), lower-cased,
    split on spaces, separating punctuation and control characters; at most ``MAX_TERMS`` terms of at most
    ``MAX_TERM_LENGTH`` characters."""
    if not q:
        return []
    text = unicodedata.normalize("NFKC", q).lower()
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text).strip()
    out = [t[:MAX_TERM_LENGTH] for t in _SEPARATORS.split(text) if t]
    return out[:MAX_TERMS]


def is_ascii_term(term: str) -> bool:
    return bool(_ASCII_TERM.match(term))


def is_initials_term(term: str) -> bool:
    """An ASCII term that can only be pinyin initials: letters without a vowel (``jfb``, ``gsyh``, ``zh``). Its
    matches are exactly the entries whose ``name_initials`` contain it (a vowel could also be spelt-out pinyin,
    a digit a house number)."""
    return bool(_INITIALS_TERM.match(term))


def use_fts(term: str) -> bool:
    """Whether ``term`` is looked up in SQLite's trigram full-text table (``roster_entry_fts``, migration
    roster 0002) instead of scanning: on SQLite, for terms of three characters or more (a trigram)."""
    return connection.vendor == "sqlite" and len(term) >= 3


def use_bigrams(term: str) -> bool:
    """Whether ``term`` is looked up in the bigram table (``roster_entry_bigram``, migration roster 0004)
    instead of scanning: two-character terms (渝中, 支行), which no trigram index can serve, on both databases."""
    return len(term) == 2


def fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _text_q(term: str, plan: Plan) -> Q:
    """``term`` in the name or the address."""
    if term in (plan.driver, plan.partner):
        return Q()  # exactly the driving bigram's ids
    if not plan.driver and use_fts(term):
        return Q(pk__in=RawSQL(FTS_IDS, [fts_phrase(term)]))  # noqa: S611 - constant SQL, bound parameter
    if not plan.driver and use_bigrams(term):
        return Q(pk__in=RawSQL(BIGRAM_IDS, [term]))  # noqa: S611 - constant SQL, bound parameter
    return Q(name__contains=term) | Q(address__contains=term)


def _term_q(term: str, plan: Plan) -> Q:
    if is_ascii_term(term):
        cond = Q(name_initials__contains=term)
        if _VOWEL.search(term):
            cond |= Q(name_pinyin__contains=term)
        if any(c.isdigit() for c in term):
            cond |= _text_q(term, Plan(None, [], []))
        return cond
    return _text_q(term, plan)


class Plan:
    """How the terms of ``q`` are looked up: ``driver`` — a bigram whose ids (``roster_entry_bigram``) every
    match is among (with ``partner``, the next rarest: the entries holding both), every term then checked by
    ``LIKE`` on those rows only; ``fts`` — the terms looked up together in SQLite's trigram table (without a
    driver); ``others`` — the rest, each on its own."""

    __slots__ = ("driver", "fts", "others", "partner")

    def __init__(self, driver: str | None, fts: list[str], others: list[str], partner: str | None = None) -> None:
        self.driver, self.fts, self.others, self.partner = driver, fts, others, partner

    def driver_sql(self) -> tuple[str, list[str]]:
        """The ids every match is among: the driver's postings, joined with the partner's when there is one."""
        if self.partner:
            return BIGRAM_PAIR_IDS, [self.partner, self.driver or ""]
        return BIGRAM_IDS, [self.driver or ""]


def bigram_sizes(grams: Sequence[str]) -> list[int]:
    """How many entries hold each bigram, counted up to ``BIGRAM_PROBE_LIMIT`` (one statement, a bounded
    range of the bigram table's primary key per gram)."""
    one = f"(SELECT COUNT(*) FROM ({BIGRAM_IDS} LIMIT {BIGRAM_PROBE_LIMIT}) t)"  # noqa: S608 - constant SQL
    with connection.cursor() as cur:
        cur.execute("SELECT " + ", ".join([one] * len(grams)), list(grams))
        return list(cur.fetchone())


def plan(q: str | None) -> Plan:
    """The :class:`Plan` of ``q``. Several hanzi terms of two characters or more (太白 支行, 工商银行 渝中), or
    on PostgreSQL one of three characters or more:
    their rarest bigram (each term's matches hold every bigram of it) drives, when it is held by fewer than
    ``BIGRAM_PROBE_LIMIT`` entries — a broad term (支行) is then checked on the few rows of a narrow one
    instead of being looked up itself. Initials terms of two letters or more (``jfb``) offer their initials
    bigrams (``#jf``, ``#fb``) to the same choice. Otherwise (one hanzi term, or only broad bigrams): two-character
    terms in the bigram table, longer ones in the trigram indexes (all together in SQLite's FTS table), initials
    by ``LIKE`` on their covering index."""
    all_terms = terms(q)
    hanzi = [t for t in all_terms if not is_ascii_term(t) and len(t) >= 2]
    initials = [t for t in all_terms if is_initials_term(t) and len(t) >= 2]
    grams: list[str] = []
    # PostgreSQL: also one term of three characters or more — measured at 100,000 outlets, the pg_trgm GIN
    # search for a hanzi term took 40-60 ms (石油路, 171 matches), the rarest bigram then LIKE a few ms.
    if len(hanzi) >= 2 or (hanzi and len(hanzi[0]) >= 3 and connection.vendor == "postgresql"):
        grams += [t[i : i + 2] for t in hanzi for i in range(len(t) - 1)]
    # Initials terms (``jfb``): their matches hold every initials bigram of the term (``#jf``, ``#fb``, roster
    # 0006) — a LIKE scan of every entry's initials took ~30 ms at 100,000 outlets.
    grams += [INITIALS_GRAM + t[i : i + 2] for t in initials for i in range(len(t) - 1)]
    if grams:
        grams = list(dict.fromkeys(grams))[:BIGRAM_PROBE_MAX]
        sizes = bigram_sizes(grams)
        by_size = sorted(range(len(grams)), key=sizes.__getitem__)
        if sizes[by_size[0]] < BIGRAM_PROBE_LIMIT:
            # The next rarest bigram joins in (every match holds it too) when it is not broad: fewer rows to check.
            second = by_size[1] if len(by_size) > 1 else None
            partner = grams[second] if second is not None and sizes[second] < BIGRAM_PROBE_LIMIT else None
            return Plan(grams[by_size[0]], [], all_terms, partner)
    fts = [t for t in all_terms if not is_ascii_term(t) and use_fts(t)]
    return Plan(None, fts, [t for t in all_terms if t not in fts])


# The visible entries holding a bigram: its postings less the hidden entries among them (few: filed terminations).
# (SQLite: its statistics, gathered when nothing was hidden, make it scan every entry for the hidden ones unless
# told to use the index on ``hidden``.)
HIDDEN_INDEX = "roster_rosterentry_hidden_f9d27370"  # Django's name for RosterEntry.hidden's db_index
GRAM_COUNT = (
    "SELECT (SELECT COUNT(*) FROM roster_entry_bigram WHERE gram = %s) - (SELECT COUNT(*) FROM roster_rosterentry e "
    "{hint} WHERE e.hidden = %s AND EXISTS (SELECT 1 FROM roster_entry_bigram b WHERE b.gram = %s "
    "AND b.outlet_id = e.outlet_id))"
)


def page_scan_from() -> int:
    """Above this many matches, one bigram's term reads its page from the listing index in order (a match every
    few rows) rather than sorting every match. SQLite reads the listing index and checks the matches' ids against
    a list it builds once: 2,000. PostgreSQL checks each row of the listing against the bigram table, ~4 µs a
    row, and a term's matches may sit late in the listing (云阳, 2,855 matches: 210 ms), so it sorts up to
    ``FEW_MATCHES`` ids (a few ms) first."""
    return PAGE_SCAN_FROM if connection.vendor == "sqlite" else max(PAGE_SCAN_FROM, FEW_MATCHES)


def exact_gram(p: Plan) -> str | None:
    """The bigram whose entries are exactly the matches of ``p``, if ``p`` is one such term: two letters of
    initials (``yz`` — the entries whose initials hold it, roster 0006) or two characters looked up in the
    bigram table (渝中). Its count is then a range count of the bigram table's key (tens of thousands of
    entries for a broad one), instead of reading every match."""
    if len(p.others) != 1 or p.fts:
        return None
    term = p.others[0]
    if len(term) == 2 and is_initials_term(term):
        return INITIALS_GRAM + term
    if not p.driver and not is_ascii_term(term) and use_bigrams(term):
        return term
    return None


def filtered(
    *,
    q: str | None = None,
    district: int | None = None,
    bank: int | None = None,
    service: str | None = None,
    instant_issuance: bool | None = None,
    terms_plan: Plan | None = None,
) -> QuerySet[RosterEntry]:
    """Visible roster entries matching the filters (no order, no coordinates)."""
    qs = RosterEntry.objects.filter(hidden=False)
    p = plan(q) if terms_plan is None else terms_plan
    if p.driver:
        qs = qs.filter(pk__in=RawSQL(*p.driver_sql()))  # noqa: S611 - constant SQL, bound parameters
    if p.fts:  # one full-text lookup for all of them: the index intersects, not SQL
        qs = qs.filter(pk__in=RawSQL(FTS_IDS, [" AND ".join(fts_phrase(t) for t in p.fts)]))  # noqa: S611
    for term in p.others:
        qs = qs.filter(_term_q(term, p))
    if district is not None:
        qs = qs.filter(district_id=district)
    if bank is not None:
        qs = qs.filter(bank_id=bank)
    if service:
        qs = qs.filter(services__contains=f"|{service}|")
    if instant_issuance is not None:
        qs = qs.filter(instant_issuance=instant_issuance)
    return qs


def where_sql(
    *,
    q: str | None = None,
    district: int | None = None,
    bank: int | None = None,
    service: str | None = None,
    instant_issuance: bool | None = None,
    terms_plan: Plan | None = None,
) -> tuple[str, list[Any]]:
    """The WHERE condition of :func:`filtered`, written by hand (no ORM compilation at request time: building
    and compiling the queryset cost more than the queries themselves on small pages)."""
    where = ["hidden = %s"]
    params: list[Any] = [False]
    like = "LIKE %s ESCAPE '\\'"
    p = plan(q) if terms_plan is None else terms_plan
    if p.driver:
        ids, ids_params = p.driver_sql()
        where.append(f"outlet_id IN ({ids})")
        params += ids_params
    if p.fts:
        where.append(f"outlet_id IN ({FTS_IDS})")
        params.append(" AND ".join(fts_phrase(t) for t in p.fts))
    for term in p.others:
        if term in (p.driver, p.partner):
            continue
        ors: list[str] = []
        if is_ascii_term(term):
            scan = connection.vendor == "postgresql" and is_initials_term(term)
            ors.append(f"{INITIALS_SCAN if scan else 'name_initials'} {like}")
            params.append(_like(term))
            if _VOWEL.search(term):
                ors.append(f"name_pinyin {like}")
                params.append(_like(term))
        if not is_ascii_term(term) or any(c.isdigit() for c in term):
            if p.driver and not is_ascii_term(term):
                ors += [f"name {like}", f"address {like}"]
                params += [_like(term)] * 2
            elif use_fts(term):
                ors.append(f"outlet_id IN ({FTS_IDS})")
                params.append(fts_phrase(term))
            elif use_bigrams(term):
                ors.append(f"outlet_id IN ({BIGRAM_IDS})")
                params.append(term)
            else:
                ors += [f"name {like}", f"address {like}"]
                params += [_like(term)] * 2
        where.append("(" + " OR ".join(ors) + ")")
    equal, equal_params = facets.equal_to(district_id=district, bank_id=bank, instant_issuance=instant_issuance)
    where += equal
    params += equal_params
    if service:
        where.append(f"services {like}")
        params.append(_like(f"|{service}|"))
    return " AND ".join(where), params


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _decode(data: Any) -> dict[str, Any]:
    return json.loads(data) if isinstance(data, str | bytes) else dict(data)


def _text(data: Any) -> str:
    """The published data as JSON text: the column's own text (SQLite, stored compactly; PostgreSQL's ``jsonb``
    comes back as text too, see Django's psycopg loader, in its own spaced form), so a page is answered without
    decoding and re-encoding its rows."""
    if isinstance(data, str):
        return data
    if isinstance(data, bytes):
        return data.decode()
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def with_member(obj: str, name: str, value: int) -> str:
    """The JSON object text ``obj`` with ``"name": value`` added as its last member (``obj`` must not hold
    ``name``: the published data has no ``distance_m``)."""
    body = obj.rstrip()[:-1].rstrip()  # without the closing brace
    return f'{body}{"," if body != "{" else ""}"{name}":{value}}}'


TABLE = RosterEntry._meta.db_table
_DISTANCE = "((latitude - %s) * (latitude - %s) + ((longitude - %s) * %s) * ((longitude - %s) * %s))"
_BOX = " AND latitude >= %s AND latitude <= %s AND longitude >= %s AND longitude <= %s"


def _page(
    cur: Any,
    cond: str,
    params: list[Any],
    order: str,
    order_params: list[Any],
    offset: int,
    limit: int,
    *,
    in_listing_order: bool = False,
) -> list[tuple[Any, ...]]:
    """``(data, latitude, longitude)`` of rows ``offset:offset+limit`` in ``order``: one statement whose subquery
    picks the page's ids on the covering indexes, so only the page's wide rows are read. ``in_listing_order``
    (many matches): read the listing index in order until the page is full — SQLite would otherwise sort every
    match (PostgreSQL makes that choice itself for a small ``LIMIT``)."""
    source = TABLE
    if in_listing_order and connection.vendor == "sqlite":
        source = f"{TABLE} INDEXED BY {LISTING_INDEX}"
    cur.execute(
        f"SELECT data, latitude, longitude FROM {TABLE} WHERE outlet_id IN ("  # noqa: S608 - fixed identifiers
        f"SELECT outlet_id FROM {source} WHERE {cond} ORDER BY {order} LIMIT %s OFFSET %s) ORDER BY {order}",
        [*params, *order_params, limit, offset, *order_params],
    )
    return cur.fetchall()


def _by_ids(cur: Any, pks: Sequence[int]) -> list[str]:
    """The published data (JSON text) of entries ``pks``, in that order."""
    if not pks:
        return []
    marks = ", ".join(["%s"] * len(pks))
    cur.execute(f"SELECT outlet_id, data FROM {TABLE} WHERE outlet_id IN ({marks})", list(pks))  # noqa: S608
    data = dict(cur.fetchall())
    return [_text(data[pk]) for pk in pks]


def _bbox(lat: float, lng: float, radius_m: float) -> list[float]:
    dlat = radius_m / METRES_PER_DEGREE
    dlng = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 1e-6))
    return [lat - dlat, lat + dlat, lng - dlng, lng + dlng]


def _approx_m(lat0: float, lng0: float, lat: float, lng: float) -> float:
    """The equirectangular distance the SQL orders by (same metric, in metres)."""
    k = math.cos(math.radians(lat0))
    return METRES_PER_DEGREE * math.hypot(lat - lat0, (lng - lng0) * k)


def _with_distance(rows: Sequence[tuple[Any, ...]], near: tuple[float, float]) -> list[str]:
    return [
        with_member(_text(data), "distance_m", round(haversine_m(near[0], near[1], lat, lng)))
        for data, lat, lng in rows
    ]


def _near_page(
    cur: Any, cond: str, params: list[Any], near: tuple[float, float], count: int, offset: int, limit: int
) -> list[tuple[Any, ...]]:
    """The rows ``offset:offset+limit`` by distance: within the smallest box that provably holds them."""
    lat, lng = near
    k = math.cos(math.radians(lat))
    order, order_params = f"{_DISTANCE}, outlet_id", [lat, lat, lng, k, lng, k]
    needed = min(count, offset + limit)
    for radius in NEAR_RADII_M:
        box_params = [*params, *_bbox(lat, lng, radius)]
        rows = _page(cur, cond + _BOX, box_params, order, order_params, offset, needed - offset)
        if offset + len(rows) < needed:
            continue  # the box holds fewer matches than the page needs
        if rows and _approx_m(lat, lng, rows[-1][1], rows[-1][2]) > radius:
            continue  # something outside the box could be nearer than the page's last row
        return rows
    return _page(cur, cond, params, order, order_params, offset, needed - offset)


def search(**kwargs: Any) -> tuple[int, list[dict[str, Any]]]:
    """``(count, rows)`` — the number of visible outlets matching the filters and the published data of page
    ``page`` (1-based) of them, by pinyin of the name or, with ``near=(lat, lng)``, by distance with
    ``distance_m``. A page past the end gives no rows. Arguments are trusted (the API and page validate them);
    they are those of :func:`search_text`.

    Same matches as :func:`filtered` (tested), in hand-written SQL on the default connection."""
    count, rows = search_text(**kwargs)
    return count, [json.loads(row) for row in rows]


def search_text(
    *,
    q: str | None = None,
    district: int | None = None,
    bank: int | None = None,
    service: str | None = None,
    instant_issuance: bool | None = None,
    near: tuple[float, float] | None = None,
    page: int = 1,
    page_size: int = 20,
) -> tuple[int, list[str]]:
    """:func:`search` with each row as the JSON text of its object (the API splices them into its answer)."""
    page = max(1, int(page))
    page_size = max(1, min(MAX_PAGE_SIZE, int(page_size)))
    p = plan(q)
    cond, params = where_sql(
        district=district, bank=bank, service=service, instant_issuance=instant_issuance, terms_plan=p
    )
    offset = (page - 1) * page_size
    order = "name_pinyin, outlet_id"
    listing = f"SELECT outlet_id FROM {TABLE} WHERE {cond} ORDER BY {order}"  # noqa: S608 - fixed identifiers
    in_listing_order = False
    with connection.cursor() as cur:
        gram = exact_gram(p) if district is None and bank is None and not service and instant_issuance is None else None
        if gram is not None:  # one term, exactly a bigram's entries: count its postings, not the entries
            hint = f"INDEXED BY {HIDDEN_INDEX}" if connection.vendor == "sqlite" else ""
            cur.execute(GRAM_COUNT.format(hint=hint), [gram, True, gram])
            count = cur.fetchone()[0]
            if count <= offset:
                return count, []
            if near is None and count <= page_scan_from():
                # Every match's id in listing order (no LIMIT: a small one lets PostgreSQL walk the whole
                # listing index looking for the few matches, 100+ ms), then the page's data.
                cur.execute(listing, params)
                return count, _by_ids(cur, [pk for (pk,) in cur.fetchall()][offset : offset + page_size])
            if near is None:
                # Many matches: the page is found sooner by reading the listing in order (a match every few
                # rows) than by sorting every match — initials are checked on that index itself.
                in_listing_order = True
                if gram.startswith(INITIALS_GRAM):
                    cond, params = where_sql(terms_plan=Plan(None, [], p.others))
        elif p.driver or p.fts or p.others:
            if near is None and offset + page_size <= FEW_MATCHES:
                # Text terms: the ids of up to FEW_MATCHES matches in listing order, in one pass. When that is
                # all of them (most searches), it gives the count and the page without a second pass.
                cur.execute(f"{listing} LIMIT %s", [*params, FEW_MATCHES + 1])
                found = [pk for (pk,) in cur.fetchall()]
                if len(found) <= FEW_MATCHES:
                    return len(found), _by_ids(cur, found[offset : offset + page_size])
            cur.execute(f"SELECT COUNT(*) FROM {TABLE} WHERE {cond}", params)  # noqa: S608 - fixed identifiers
            count = cur.fetchone()[0]
        else:  # no text terms: a sum of a few facet counts (roster migration 0005), not a read of every match
            count = facets.count(district=district, bank=bank, service=service, instant=instant_issuance)
        if count <= offset:
            return count, []
        if near is not None:
            return count, _with_distance(_near_page(cur, cond, params, near, count, offset, page_size), near)
        rows = _page(cur, cond, params, order, [], offset, page_size, in_listing_order=in_listing_order)
    return count, [_text(data) for data, _lat, _lng in rows]


# --- the floor the benchmark compares with -------------------------------------------------------------


def raw_sql_floor(
    *,
    q: str | None = None,
    district: int | None = None,
    bank: int | None = None,
    service: str | None = None,
    instant_issuance: bool | None = None,
    near: tuple[float, float] | None = None,
    page: int = 1,
    page_size: int = 20,
) -> tuple[int, list[dict[str, Any]]]:
    """The same results as :func:`search` by hand-written SQL on a bare cursor (the P1 floor).

    A single statement for the page (no id subquery); with ``near`` it sorts the whole filtered set by the same
    approximate distance (no box): what a straightforward hand-written query does."""
    table = TABLE
    cond, params = where_sql(q=q, district=district, bank=bank, service=service, instant_issuance=instant_issuance)
    offset = (max(1, page) - 1) * page_size
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {table} WHERE {cond}", params)  # noqa: S608 - fixed identifiers
        count = cur.fetchone()[0]
        if count <= offset:
            return count, []
        if near is not None:
            lat, lng = near
            k = math.cos(math.radians(lat))
            order = f"{_DISTANCE}, outlet_id"
            order_params: list[Any] = [lat, lat, lng, k, lng, k]
        else:
            order, order_params = "name_pinyin, outlet_id", []
        cur.execute(
            f"SELECT data, latitude, longitude FROM {table} WHERE {cond} ORDER BY {order} LIMIT %s OFFSET %s",  # noqa: S608
            [*params, *order_params, page_size, offset],
        )
        rows = cur.fetchall()
    out = []
    for data, lat_, lng_ in rows:
        item = _decode(data)
        if near is not None:
            item["distance_m"] = round(haversine_m(near[0], near[1], lat_, lng_))
        out.append(item)
    return count, out
