"""The inspection panel of an outlet's page: the inspections that covered it (for those who read inspections) and,
for regulators and the center, a link to record a new one."""

from __future__ import annotations

from typing import Any

from django import template

from ..selectors import for_outlet
from ..services import may_record
from ..views import READER_ROLES

register = template.Library()

PANEL_LIMIT = 10


@register.inclusion_tag("inspections/_outlet_panel.html", takes_context=True)
def outlet_inspections(context: Any, outlet: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or getattr(user, "role", None) not in READER_ROLES:
        return {"show": False}
    cases = for_outlet(user, outlet.pk)
    return {
        "show": True,
        "outlet": outlet,
        "rows": cases[:PANEL_LIMIT],
        "total": len(cases),
        "can_record": may_record(user),
    }
