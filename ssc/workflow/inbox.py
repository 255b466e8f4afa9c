"""The common inbox (待办): what waits on a user across every workflow registered with ``ssc.workflow.engine``.

Which cases wait on whom is read from each workflow's table: a case in state *s* waits on a user whose role is
named by a transition leaving *s* — inside the user's scope (the case model's ``restrict``) and, when the workflow
limits who may act beyond the role (``Workflow.in_action_scope``), inside that too. A workflow tunes this with an
``InboxRule`` (``register_rule``):

- ``not_awaiting`` — actions (or ``(action, role)`` pairs) a role *may* take but nobody *must* (withdrawing an
  application, reopening a ticket). Without a rule, the app's ``selectors.NOT_AWAITING`` is used if it exists;
- ``action_q(user, transition)`` — the SQL form of ``in_action_scope`` (e.g. "the district named by the
  inspection"), so that lists, counts and limits are exact in the database. A workflow with ``in_action_scope``
  and no ``action_q`` is filtered in Python after the query (counts may then include cases the user may not act
  on);
- ``extra`` — states that wait on a role without any transition of the table (an overdue rectification waits on
  the district to consider Art 8(3) termination);
- ``select_related``, ``url``, ``subject`` — how an item is loaded and shown.

Each item carries the soonest open statutory deadline of its case (``ssc.deadlines``), how many working days it is
overdue, and the case's page. Items are ordered soonest deadline first (none last), then oldest. Queries are
bounded by the number of workflows (one per workflow for the items, one for the counts), never by the rows.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ssc.core.scoping import restricted
from ssc.deadlines.models import Deadline

from . import engine
from .definition import Transition, Workflow

DUE = "inbox_due_on"
DUE_STATUS = "inbox_deadline_status"


@dataclass(frozen=True)
class ExtraTask:
    """A state that waits on ``roles`` although no transition of the table leaves it (e.g. an overdue
    rectification waits on the district to consider termination). ``q(user)`` narrows the cases further."""

    state: str
    roles: frozenset[str]
    label: Any
    q: Callable[[Any], Q] | None = None


@dataclass
class InboxRule:
    case_type: str
    not_awaiting: frozenset[Any] = frozenset()
    action_q: Callable[[Any, Transition], Q | None] | None = None
    extra: tuple[ExtraTask, ...] = ()
    select_related: tuple[str, ...] | None = None
    url: Callable[[Any], str] | None = None
    subject: Callable[[Any], str] | None = None


_rules: dict[str, InboxRule] = {}


def register_rule(rule: InboxRule) -> InboxRule:
    _rules[rule.case_type] = rule
    return rule


def _default_not_awaiting(binding: engine.WorkflowBinding) -> frozenset[Any]:
    """``NOT_AWAITING`` of the app's ``selectors`` module (action names or ``(action, role)`` pairs), if any."""
    package = binding.model.__module__.rsplit(".", 1)[0]
    try:
        module = importlib.import_module(f"{package}.selectors")
    except ImportError:
        return frozenset()
    return frozenset(getattr(module, "NOT_AWAITING", ()) or ())


def rule_for(case_type: str) -> InboxRule:
    rule = _rules.get(case_type)
    if rule is None:
        rule = _rules[case_type] = InboxRule(
            case_type, not_awaiting=_default_not_awaiting(engine.binding_for(case_type))
        )
    return rule


def _awaits(rule: InboxRule, t: Transition, role: str | None) -> bool:
    return role in t.roles and t.action not in rule.not_awaiting and (t.action, role) not in rule.not_awaiting


