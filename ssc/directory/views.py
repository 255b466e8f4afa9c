"""The public directory page (公众网点查询, no log-in): one page, server-rendered, readable without JavaScript.

The HTML of a page is cached like the API's bodies (keyed by the roster generation, the language and the
normalised query) and carries an ``ETag``; it never depends on the visitor (no session, no context processors),
so it may be cached by anyone. "Open now" is decided in the browser (the cached page cannot know the time), from
the published hours and the kind of day: the page carries the working-day calendar of yesterday, today and
tomorrow (``data-days``: a public holiday is a rest day, a make-up working weekend a working day), so it is
cached per date too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote, urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ssc.core.errors import CalendarMissing
from ssc.roster import services as roster
from ssc.roster.models import RosterEntry
from ssc.workcalendar import services as workcalendar

from . import cache, params, search
from .api import cached_response
from .throttling import page_wait

HOTLINES = [("12333", gettext_lazy("人社服务热线")), ("12345", gettext_lazy("政务服务热线"))]
PAGE_SIZE = 20
QUERY_KEYS = ("q", "district", "bank", "service", "instant_issuance", "near")


def amap_url(outlet: dict[str, Any]) -> str:
    """Amap's URI API: a marker the phone's map app opens (coordinates are GCJ-02, as Amap expects)."""
    query = urlencode(
        {
            "position": f"{outlet['longitude']},{outlet['latitude']}",
            "name": outlet.get("name", ""),
            "src": "ssc-outlets",
            "coordinate": "gaode",
            "callnative": "1",
        },
        quote_via=quote,
    )
    return "https://uri.amap.com/marker?" + query


def distance_label(metres: int | None) -> str:
    if metres is None:
        return ""
    if metres < 1000:
        return _("%(n)d 米") % {"n": metres}
    return _("%(n)s 公里") % {"n": f"{metres / 1000:.1f}"}


def card(outlet: dict[str, Any]) -> dict[str, Any]:
    """What a result card shows, from the published data."""
    return {
        **outlet,
        "map_url": amap_url(outlet),
        "distance": distance_label(outlet.get("distance_m")),
        "service_names": [s.get("name", "") for s in outlet.get("services") or []],
    }


def roster_footer() -> dict[str, Any] | None:
    version = roster.latest()
    if version is None:
        return None
    return {"number": version.number, "published_at": timezone.localtime(version.published_at)}


def _throttled(request: HttpRequest) -> HttpResponse | None:
    wait = page_wait(request)
    if wait is None:
        return None
    seconds = max(1, int(wait))
    html = render_to_string("directory/throttled.html", {"seconds": seconds, "hotlines": HOTLINES})
    response = HttpResponse(html, status=429)
    response["Retry-After"] = str(seconds)
    return response


def day_kinds(today: dt.date) -> str:
    """``data-days`` of the page: ``YYYY-MM-DD:w`` (working day: weekday hours) or ``:r`` (rest day — weekend or
    public holiday: weekend hours) for yesterday, today and tomorrow; days the calendar does not cover are left
    out (the browser then goes by the day of the week)."""
    out = []
    for d in (today - dt.timedelta(days=1), today, today + dt.timedelta(days=1)):
        try:
            out.append(f"{d.isoformat()}:{'w' if workcalendar.is_workday(d) else 'r'}")
        except CalendarMissing:
            continue
    return ",".join(out)


def _cached_html(request: HttpRequest, parts: tuple[Any, ...], build: Any) -> HttpResponseBase:
    return cached_response(
        request,
        ("page", get_language(), timezone.localdate().isoformat(), *parts),
        lambda: build().encode(),
        "text/html; charset=utf-8",
        vary=("Accept-Language", "Cookie"),
    )


def _page_link(query: dict[str, Any], page: int | None, **drop: bool) -> str:
    q: dict[str, Any] = {k: v for k, v in query.items() if v not in (None, "") and not drop.get(k)}
    if page is not None:
        q["page"] = page
    return "?" + urlencode(q)


def directory(request: HttpRequest) -> HttpResponseBase:
    """公众网点查询: search box, quick filters, 附近网点, result cards, pagination."""
    throttled = _throttled(request)
    if throttled is not None:
        return throttled
    p, errors = params.parse(request.GET, max_page_size=50)
    query = {k: request.GET.get(k, "").strip() for k in QUERY_KEYS}
    if errors:
        p = params.Params()  # show the form with the messages and no results
    parts = ("directory", cache.generation(), *p.cache_parts(), tuple(sorted(errors)), tuple(query.items()))

    def build() -> str:
        count, rows = (0, []) if errors else search.search(**{**p.search_kwargs(), "page_size": p.page_size})
        last = max(1, (count + p.page_size - 1) // p.page_size)
        ref = params.reference()
        context = {
            "query": query,
            "params": p,
            "errors": errors,
            "count": count,
            "cards": [card(o) for o in rows],
            "page": p.page,
            "last": last,
            "previous_url": _page_link(query, p.page - 1) if p.page > 1 and count else None,
            "next_url": _page_link(query, p.page + 1) if p.page < last else None,
            "districts": ref.districts,
            "banks": ref.banks,
            "services": ref.services,
            "hotlines": HOTLINES,
            "roster": roster_footer(),
            "near_active": p.near is not None,
            "near_off_url": _page_link(query, None, near=True),
            "filtered": any(query[k] for k in ("q", "district", "bank", "service", "instant_issuance")),
            "days": day_kinds(timezone.localdate()),
        }
        return render_to_string("directory/index.html", context)

    response = _cached_html(request, parts, build)
    if errors:
        response.status_code = 400
    return response


def outlet(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One outlet: everything the roster publishes, tap-to-call numbers and the map link."""
    throttled = _throttled(request)
    if throttled is not None:
        return throttled

    def build() -> str:
        data = RosterEntry.objects.filter(pk=pk, hidden=False).values_list("data", flat=True).first()
        if data is None:
            raise Http404(_("名单中没有这个网点。"))
        return render_to_string(
            "directory/outlet.html",
            {
                "o": card(dict(data)),
                "hotlines": HOTLINES,
                "roster": roster_footer(),
                "days": day_kinds(timezone.localdate()),
            },
        )

    return _cached_html(request, ("outlet", cache.generation(), pk), build)
