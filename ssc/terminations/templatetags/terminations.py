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


# Payload keys the termination handlers add beyond the forms' fields: labelled here (or left out when another row
# already says it), so the timeline never shows a raw key.
# (The ground's article is the step's article badge.)
_HIDDEN_KEYS = {"ground", "ground_article", "accounts_closed", "at", "by"}


def _relabel(label: str, value: Any, case: Any) -> tuple[str, Any] | None:
    from django.utils.translation import gettext as _t

    if label in _HIDDEN_KEYS:
        return None
    if label == "roster_hidden":
        return _t("公开名录"), _t("已隐藏该网点") if value == _t("是") else _t("该网点原本未公开")
    if label == "agreements_ended":
        return (_t("终止的合作协议"), value) if value not in ("", "—") else None
    if label in ("rectification", "relocation", "agreement"):
        names = {
            "rectification": _t("逾期整改"),
            "relocation": _t("不符合要求的迁址"),
            "agreement": _t("期满未续签的协议"),
        }
        return names[label], _t("第 %(n)s 号") % {"n": value}
    return label, value


@register.inclusion_tag("workflow/timeline.html", takes_context=True)
def termination_timeline(context: Any, case: Any) -> dict[str, Any]:
    """The common timeline (``ssc.workflow``) with the termination's own payload keys in words, and the ground's
    article (e.g. 第9条第(2)项) on the steps recorded under "8, 9"."""
    from ssc.workflow.templatetags.workflow import timeline

    ctx = timeline(context, case)
    for entry in ctx["entries"]:
        fields = []
        for label, value in entry.fields:
            relabelled = _relabel(str(label), value, case)
            if relabelled is not None:
                fields.append(relabelled)
        entry.fields = fields
        if entry.article.replace(" ", "") in ("8,9", "") and case.ground_article:
            entry.article = case.ground_article
    return ctx
