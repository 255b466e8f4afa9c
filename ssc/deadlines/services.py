"""The one deadline engine: start, complete, and sweep statutory deadlines (法定期限)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ssc.accounts.choices import Role
from ssc.core.errors import CalendarMissing, NotAllowed, ValidationFailed
from ssc.workcalendar import services as cal

from .models import Deadline, DeadlineStatus, StepTarget

# Hooks run (inside the sweep's transaction) for deadlines of a kind that were just marked missed,
# e.g. a rectification turning ``overdue``. ``kind → fn(deadlines: list[Deadline], today)``.
ON_MISSED: dict[str, Callable[[list[Deadline], date], None]] = {}

# Other daily work run after the sweep by ``sweep_deadlines`` and ``tasks.sweep_deadlines_task`` (e.g. the
# agreements' expiry reminders): ``fn(today) -> str``, a one-line summary. Apps append theirs in ``ready()``.
DAILY_JOBS: list[Callable[[date], str]] = []


def run_daily_jobs(today: date) -> list[str]:
    return [job(today) for job in DAILY_JOBS]


# Rows per UPDATE ... WHERE id IN (...): well below every backend's limit on bound parameters.
_CHUNK = 2000


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
    """What one sweep found. ``missed``: open deadlines it marked missed; ``escalated``: every missed deadline
    not escalated before (``missed`` plus those completed late since the last sweep); ``reminded``: deadlines
    due today or on the next working day that had no reminder yet."""

    today: date
    missed: list[Deadline] = field(default_factory=list)
    escalated: list[Deadline] = field(default_factory=list)
    reminded: list[Deadline] = field(default_factory=list)
    # Set when the next working day could not be computed (no calendar for the coming year): reminders then
    # cover deadlines due today only, and the center is asked to enter the calendar.
    calendar_missing: str = ""
    # Filled by the ``notify`` callback: how many notifications it created.
    notifications: int = 0


def _update(ids: list[int], **values: Any) -> None:
    for i in range(0, len(ids), _CHUNK):
        Deadline.objects.filter(pk__in=ids[i : i + _CHUNK]).update(**values)


def _locked(qs: QuerySet[Deadline]) -> list[Deadline]:
    return list(qs.select_for_update().order_by("due_on", "id"))


def sweep(*, today: date | None = None, notify: Callable[[SweepResult], Any] | None = None) -> SweepResult:
    """The daily sweep (期限巡检), atomic and idempotent:

    - open deadlines whose last day has passed (``due_on < today``) become missed — an act is on time until
      the end of the last day (Civil Code Art 203), so a deadline due today is still pending;
    - every missed deadline not escalated yet (just marked, or completed late since the last sweep) is
      escalated once (``escalated_at``);
    - open deadlines due today or on the next working day get one reminder (``reminded_at``): a deadline due
      on a Monday is reminded on the Friday before, or on a make-up working Saturday (调休) if there is one;
    - the per-kind ``ON_MISSED`` hooks run for the newly missed deadlines, then ``notify(result)``.

    A second sweep on the same day finds nothing new, so nobody is told twice.
    """
    today = today or timezone.localdate()
    result = SweepResult(today=today)
    now = timezone.now()
    with transaction.atomic():
        result.missed = _locked(
            Deadline.objects.filter(status=DeadlineStatus.PENDING, completed_on__isnull=True, due_on__lt=today)
        )
        _update([d.pk for d in result.missed], status=DeadlineStatus.MISSED, escalated_at=now)
        for d in result.missed:
            d.status, d.escalated_at = DeadlineStatus.MISSED, now
        late = _locked(Deadline.objects.filter(status=DeadlineStatus.MISSED, escalated_at__isnull=True))
        _update([d.pk for d in late], escalated_at=now)
        for d in late:
            d.escalated_at = now
        result.escalated = sorted([*result.missed, *late], key=lambda d: (d.due_on, d.pk))

        by_kind: dict[str, list[Deadline]] = {}
        for d in result.missed:
            by_kind.setdefault(d.kind, []).append(d)
        for kind, items in by_kind.items():
            hook = ON_MISSED.get(kind)
            if hook:
                hook(items, today)

        try:
            horizon = cal.add_workdays(today, 1)
        except CalendarMissing as exc:
            result.calendar_missing = str(exc.detail)
            horizon = today
        result.reminded = _locked(
            Deadline.objects.filter(
                status=DeadlineStatus.PENDING,
                completed_on__isnull=True,
                reminded_at__isnull=True,
                due_on__gte=today,
                due_on__lte=horizon,
            )
        )
        _update([d.pk for d in result.reminded], reminded_at=now)
        for d in result.reminded:
            d.reminded_at = now

        if notify is not None:
            notify(result)
    return result


def overdue_workdays(due_on: date, today: date) -> int | None:
    """Working days a deadline is late on ``today`` (0 when not late); None when the calendar is missing."""
    if today <= due_on:
        return 0
    try:
        return cal.workdays_between(due_on, today)
    except CalendarMissing:
        return None


# --- the center's internal targets for district steps (内部时限) ---------------------------------------------

TARGET_EDITOR_ROLES = frozenset({Role.CENTER_OFFICER, Role.CENTER_LEADER})
MAX_TARGET_WORKDAYS = 250


@transaction.atomic
def step_target_set(*, actor: Any, case_type: str, action: str, workdays: int | None) -> StepTarget | None:
    """Set (or, with ``workdays=None``, remove) the center's target for one step of a workflow. Audited."""
    from ssc.audit import services as audit
    from ssc.workflow import engine

    if getattr(actor, "role", None) not in TARGET_EDITOR_ROLES:
        raise NotAllowed(_("只有市社保卡服务中心可以设定内部时限。"))
    try:
        workflow = engine.binding_for(case_type).workflow
    except KeyError as exc:
        raise ValidationFailed(errors={"case_type": [_("未知的流程。")]}) from exc
    if workflow.get(action) is None:
        raise ValidationFailed(errors={"action": [_("该流程没有此环节。")]})
    if workdays is not None and (type(workdays) is not int or not 1 <= workdays <= MAX_TARGET_WORKDAYS):
        raise ValidationFailed(
            errors={"workdays": [_("目标用时应为 1 至 %(n)d 个工作日。") % {"n": MAX_TARGET_WORKDAYS}]}
        )
    current = StepTarget.objects.select_for_update().filter(case_type=case_type, action=action).first()
    before = {"workdays": current.workdays} if current else None
    if workdays is None:
        if current is None:
            return None
        current.delete()
        audit.record(
            action="steptarget.delete",
            object_type="deadlines.steptarget",
            object_id=f"{case_type}.{action}",
            object_repr=f"{case_type}.{action}",
            before=before,
            actor=actor,
        )
        return None
    if current is not None and current.workdays == workdays:
        return current
    target = current or StepTarget(case_type=case_type, action=action, workdays=workdays)
    target.workdays = workdays
    target.save()
    audit.record(action="steptarget.set", obj=target, before=before, after={"workdays": workdays}, actor=actor)
    return target
