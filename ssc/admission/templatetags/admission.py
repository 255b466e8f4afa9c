"""The admission panel of an outlet's page (网点准入, Art 7): every opening application of the outlet the viewer may
see, newest first, with its state, dates and the open statutory deadline."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from ..models import Application
from ..selectors import with_deadline

register = template.Library()

PANEL_LIMIT = 10


@register.inclusion_tag("admission/_outlet_panel.html", takes_context=True)
def outlet_applications(context: Any, outlet: Any) -> dict[str, Any]:
    """Two queries whatever the number of applications: the rows (with their soonest open deadline) and, only when
    the panel is full, the total."""
    from ssc.workflow.templatetags.workflow import deadline_info

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    qs = Application.objects.restrict(user).filter(outlet_id=outlet.pk)
    apps = list(with_deadline(qs).select_related("consent_organisation").order_by("-created_at", "-pk")[:PANEL_LIMIT])
    total = len(apps) if len(apps) < PANEL_LIMIT else qs.count()
    today = timezone.localdate()
    rows = [
        {"a": a, "deadline": deadline_info(a.due_on, status=a.deadline_status or "", today=today)}  # type: ignore[attr-defined]
        for a in apps
    ]
    return {"outlet": outlet, "rows": rows, "total": total}
