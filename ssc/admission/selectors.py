"""Reads of admission cases: lists and the inbox (待办)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import F, OuterRef, QuerySet, Subquery

from ssc.deadlines.models import Deadline

from .models import Application
from .workflow import ADMISSION


class DeadlineAnnotations(TypedDict):
    """What ``with_deadline`` adds to each application."""

    due_on: datetime.date | None
    deadline_status: str | None


if TYPE_CHECKING:
    from typing import TypeAlias

    from django_stubs_ext import WithAnnotations

    ApplicationWithDeadline: TypeAlias = WithAnnotations[Application, DeadlineAnnotations]

# Actions that never make a case "wait" on a user (anyone may withdraw, but nobody must).
NOT_AWAITING = {"withdraw", "update_preparation"}


def states_awaiting(role: str) -> set[str]:
    return {s for t in ADMISSION.transitions if role in t.roles and t.action not in NOT_AWAITING for s in t.sources}


def with_deadline(qs: QuerySet[Application]) -> QuerySet[ApplicationWithDeadline]:
    """Annotate the soonest open statutory deadline (``due_on``) of each application."""
    open_deadline = Deadline.objects.filter(
        case_type="application", case_id=OuterRef("pk"), completed_on__isnull=True
    ).order_by("due_on")
    return qs.annotate(
        due_on=Subquery(open_deadline.values("due_on")[:1]),
        deadline_status=Subquery(open_deadline.values("status")[:1]),
    )


def applications_for_list(user: Any, params: dict[str, Any] | None = None) -> QuerySet[ApplicationWithDeadline]:
    params = params or {}
    qs = Application.objects.restrict(user).select_related("outlet", "outlet__district", "outlet__bank")
    if params.get("awaiting") == "me":
        qs = qs.filter(state__in=states_awaiting(user.role))
    state = params.get("state")
    if state:
        qs = qs.filter(state__in=str(state).split(","))
    district = params.get("district")
    if district:
        # A six-digit value is a GB/T 2260 (or zone) code; anything else is the district's id.
        qs = (
            qs.filter(outlet__district__code=district)
            if len(str(district)) == 6
            else qs.filter(outlet__district_id=district if str(district).isdigit() else -1)
        )
    bank = params.get("bank")
    if bank and str(bank).isdigit():
        qs = qs.filter(outlet__bank_id=bank)
    outlet = params.get("outlet")
    if outlet and str(outlet).isdigit():
        qs = qs.filter(outlet_id=outlet)
    q = (params.get("q") or "").strip()
    if q:
        from ssc.registry.models import Outlet
        from ssc.registry.selectors import text_query

        qs = qs.filter(outlet__in=Outlet.objects.filter(text_query(q)).values("pk"))
    return with_deadline(qs)


def inbox(user: Any) -> QuerySet[ApplicationWithDeadline]:
    """What waits on ``user``: soonest deadline first (none last), then the oldest."""
    return applications_for_list(user, {"awaiting": "me"}).order_by(F("due_on").asc(nulls_last=True), "updated_at")
