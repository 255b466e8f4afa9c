"""Public pages of the roster's versions (名单版本, Art 7(5), 10): what changed in each version, and when.

The staff pages (``ssc.roster.views``) need a log-in; these show the same versions to everyone, without internal
fields: no publisher, no internal ids (only the outlet id, which the roster itself publishes).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from ssc.roster.models import ChangeKind, RosterEntry, RosterVersion
from ssc.roster.views import field_changes, summary

from .views import HOTLINES, _throttled, roster_footer

VERSIONS_PER_PAGE = 30
CHANGES_PER_PAGE = 50


def _render(template: str, context: dict) -> HttpResponse:
    context = {"hotlines": HOTLINES, "roster": roster_footer(), **context}
    return HttpResponse(render_to_string(template, context))


def version_list(request: HttpRequest) -> HttpResponseBase:
    throttled = _throttled(request)
    if throttled is not None:
        return throttled
    qs = RosterVersion.objects.only(
        "number", "published_at", "reason", "added_count", "changed_count", "removed_count", "total"
    ).order_by("-number")
    page = Paginator(qs, VERSIONS_PER_PAGE).get_page(request.GET.get("page"))
    return _render("directory/roster_versions.html", {"page": page, "versions": page.object_list})


def version_detail(request: HttpRequest, number: int) -> HttpResponseBase:
    throttled = _throttled(request)
    if throttled is not None:
        return throttled
    version = get_object_or_404(
        RosterVersion.objects.only(
            "number", "published_at", "reason", "added_count", "changed_count", "removed_count", "total"
        ),
        number=number,
    )
    kinds = {k.value: k.label for k in ChangeKind}
    qs = version.changes.only("kind", "before", "after", "outlet_id").order_by("kind", "id")
    kind = request.GET.get("kind", "")
    if kind in kinds:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    page = Paginator(qs, CHANGES_PER_PAGE).get_page(request.GET.get("page"))
    listed = set(
        RosterEntry.objects.filter(pk__in=[c.outlet_id for c in page.object_list], hidden=False).values_list(
            "pk", flat=True
        )
    )
    rows = [
        {
            "kind": c.kind,
            "kind_label": kinds.get(c.kind, c.kind),
            "outlet_id": c.outlet_id if c.outlet_id in listed else None,
            "data": summary(c.after if c.kind != ChangeKind.REMOVED else c.before),
            "fields": field_changes(c.before, c.after) if c.kind == ChangeKind.CHANGED else [],
        }
        for c in page.object_list
    ]
    return _render(
        "directory/roster_version.html",
        {
            "title": _("名单第 %(n)d 版") % {"n": version.number},
            "version": version,
            "rows": rows,
            "page": page,
            "kind": kind,
            "kinds": list(kinds.items()),
            "previous": RosterVersion.objects.filter(number__lt=number).order_by("-number").values("number").first(),
            "next": RosterVersion.objects.filter(number__gt=number).order_by("number").values("number").first(),
        },
    )
