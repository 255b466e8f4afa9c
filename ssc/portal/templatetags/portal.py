"""Template helpers of the staff pages: status badges and sortable column headers."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _t

from ssc.registry.choices import OUTLET_STATUS_COLOURS, OutletStatus

register = template.Library()


@register.simple_tag
def status_badge(status: str) -> str:
    """The status's label in its colour; the text is always there (never colour alone)."""
    try:
        s = OutletStatus(status)
    except ValueError:
        return format_html('<span class="badge grey">{}</span>', status or "—")
    return format_html('<span class="badge {}">{}</span>', OUTLET_STATUS_COLOURS[s], s.label)


@register.simple_tag(takes_context=True)
def sort_header(context: Any, key: str, label: Any) -> str:
    """A ``<th>`` whose link sorts by ``key`` (again: reverses), keeping the filters, back to page 1."""
    request = context["request"]
    current = context.get("sort") or ""
    params = request.GET.copy()
    params.pop("page", None)
    if current == key:
        params["sort"], aria, arrow = f"-{key}", "ascending", "▲"
    elif current == f"-{key}":
        params["sort"], aria, arrow = key, "descending", "▼"
    else:
        params["sort"], aria, arrow = key, "", ""
    hint = _t("点击排序")
    if aria:
        return format_html(
            '<th scope="col" aria-sort="{}"><a href="?{}" title="{}">{} <span aria-hidden="true">{}</span></a></th>',
            aria,
            params.urlencode(),
            hint,
            label,
            arrow,
        )
    return format_html(
        '<th scope="col"><a href="?{}" title="{}">{} <span class="sort-hint" aria-hidden="true">⇅</span></a></th>',
        params.urlencode(),
        hint,
        label,
    )


@register.filter
def split_parts(text: str, sep: str = "；") -> list[str]:
    """``"a；b"`` → ``["a", "b"]`` (e.g. the parts of an outlet's opening hours, one per line)."""
    return [p for p in str(text or "").split(sep) if p]