def _has_field(model: Any, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def state_field(model: Any) -> str | None:
    """The column holding a case's state: ``state`` (``WorkflowCase``), or a model's own name for it (an
    agreement's ``status``, exposed to the engine as a ``state`` property); ``model.state_field`` may say."""
    declared = getattr(model, "state_field", None)
    names = {f.name for f in model._meta.concrete_fields}
    for name in (declared, "state", "status"):
        if isinstance(name, str) and name in names:
            return name
    return None


@dataclass
class _Plan:
    """How one workflow's inbox is read for one user."""

    binding: engine.WorkflowBinding
    rule: InboxRule
    condition: Q
    python_check: bool  # ``in_action_scope`` without ``action_q``: filter rows in Python
    state_field: str = "state"

    @property
    def workflow(self) -> Workflow:
        return self.binding.workflow


def _plan(binding: engine.WorkflowBinding, user: Any) -> _Plan | None:
    wf = binding.workflow
    rule = rule_for(wf.name)
    role = getattr(user, "role", None)
    sf = state_field(binding.model)
    if sf is None:
        return None
    conds: list[Q] = []
    python_check = False
    for t in wf.transitions:
        if not _awaits(rule, t, role):
            continue
        cond = Q(**{f"{sf}__in": list(t.sources)})
        if rule.action_q is not None:
            extra = rule.action_q(user, t)
            if extra is not None:
                cond &= extra
        elif wf.in_action_scope is not None:
            python_check = True
        conds.append(cond)
    for task in rule.extra:
        if role in task.roles:
            cond = Q(**{sf: task.state})
            if task.q is not None:
                cond &= task.q(user)
            conds.append(cond)
    if not conds:
        return None
    condition = conds[0]
    for c in conds[1:]:
        condition |= c
    return _Plan(binding, rule, condition, python_check, sf)


def _plans(user: Any, case_types: Iterable[str] | None = None) -> list[_Plan]:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    wanted = set(case_types) if case_types is not None else None
    out = []
    for name in sorted(engine._bindings):
        if wanted is not None and name not in wanted:
            continue
        plan = _plan(engine._bindings[name], user)
        if plan is not None:
            out.append(plan)
    return out


def _queryset(plan: _Plan, user: Any) -> QuerySet:
    model: Any = plan.binding.model
    open_deadline = Deadline.objects.filter(
        case_type=plan.workflow.name, case_id=OuterRef("pk"), completed_on__isnull=True
    ).order_by("due_on", "id")
    return (
        model.objects.restrict(user)
        .filter(plan.condition)
        .annotate(**{DUE: Subquery(open_deadline.values("due_on")[:1])})
        .annotate(**{DUE_STATUS: Subquery(open_deadline.values("status")[:1])})
    )


def _select_related(plan: _Plan) -> tuple[str, ...]:
    if plan.rule.select_related is not None:
        return plan.rule.select_related
    model = plan.binding.model
    return ("outlet", "outlet__district") if _has_field(model, "outlet") else ()


# --- items ---------------------------------------------------------------------------------------------------


@dataclass
class InboxItem:
    """One case waiting on the user."""

    case_type: str
    kind_label: str  # the workflow's label, e.g. 网点开设申请 / 整改 / 监督检查
    case: Any
    outlet: Any  # the case's outlet, or None (an inspection of a whole district)
    subject: str  # what the row names: the outlet, or the case itself
    district: Any
    state: str
    state_label: str
    task: str  # what the user must do, e.g. “记录现场核实／退回补正”
    due_on: date | None  # the soonest open statutory deadline
    deadline_status: str | None
    overdue_workdays: int | None  # working days past ``due_on`` today (0 when not late; None without a calendar)
    deadline: Any  # ``DeadlineInfo`` for the page (overdue / today / left / none)
    updated_at: datetime | None
    url: str
    api_url: str = ""
    actions: list[str] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.deadline.kind == "overdue"


def task_label(workflow: Workflow, rule: InboxRule, state: str, user: Any, case: Any = None) -> str:
    labels = [
        str(t.label)
        for t in workflow.transitions_from(state)
        if _awaits(rule, t, user.role) and (case is None or workflow.actor_in_scope(case, user, t))
    ]
    labels += [str(x.label) for x in rule.extra if x.state == state and user.role in x.roles]
    return "／".join(labels)


def _case_url(case_type: str, case: Any, rule: InboxRule) -> str:
    if rule.url is not None:
        return rule.url(case)
    if hasattr(case, "get_absolute_url"):
        return case.get_absolute_url()
    from ssc.deadlines.cases import CASE_URL_NAMES

    name = CASE_URL_NAMES.get(case_type)
    if name:
        try:
            return reverse(name, args=[case.pk])
        except NoReverseMatch:
            return ""
    return ""


def _api_url(case_type: str, pk: int) -> str:
    try:
        return reverse(f"api-{case_type}-detail", kwargs={"pk": pk})
    except NoReverseMatch:
        return ""


def _item(plan: _Plan, case: Any, user: Any, today: date) -> InboxItem | None:
    from ssc.deadlines.services import overdue_workdays
    from ssc.workflow.templatetags.workflow import deadline_info

    wf, rule = plan.workflow, plan.rule
    task = task_label(wf, rule, case.state, user, case if plan.python_check else None)
    if not task:
        return None
    due = getattr(case, DUE, None)
    outlet = getattr(case, "outlet", None) if _has_field(plan.binding.model, "outlet") else None
    subject = rule.subject(case) if rule.subject is not None else (outlet.name if outlet is not None else str(case))
    district = getattr(outlet, "district", None) if outlet is not None else getattr(case, "district", None)
    return InboxItem(
        case_type=wf.name,
        kind_label=str(wf.label),
        case=case,
        outlet=outlet,
        subject=subject,
        district=district,
        state=case.state,
        state_label=str(wf.state_label(case.state)),
        task=task,
        due_on=due,
        deadline_status=getattr(case, DUE_STATUS, None),
        overdue_workdays=overdue_workdays(due, today) if due is not None else None,
        deadline=deadline_info(due, today=today),
        updated_at=getattr(case, "updated_at", None),
        url=_case_url(wf.name, case, rule),
        api_url=_api_url(wf.name, case.pk),
    )


def _sort_key(item: InboxItem) -> tuple:
    updated = item.updated_at.timestamp() if item.updated_at is not None else 0.0
    return (item.due_on is None, item.due_on or date.max, updated, item.case_type, item.case.pk)


def inbox_items(
    user: Any, limit: int | None = None, *, case_types: Iterable[str] | None = None, today: date | None = None
) -> list[InboxItem]:
    """What waits on ``user`` in every registered workflow (or those named by ``case_types``): soonest deadline
    first (none last), then the oldest. ``limit`` caps each workflow's query and the merged result, so the first
    ``limit`` items are exact whatever the number of cases. One query per workflow."""
    today = today or timezone.localdate()
    items: list[InboxItem] = []
    for plan in _plans(user, case_types):
        qs = _queryset(plan, user).select_related(*_select_related(plan))
        timed = ("updated_at",) if _has_field(plan.binding.model, "updated_at") else ()
        qs = qs.order_by(F(DUE).asc(nulls_last=True), *timed, "pk")
        if limit is not None and not plan.python_check:
            qs = qs[:limit]
        for case in qs:
            item = _item(plan, case, user, today)
            if item is not None:
                items.append(item)
    items.sort(key=_sort_key)
    return items[:limit] if limit is not None else items


def inbox_counts(user: Any, *, case_types: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """How many cases wait on ``user`` per kind (workflow) and task, largest first. One query per workflow."""
    out: list[dict[str, Any]] = []
    for plan in _plans(user, case_types):
        wf, rule = plan.workflow, plan.rule
        sf = plan.state_field
        rows = restricted(plan.binding.model, user).filter(plan.condition).order_by().values(sf)
        by_task: dict[str, int] = {}
        for row in rows.annotate(n=Count("pk")):
            task = task_label(wf, rule, row[sf], user)
            if task:
                by_task[task] = by_task.get(task, 0) + row["n"]
        out += [
            {"case_type": wf.name, "kind_label": str(wf.label), "task": task, "count": n} for task, n in by_task.items()
        ]
    out.sort(key=lambda c: (-c["count"], c["case_type"], c["task"]))
    return out


def inbox_total(user: Any, *, case_types: Iterable[str] | None = None) -> int:
    return sum(c["count"] for c in inbox_counts(user, case_types=case_types))


def deadline_summary(
    user: Any, *, case_types: Iterable[str] | None = None, today: date | None = None
) -> dict[str, int]:
    """How many waiting cases are overdue and how many are due today. One query per workflow."""
    today = today or timezone.localdate()
    overdue = due_today = 0
    for plan in _plans(user, case_types):
        agg = (
            _queryset(plan, user)
            .order_by()
            .aggregate(
                overdue=Count("pk", filter=Q(**{f"{DUE}__lt": today})),
                today=Count("pk", filter=Q(**{DUE: today})),
            )
        )
        overdue += agg["overdue"] or 0
        due_today += agg["today"] or 0
    return {"overdue": overdue, "due_today": due_today}


def kinds_for(user: Any) -> list[dict[str, Any]]:
    """The workflows in which something may wait on ``user`` (for the inbox's kind filter)."""
    return [{"case_type": p.workflow.name, "label": str(p.workflow.label)} for p in _plans(user)]
