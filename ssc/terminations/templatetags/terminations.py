"""The termination panel of an outlet's page (解除合作 / 退出, Art 8, 9): the outlet's terminations (newest first),
the open one with the center's countdown and, for a role that may initiate while none is open, "发起退出"."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from ..models import TerminationState

register = template.Library()

PANEL_LIMIT = 10


@register.inclusion_tag("terminations/_outlet_panel.html", takes_context=True)
def outlet_terminations(context: Any, outlet: Any) -> dict[str, Any]:
    from ..views import TERMINATION_READER_ROLES, _center_deadlines, _countdown, may_initiate

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or getattr(user, "role", None) not in TERMINATION_READER_ROLES:
        return {"visible": False}
    from ..models import Termination

    cases = list(
        Termination.objects.restrict(user)
        .filter(outlet_id=outlet.pk)
        .exclude(state=TerminationState.NEW)
        .select_related("initiator_organisation")
        .order_by("-created_at", "-pk")[:PANEL_LIMIT]
    )
    today = timezone.localdate()
    deadlines = _center_deadlines([c.pk for c in cases if c.filed_on is not None])
    rows = [{"c": c, "deadline": _countdown(deadlines.get(c.pk), today)} for c in cases]
    open_case = next((c for c in cases if c.is_open), None)
    if open_case is None and may_initiate(user, outlet):
        # The panel sees only the user's scope: ask the table itself whether any termination is open.
        from ..selectors import open_termination_for_outlet

        can_initiate = open_termination_for_outlet(outlet) is None
    else:
        can_initiate = False
    return {
        "visible": True,
        "outlet": outlet,
        "rows": rows,
        "open_case": open_case,
        "can_initiate": can_initiate,
    }
