"""Reads of deadlines (期限) and of the time district steps take against the center's targets (内部时限)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Avg, Count, Max, Q, QuerySet, Sum, Value, When
from django.db.models import Case as CaseWhen
from django.utils import timezone

from ssc.accounts.choices import DISTRICT_ROLES

from .models import Deadline, DeadlineStatus, StepTarget

# The list's status filter: the stored statuses plus "overdue" (past its last day and still not done, whether
# or not the sweep has marked it yet).
LIST_STATUSES = ("pending", "overdue", "met", "missed")


def deadlines_for_list(user: Any, params: dict[str, Any] | None = None, *, today: date | None = None) -> QuerySet:
    """The deadlines ``user`` may see (``Deadline.objects.restrict``), filtered by ``status``, ``district``
    (id), ``case_type`` and ``kind``; open ones first, soonest last day first."""
    params = params or {}
    today = today or timezone.localdate()
    qs = Deadline.objects.restrict(user).select_related("district")
    status = params.get("status") or ""
    if status == "overdue":
        qs = qs.filter(completed_on__isnull=True, due_on__lt=today)
    elif status == "pending":
        qs = qs.filter(status=DeadlineStatus.PENDING)
    elif status in (DeadlineStatus.MET, DeadlineStatus.MISSED):
        qs = qs.filter(status=status)
    district = params.get("district")
    if district not in (None, ""):
        qs = qs.filter(district_id=district)
    for key in ("case_type", "kind"):
        if params.get(key):
            qs = qs.filter(**{key: params[key]})
    return qs.annotate(open_first=CaseWhen(When(completed_on__isnull=True, then=Value(0)), default=Value(1))).order_by(
        "open_first", "due_on", "id"
    )


@dataclass
class StepDuration:
    """How long one step of a workflow took, over every time it was done (in working days)."""

    action: str
    label: Any
    roles: list[str]
    count: int = 0
    average: float | None = None
    maximum: int | None = None
    target: int | None = None
    over_target: int = 0

    @property
    def district_step(self) -> bool:
        return bool(set(self.roles) & DISTRICT_ROLES)

    @property
    def over_share(self) -> float | None:
        return (self.over_target / self.count) if self.count and self.target is not None else None


def _district_id(district: Any) -> int | None:
    if district in (None, ""):
        return None
    return int(getattr(district, "pk", district))


def step_durations(
    case_type: str,
    district: Any = None,
    *,
    since: date | None = None,
    until: date | None = None,
) -> list[StepDuration]:
    """Per action of workflow ``case_type`` (in the table's order): how many times it was done, the average and
    the longest ``CaseEvent.elapsed_workdays``, the center's target (``StepTarget``) and how many took longer.
    ``district`` (a District or its id) keeps the cases of outlets in that district; ``since``/``until`` bound
    the date of the action. Two queries whatever the number of events."""
    from ssc.workflow import engine
    from ssc.workflow.models import CaseEvent

    binding = engine.binding_for(case_type)
    targets = dict(StepTarget.objects.filter(case_type=case_type).values_list("action", "workdays"))
    events = CaseEvent.objects.filter(case_type=case_type, elapsed_workdays__isnull=False)
    district_id = _district_id(district)
    if district_id is not None:
        events = events.filter(
            case_id__in=binding.model._default_manager.filter(outlet__district_id=district_id).values("pk")
        )
    if since is not None:
        events = events.filter(at__date__gte=since)
    if until is not None:
        events = events.filter(at__date__lte=until)
    over = Q()
    for action, workdays in targets.items():
        over |= Q(action=action, elapsed_workdays__gt=workdays)
    over_expr = Sum(CaseWhen(When(over, then=Value(1)), default=Value(0))) if targets else Value(0)
    rows = {
        r["action"]: r
        for r in events.values("action").annotate(
            n=Count("id"), avg=Avg("elapsed_workdays"), max=Max("elapsed_workdays"), over=over_expr
        )
    }
    out = []
    for t in binding.workflow.transitions:
        r = rows.get(t.action, {})
        out.append(
            StepDuration(
                action=t.action,
                label=t.label,
                roles=sorted(t.roles),
                count=r.get("n", 0),
                average=round(float(r["avg"]), 1) if r.get("avg") is not None else None,
                maximum=r.get("max"),
                target=targets.get(t.action),
                over_target=int(r.get("over") or 0),
            )
        )
    return out
