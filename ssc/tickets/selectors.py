"""Reads of tickets and problem reports: lists, the inbox (待办), and the complaint count the evaluations use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from ssc.accounts.choices import Role

from .models import ProblemReport, ProblemReportState, Ticket, TicketCategory, TicketState
from .workflow import PROBLEM_REPORT, TICKET

# (action, role) pairs that never make a case "wait" on that role: a district officer *may* close an answered
# ticket (e.g. a walk-in complaint no hotline follows up) but the hotline is expected to; reopening is a choice.
NOT_AWAITING = {("close", Role.DISTRICT_OFFICER), ("reopen", Role.HOTLINE_OPERATOR)}


def ticket_states_awaiting(role: str) -> set[str]:
    return {
        s for t in TICKET.transitions if role in t.roles and (t.action, role) not in NOT_AWAITING for s in t.sources
    } - {TicketState.NEW}


def problem_report_states_awaiting(role: str) -> set[str]:
    return {s for t in PROBLEM_REPORT.transitions if role in t.roles for s in t.sources} - {ProblemReportState.NEW}


def _day_start(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def _split(value: Any) -> list[str]:
    return [p for p in str(value).split(",") if p]


def tickets_for_list(user: Any, params: dict[str, Any] | None = None, *, today: date | None = None) -> QuerySet:
    """The tickets ``user`` may see (``Ticket.objects.restrict``), filtered by ``state`` (comma list), ``channel``,
    ``category``, ``outlet`` (id), ``district`` (id), ``bank`` (id), ``received_from``/``received_to`` (local
    dates, inclusive), ``overdue`` (open past the response deadline), ``awaiting="me"`` and ``q`` (outlet name,
    address, code or pinyin)."""
    params = params or {}
    qs = Ticket.objects.restrict(user).select_related(
        "outlet", "outlet__district", "outlet__bank", "hotline", "logged_by"
    )
    if params.get("awaiting") == "me":
        qs = qs.filter(state__in=ticket_states_awaiting(user.role))
    if params.get("state"):
        qs = qs.filter(state__in=_split(params["state"]))
    for key in ("channel", "category"):
        if params.get(key):
            qs = qs.filter(**{key: params[key]})
    for key, field in (("outlet", "outlet_id"), ("district", "outlet__district_id"), ("bank", "outlet__bank_id")):
        if params.get(key) not in (None, ""):
            qs = qs.filter(**{field: int(params[key])})
    if params.get("received_from"):
        qs = qs.filter(received_at__gte=_day_start(params["received_from"]))
    if params.get("received_to"):
        qs = qs.filter(received_at__lt=_day_start(params["received_to"] + timedelta(days=1)))
    if params.get("overdue"):
        qs = qs.filter(state=TicketState.OPEN, response_due_on__lt=today or timezone.localdate())
    q = (params.get("q") or "").strip()
    if q:
        from ssc.registry.models import Outlet
        from ssc.registry.selectors import text_query

        qs = qs.filter(outlet__in=Outlet.objects.filter(text_query(q)).values("pk"))
    return qs


def problem_reports_for_list(user: Any, params: dict[str, Any] | None = None) -> QuerySet:
    """The problem reports ``user`` may see, filtered by ``state``, ``outlet``, ``district``, ``bank``,
    ``reported_from``/``reported_to`` (local dates, inclusive), ``awaiting="me"`` and ``q`` (title or outlet)."""
    params = params or {}
    qs = ProblemReport.objects.restrict(user).select_related(
        "outlet", "outlet__district", "outlet__bank", "reported_by"
    )
    if params.get("awaiting") == "me":
        qs = qs.filter(state__in=problem_report_states_awaiting(user.role))
    if params.get("state"):
        qs = qs.filter(state__in=_split(params["state"]))
    for key, field in (("outlet", "outlet_id"), ("district", "outlet__district_id"), ("bank", "outlet__bank_id")):
        if params.get(key) not in (None, ""):
            qs = qs.filter(**{field: int(params[key])})
    if params.get("reported_from"):
        qs = qs.filter(reported_at__gte=_day_start(params["reported_from"]))
    if params.get("reported_to"):
        qs = qs.filter(reported_at__lt=_day_start(params["reported_to"] + timedelta(days=1)))
    q = (params.get("q") or "").strip()
    if q:
        from ssc.registry.models import Outlet
        from ssc.registry.selectors import text_query

        qs = qs.filter(Q(title__icontains=q) | Q(outlet__in=Outlet.objects.filter(text_query(q)).values("pk")))
    return qs


# --- complaints for the evaluations ------------------------------------------------------------------------------


def _complaints(start: date, end: date) -> QuerySet:
    return Ticket.objects.filter(
        category=TicketCategory.COMPLAINT,
        received_at__gte=_day_start(start),
        received_at__lt=_day_start(end + timedelta(days=1)),
    ).exclude(state=TicketState.NEW)


def complaint_count(outlet_id: int, start: date, end: date) -> int:
    """How many complaints (投诉, ``category == "complaint"``) about outlet ``outlet_id`` were received from ``start``
    to ``end``, both days included, by the date of receipt (``received_at``) in Asia/Shanghai — whatever their
    state (open, answered, closed), through any channel. Consultations are not counted.

    Not scoped: the caller (the quality evaluation of an outlet, Art 5) has already decided that its user may see
    the outlet. One indexed query (``ticket_outlet_cat_time``)."""
    if end < start:
        return 0
    return _complaints(start, end).filter(outlet_id=outlet_id).count()


def complaint_counts(outlet_ids: list[int], start: date, end: date) -> dict[int, int]:
    """``complaint_count`` for many outlets in one query: outlet id → count (outlets without complaints → 0)."""
    out = dict.fromkeys(outlet_ids, 0)
    if end < start or not outlet_ids:
        return out
    rows = (
        _complaints(start, end)
        .filter(outlet_id__in=outlet_ids)
        .values("outlet_id")
        .annotate(n=Count("pk"))
        .values_list("outlet_id", "n")
    )
    out.update(dict(rows))
    return out


# --- inbox -------------------------------------------------------------------------------------------------------


@dataclass
class AwaitingItem:
    """One ticket or problem report waiting on the user, as an inbox row."""

    case: Any
    case_type: str  # "ticket" | "problem_report"
    kind_label: str  # 热线工单 / 问题报告
    task: str  # what the user must do, e.g. 答复
    outlet: Any
    due_on: date | None
    updated_at: datetime
    url: str


def _task_label(workflow: Any, state: str, role: str) -> str:
    return "／".join(
        str(t.label)
        for t in workflow.transitions_from(state)
        if role in t.roles and (t.action, role) not in NOT_AWAITING
    )


def tickets_awaiting(user: Any) -> QuerySet:
    """Tickets waiting on ``user``: open ones for the outlet's staff and the district officers (to answer),
    answered ones for the logging hotline (to call back and close). Soonest response deadline first."""
    return tickets_for_list(user, {"awaiting": "me"}).order_by(F("response_due_on").asc(nulls_last=True), "pk")


def problem_reports_awaiting(user: Any) -> QuerySet:
    """Problem reports waiting on ``user``: submitted ones for the district officers (to reply). Oldest first."""
    return problem_reports_for_list(user, {"awaiting": "me"}).order_by("reported_at", "pk")


def awaiting(user: Any, limit: int | None = None) -> list[AwaitingItem]:
    """What waits on ``user`` among tickets and problem reports, soonest deadline first (none last), then oldest.
    For the common inbox (待办); ``limit`` caps each of the two queries and the result."""
    tickets = tickets_awaiting(user)
    reports = problem_reports_awaiting(user)
    if limit is not None:
        tickets, reports = tickets[:limit], reports[:limit]
    items = [
        AwaitingItem(
            case=t,
            case_type="ticket",
            kind_label=str(TICKET.label),
            task=_task_label(TICKET, t.state, user.role),
            outlet=t.outlet,
            due_on=t.response_due_on if t.state == TicketState.OPEN else None,
            updated_at=t.updated_at,
            url=t.get_absolute_url(),
        )
        for t in tickets
    ]
    items += [
        AwaitingItem(
            case=r,
            case_type="problem_report",
            kind_label=str(PROBLEM_REPORT.label),
            task=_task_label(PROBLEM_REPORT, r.state, user.role),
            outlet=r.outlet,
            due_on=None,
            updated_at=r.updated_at,
            url=r.get_absolute_url(),
        )
        for r in reports
    ]
    items.sort(key=lambda i: (i.due_on is None, i.due_on or date.max, i.updated_at))
    return items[:limit] if limit is not None else items


def awaiting_counts(user: Any) -> dict[str, int]:
    """How many tickets and problem reports wait on ``user`` (two COUNT queries)."""
    return {"ticket": tickets_awaiting(user).count(), "problem_report": problem_reports_awaiting(user).count()}
