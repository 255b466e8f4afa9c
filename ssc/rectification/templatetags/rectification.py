"""The rectification panel of an outlet's page: its rectifications (newest first) and, for a district officer of
its district, the "下达整改" button."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from ..models import RectificationState
from ..selectors import for_outlet

register = template.Library()

PANEL_LIMIT = 10


@register.inclusion_tag("rectification/_outlet_panel.html", takes_context=True)
def outlet_rectifications(context: Any, outlet: Any) -> dict[str, Any]:
    from ssc.workflow.templatetags.workflow import deadline_info

    from ..views import may_issue

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    cases = for_outlet(user, outlet.pk)
    today = timezone.localdate()
    rows = []
    for r in cases[:PANEL_LIMIT]:
        closed = r.state == RectificationState.CLOSED
        info = deadline_info(r.due_on, completed_on=r.closed_on if closed else None, today=today)
        rows.append({"r": r, "deadline": info})
    return {
        "outlet": outlet,
        "rows": rows,
        "total": len(cases),
        "can_issue": may_issue(user, outlet),
    }
