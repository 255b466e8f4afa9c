"""Periodic work of the deadline engine, as plain functions a worker (Celery beat, django-tasks, cron) calls."""

from __future__ import annotations

from datetime import date
from typing import Any

from ssc.core import context

from . import escalation, services


def sweep_deadlines_task(today: date | str | None = None) -> dict[str, Any]:
    """Run the daily deadline sweep with its notifications; returns a JSON-able summary for the worker's log.

    Safe to run several times a day: a second run finds nothing new (see ``services.sweep``)."""
    if isinstance(today, str):
        today = date.fromisoformat(today)
    with context.use(source="task"):
        result = services.sweep(today=today, notify=escalation.notify_sweep)
        jobs = services.run_daily_jobs(result.today)
    return {**summary(result), "jobs": jobs}


def summary(result: services.SweepResult) -> dict[str, Any]:
    return {
        "today": result.today.isoformat(),
        "missed": len(result.missed),
        "escalated": len(result.escalated),
        "reminded": len(result.reminded),
        "notifications": result.notifications,
        "calendar_missing": result.calendar_missing,
    }
