"""The one deadline engine: start, complete, and sweep statutory deadlines (法定期限)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ssc.workcalendar import services as cal

from .models import Deadline, DeadlineStatus

# Hooks run (inside the sweep's transaction) for deadlines of a kind that were just marked missed,
# e.g. a rectification turning ``overdue``. ``kind → fn(deadlines: list[Deadline], today)``.
ON_MISSED: dict[str, Callable[[list[Deadline], date], None]] = {}


def compute_due(start: date, *, workdays: int = 0, months: int = 0) -> date:
    if workdays:
        return cal.add_workdays(start, workdays)
    return cal.add_months_period(start, months)


def start(
    *,
    case_type: str,
    case_id: int,
    kind: str,
    started_on: date,
    workdays: int = 0,
    months: int = 0,
    label: str = "",
    article: str = "",
    responsible: str = "",
    district_id: int | None = None,
) -> Deadline:
    """Start a deadline. Raises ``CalendarMissing`` (nothing saved) when the calendar lacks a needed year."""
    due = compute_due(started_on, workdays=workdays, months=months)
    return Deadline.objects.create(
        case_type=case_type,
        case_id=case_id,
        kind=kind,
        label=label,
        article=article,
        responsible=responsible,
        district_id=district_id,
        started_on=started_on,
        due_on=due,
    )


def complete(*, case_type: str, case_id: int, kinds: tuple[str, ...], on: date) -> list[Deadline]:
    """The act the deadline waits for was done on ``on``: met when on or before ``due_on`` (Art 203: an act is
    on time if done before the end of the last day), otherwise missed."""
    done = []
    for d in Deadline.objects.select_for_update().filter(
        case_type=case_type, case_id=case_id, kind__in=kinds, completed_on__isnull=True
    ):
        d.completed_on = on
        d.status = DeadlineStatus.MET if on <= d.due_on else DeadlineStatus.MISSED
        d.save(update_fields=["completed_on", "status"])
        done.append(d)
    return done


def for_case(case_type: str, case_id: int) -> QuerySet[Deadline]:
    return Deadline.objects.filter(case_type=case_type, case_id=case_id).order_by("started_on", "id")


@dataclass
class SweepResult:
    today: date
    missed: list[Deadline] = field(default_factory=list)
    reminded: list[Deadline] = field(default_factory=list)


def sweep(*, today: date | None = None, notify: Callable[[SweepResult], Any] | None = None) -> SweepResult:
    """Mark deadlines whose last day has passed as missed, find those due on the next working day (a reminder
    one working day before), run the per-kind hooks, and hand the result to ``notify``."""
    today = today or timezone.localdate()
    result = SweepResult(today=today)
    now = timezone.now()
    with transaction.atomic():
        overdue = list(
            Deadline.objects.select_for_update().filter(
                status=DeadlineStatus.PENDING, completed_on__isnull=True, due_on__lt=today
            )
        )
        if overdue:
            Deadline.objects.filter(pk__in=[d.pk for d in overdue]).update(
                status=DeadlineStatus.MISSED, escalated_at=now
            )
            for d in overdue:
                d.status, d.escalated_at = DeadlineStatus.MISSED, now
        result.missed = overdue
        by_kind: dict[str, list[Deadline]] = {}
        for d in overdue:
            by_kind.setdefault(d.kind, []).append(d)
        for kind, items in by_kind.items():
            hook = ON_MISSED.get(kind)
            if hook:
                hook(items, today)
        try:
            tomorrow_workday = cal.add_workdays(today, 1)
        except Exception:
            tomorrow_workday = None
        if tomorrow_workday is not None:
            due_soon = list(
                Deadline.objects.select_for_update().filter(
                    status=DeadlineStatus.PENDING,
                    completed_on__isnull=True,
                    reminded_at__isnull=True,
                    due_on__gte=today,
                    due_on__lte=tomorrow_workday,
                )
            )
            if due_soon:
                Deadline.objects.filter(pk__in=[d.pk for d in due_soon]).update(reminded_at=now)
            result.reminded = due_soon
        if notify is not None:
            notify(result)
    return result
