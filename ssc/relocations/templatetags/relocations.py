"""The relocations panel of the outlet page."""

from __future__ import annotations

from typing import Any

from django import template

from .. import services
from ..models import NO_RELOCATION_ROLES, OPEN_STATES, Relocation, RelocationState

register = template.Library()


@register.inclusion_tag("relocations/_outlet_panel.html", takes_context=True)
def outlet_relocations(context: Any, outlet: Any) -> dict[str, Any]:
    user = context.get("user")
    rows = list(
        Relocation.objects.restrict(user)
        .filter(outlet=outlet)
        .exclude(state=RelocationState.NEW)
        .order_by("-created_at", "-pk")[:10]
    )
    return {
        "outlet": outlet,
        "relocations": rows,
        "visible": user is not None and user.role not in NO_RELOCATION_ROLES,
        "can_report": user is not None
        and user.role in services.REPORTER_ROLES
        and outlet.status in services.RELOCATABLE
        and not any(r.state in OPEN_STATES for r in rows),
    }
