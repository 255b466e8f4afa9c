"""Reads of terminations (解除合作): the list with its filters, an outlet's open case, and the grounds a user may
initiate on for an outlet — with the reason when not, so pages and clients never guess."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ssc.registry.choices import OutletStatus

from .models import CLOSED_STATES, Ground, Termination
from .workflow import GROUND_INITIATORS, INITIATOR_ROLES, ground_evidence, missing_evidence_message

# Who may cancel is not who must: cancelling never waits in anyone's inbox.
NOT_AWAITING = frozenset({"cancel"})

# An outlet may be terminated while it cooperates (or is rectifying).
TERMINABLE = (OutletStatus.ACTIVE, OutletStatus.UNDER_RECTIFICATION)


@dataclass(frozen=True)
class GroundOption:
    code: str
    label: str
    available: bool
    reason: str = ""
    article: str = ""


def terminations_for_list(user: Any, params: dict[str, Any] | None = None) -> QuerySet[Termination]:
    """The terminations ``user`` may see (``Termination.objects.restrict``), filtered by ``state`` (one or a comma
    list), ``ground`` (one or a comma list), ``district`` (id), ``bank`` (id), ``outlet`` (id) and ``q`` (outlet
    name, address, code or pinyin)."""
    params = params or {}
    qs = Termination.objects.restrict(user).select_related(
        "outlet", "outlet__district", "outlet__bank", "initiated_by", "initiator_organisation"
    )
    for key in ("state", "ground"):
        value = params.get(key)
        if value:
            qs = qs.filter(**{f"{key}__in": [s for s in str(value).split(",") if s]})
    for key, field in (("district", "outlet__district_id"), ("bank", "outlet__bank_id"), ("outlet", "outlet_id")):
        if params.get(key) not in (None, ""):
            qs = qs.filter(**{field: int(params[key])})
    q = (params.get("q") or "").strip()
    if q:
        from ssc.registry.models import Outlet
        from ssc.registry.selectors import text_query

        qs = qs.filter(outlet__in=Outlet.objects.filter(text_query(q)).values("pk"))
    return qs


def open_termination_for_outlet(outlet: Any) -> Termination | None:
    """The outlet's termination still running (at most one), or None."""
    outlet_id = getattr(outlet, "pk", outlet)
    return Termination.objects.filter(outlet_id=outlet_id).exclude(state__in=CLOSED_STATES).first()


def for_outlet(user: Any, outlet_id: int) -> list[Termination]:
    """An outlet's terminations the user may see, newest first (for the outlet page)."""
    return list(Termination.objects.restrict(user).filter(outlet_id=outlet_id).order_by("-created_at", "-pk"))


def available_grounds(outlet: Any, user: Any, *, today: date | None = None) -> list[GroundOption]:
    """Each of the eight grounds, available to ``user`` for ``outlet`` or not — and why not (role, outlet status,
    an open termination, or the missing record that 8(3), 9(3) and 9(4) need). Scope is the caller's to check
    (``Outlet.objects.restrict``)."""
    today = today or timezone.localdate()
    role = getattr(user, "role", None)
    common = ""
    if role not in INITIATOR_ROLES:
        common = _("您的角色不能发起解除合作。")
    elif outlet.status not in TERMINABLE:
        common = _("网点当前状态为“%(s)s”，不能发起解除合作。") % {"s": outlet.get_status_display()}
    elif open_termination_for_outlet(outlet) is not None:
        common = _("该网点已有办理中的解除合作。")
    out = []
    for g in Ground:
        reason = common
        if not reason and role not in GROUND_INITIATORS[g.value]:
            reason = _("您的角色不能依此情形发起解除合作。")
        if not reason and ground_evidence(g.value, outlet.pk, today) is None:
            reason = missing_evidence_message(g.value)
        out.append(
            GroundOption(
                code=g.value,
                label=str(g.label),
                available=not reason,
                reason=str(reason),
                article=f"{g.value.split('.')[0]}({g.value.split('.')[1]})",
            )
        )
    return out
