"""The one service every workflow action goes through.

``perform`` runs an action atomically: it locks the case row, checks role and scope (403/404), state (409),
``version`` (412), payload (400) and preconditions, runs the action's handler, moves the state, writes the history
row and the audit event, starts/stops deadlines, and notifies whoever must act next. Anything that fails rolls the
whole step back: no half-done state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]  # not in the stubs
from django.utils import timezone
from django.utils.translation import gettext as _

from ssc.audit import services as audit
from ssc.core.errors import CalendarMissing, InvalidState, NotAllowed, NotFound, StaleVersion, ValidationFailed
from ssc.core.scoping import restricted
from ssc.deadlines import services as deadlines
from ssc.workcalendar import services as workcalendar

from .definition import Transition, Workflow
from .models import CaseEvent


@dataclass
class ActionContext:
    """What a handler gets: the case (locked), the validated payload, the actor, the action's date/time."""

    case: Any
    transition: Transition
    payload: dict[str, Any]
    actor: Any
    at: datetime
    on: date
    from_state: str
    # Handlers may add to the history summary (e.g. the new roster version number) and to the audit "after".
    summary: dict[str, Any] = field(default_factory=dict)
    after_commit: list[Callable[[], None]] = field(default_factory=list)


# Per-workflow hooks: handlers[action](ctx) does the action's own side effects before the state moves;
# after_transition(ctx) runs after the state moved (e.g. outlet status follows the case).
Handler = Callable[[ActionContext], None]


@dataclass
class WorkflowBinding:
    workflow: Workflow
    model: type[Model]
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    after_transition: Handler | None = None
    notify: Callable[[ActionContext], None] | None = None
    # ``payload`` summary for history: which fields are kept (files are stored as document ids).
    summarise: Callable[[ActionContext], dict[str, Any]] | None = None
    # Relations read by nearly every action (e.g. the outlet), fetched with the locked row in one query.
    select_related: tuple[str, ...] = ()


_bindings: dict[str, WorkflowBinding] = {}


def register(binding: WorkflowBinding) -> WorkflowBinding:
    _bindings[binding.workflow.name] = binding
    return binding


def binding_for(name: str) -> WorkflowBinding:
    return _bindings[name]


def _form_errors(form: Any) -> dict[str, list[str]]:
    return {("non_field_errors" if k == "__all__" else k): [str(m) for m in v] for k, v in form.errors.items()}


def validate_payload(
    t: Transition, data: dict[str, Any] | None, files: Any = None, case: Any = None, actor: Any = None
) -> dict[str, Any]:
    if t.form is None:
        return {}
    kwargs: dict[str, Any] = {"data": data or {}, "files": files}
    if getattr(t.form, "wants_context", False):
        kwargs.update(case=case, actor=actor)
    form = t.form(**kwargs)
    if not form.is_valid():
        raise ValidationFailed(errors=_form_errors(form))
    return dict(form.cleaned_data)


def perform(
    workflow_name: str,
    case_id: int,
    action: str,
    *,
    actor: Any,
    data: dict[str, Any] | None = None,
    files: Any = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Any:
    """Run ``action`` on case ``case_id`` of workflow ``workflow_name`` as ``actor``. Returns the updated case."""
    b = binding_for(workflow_name)
    wf = b.workflow
    t = wf.get(action)
    at = at or timezone.now()
    with transaction.atomic():
        case = _lock_case(b, case_id, actor)
        if case is None:
            raise NotFound()
        if t is None:
            raise NotFound(_("未知的操作：%(a)s") % {"a": action})
        if actor.role not in t.roles or not wf.actor_in_scope(case, actor, t):
            raise NotAllowed(_("您的角色无权执行“%(a)s”。") % {"a": t.label})
        if case.state not in t.sources:
            raise InvalidState(
                _("当前状态“%(s)s”不允许执行“%(a)s”。") % {"s": wf.state_label(case.state), "a": t.label}
            )
        if expected_version is not None and int(expected_version) != case.version:
            raise StaleVersion()
        payload = validate_payload(t, data, files, case=case, actor=actor)
        ctx = ActionContext(
            case=case,
            transition=t,
            payload=payload,
            actor=actor,
            at=at,
            on=timezone.localdate(at),
            from_state=case.state,
        )
        for pre in t.preconditions:
            msg = pre.check(case, payload, actor)
            if msg:
                if pre.field:
                    raise ValidationFailed(errors={pre.field: [str(msg)]})
                raise InvalidState(str(msg))
        handler = b.handlers.get(action)
        if handler is not None:
            handler(ctx)
        new_state = payload[t.target_from_field] if t.target_from_field else t.target
        if new_state not in t.possible_targets():  # the form must have limited the choice already
            raise ValidationFailed(errors={t.target_from_field or "state": [_("无效的结果。")]})
        before = {"state": case.state, "version": case.version}
        case.state = new_state
        case.version += 1
        case.save()
        if t.stops_deadlines:
            for d in deadlines.complete(case_type=wf.name, case_id=case.pk, kinds=t.stops_deadlines, on=ctx.on):
                ctx.summary.setdefault("deadlines", []).append(
                    {"kind": d.kind, "due_on": d.due_on.isoformat(), "status": d.status}
                )
        article = wf.article_for(case, t)  # after the handler: it may depend on what the handler set
        if t.starts_deadline is not None:
            spec = t.starts_deadline
            try:
                d = deadlines.start(
                    case_type=wf.name,
                    case_id=case.pk,
                    kind=spec.kind,
                    started_on=(payload.get(spec.start_field) if spec.start_field else None) or ctx.on,
                    workdays=spec.workdays,
                    months=spec.months,
                    label=str(spec.label),
                    article=article,
                    responsible=spec.responsible,
                    district_id=_district_id(case),
                )
            except ValidationError as exc:  # pragma: no cover - defensive
                raise ValidationFailed(errors={"deadline": exc.messages}) from exc
            ctx.summary.setdefault("deadlines", []).append(
                {"kind": d.kind, "due_on": d.due_on.isoformat(), "status": d.status}
            )
        if b.after_transition is not None:
            b.after_transition(ctx)
        summary = b.summarise(ctx) if b.summarise else _default_summary(payload)
        summary.update(ctx.summary)
        _insert_event(
            case_type=wf.name,
            case_id=case.pk,
            action=action,
            from_state=ctx.from_state,
            to_state=new_state,
            actor_id=actor.pk,
            organisation_id=actor.organisation_id,
            at=at,
            article=article,
            payload=summary,
            elapsed_workdays=_elapsed_workdays(wf.name, case, ctx.on),
        )
        audit.record(
            action=f"{wf.name}.{action}",
            obj=case,
            before=before,
            after={"state": new_state, "version": case.version, **summary},
            article=article,
            actor=actor,
        )
        if b.notify is not None:
            b.notify(ctx)
        for fn in ctx.after_commit:
            transaction.on_commit(fn)
    return case


# --- the case row, locked (P3) ------------------------------------------------------------------------------
#
# Every action starts by locking its case. Built through the ORM with the actor's scope this one query cost more
# than any other part of an action (compiling a select of both tables' columns plus the scope filter). So the
# row is locked by primary key with SQL compiled once per workflow and connection — the same query the ORM
# builds, rows turned into the case (and its ``select_related`` objects) by Django's own converters and
# populators — and visibility is checked apart: not at all when the actor's scope is everything, otherwise with
# a query selecting only the primary key under the scope filter. An invisible case answers 404 as before.

_PK_SENTINEL = -7_319_001


@dataclass
class _CompiledLock:
    connection: Any
    sql: str
    compiler: Any
    init_list: list[str]
    converters: dict[int, Any]
    start: int
    end: int
    populators: list[Any]


_lock_local = threading.local()


def _compiled_lock(b: WorkflowBinding) -> _CompiledLock | None:
    cache: dict[tuple[str, str], _CompiledLock | None] = _lock_local.__dict__.setdefault("cache", {})
    key = (b.workflow.name, connection.alias)
    entry = cache.get(key)
    if entry is not None and entry.connection is transaction.get_connection():
        return entry
    qs = b.model.objects.filter(pk=_PK_SENTINEL).order_by()  # type: ignore[attr-defined]
    if b.select_related:
        # Lock the case row only (PostgreSQL ``FOR UPDATE OF``), as without the join.
        of = ("self",) if connection.features.has_select_for_update_of else ()
        qs = qs.select_related(*b.select_related).select_for_update(of=of)
    else:
        qs = qs.select_for_update()
    compiler = qs.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    selected = [s[0] for s in compiler.select[: compiler.col_count]]
    if (
        list(params) != [_PK_SENTINEL] or compiler.annotation_col_map or compiler.has_composite_fields(selected)
    ):  # pragma: no cover - defensive
        cache[key] = None
        return None
    klass_info = compiler.klass_info
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    entry = _CompiledLock(
        connection=transaction.get_connection(),
        sql=sql,
        compiler=compiler,
        init_list=[f[0].target.attname for f in compiler.select[start:end]],
        converters=compiler.get_converters(selected),
        start=start,
        end=end,
        populators=get_related_populators(klass_info, compiler.select, connection.alias),
    )
    cache[key] = entry
    return entry


def _lock_case(b: WorkflowBinding, case_id: Any, actor: Any) -> Any:
    """The case ``case_id`` locked for this transaction, or None when it does not exist or ``actor`` may not see
    it (``Model.objects.restrict(actor)``)."""
    scoped = restricted(b.model, actor)
    if scoped.query.is_empty():
        return None
    lock = _compiled_lock(b)
    try:
        pk = b.model._meta.pk.get_db_prep_value(case_id, connection, prepared=False)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        lock = None  # let the ORM report the bad value as it always did
    if lock is None:  # pragma: no cover - defensive
        visible = scoped.filter(pk=case_id)
        if b.select_related:
            of = ("self",) if connection.features.has_select_for_update_of else ()
            rows = list(visible.select_related(*b.select_related).select_for_update(of=of)[:1])
        else:
            rows = list(visible.select_for_update()[:1])
        return rows[0] if rows else None
    with connection.cursor() as cur:
        cur.execute(lock.sql, [pk])
        fetched = cur.fetchall()
    case = None
    rows = lock.compiler.apply_converters(fetched, lock.converters) if lock.converters else fetched
    for row in rows:
        case = b.model.from_db(connection.alias, lock.init_list, row[lock.start : lock.end])
        for populator in lock.populators:
            populator.populate(row, case)
        break
    if case is None:
        return None
    if scoped.query.where and not scoped.filter(pk=case.pk).order_by().values_list("pk", flat=True)[:1]:
        return None
    return case


def _elapsed_workdays(case_type: str, case: Any, on: date) -> int | None:
    """Working days since the case's previous step (or its creation): how long this step took."""
    prev = _previous_event_at(case_type, case.pk)
    since = timezone.localdate(prev) if prev else timezone.localdate(case.created_at)
    if since >= on:
        return 0
    try:
        return workcalendar.workdays_between(since, on)
    except CalendarMissing:
        return None


_PREVIOUS_AT_SQL: dict[str, str] = {}
_INSERT_EVENT_SQL: dict[str, tuple[str, list[Any]]] = {}


def _insert_event(**values: Any) -> None:
    """INSERT the history row as one plain statement (P3): every value goes through its field's own
    ``get_db_prep_save`` (JSON, datetimes), exactly as ``CaseEvent.objects.create`` would store it."""
    cached = _INSERT_EVENT_SQL.get(connection.vendor)
    if cached is None:
        q = connection.ops.quote_name
        fields = [f for f in CaseEvent._meta.concrete_fields if not f.primary_key]
        cols = ", ".join(q(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {q(CaseEvent._meta.db_table)} ({cols}) VALUES ({marks})"  # noqa: S608
        cached = _INSERT_EVENT_SQL[connection.vendor] = (sql, fields)
    sql, fields = cached
    params = [
        f.get_db_prep_save(values[f.attname] if f.attname in values else f.get_default(), connection) for f in fields
    ]
    with connection.cursor() as cur:
        cur.execute(sql, params)


def _previous_event_at(case_type: str, case_id: int) -> datetime | None:
    """The time of the case's latest history row — one plain indexed query on every action (P3)."""
    sql = _PREVIOUS_AT_SQL.get(connection.vendor)
    if sql is None:
        q = connection.ops.quote_name
        table = q(CaseEvent._meta.db_table)
        sql = _PREVIOUS_AT_SQL[connection.vendor] = (
            f"SELECT {q('at')} FROM {table} WHERE {q('case_type')} = %s AND {q('case_id')} = %s "  # noqa: S608
            f"ORDER BY {q('at')} DESC, {q('id')} DESC LIMIT 1"
        )
    with connection.cursor() as cur:
        cur.execute(sql, [case_type, case_id])
        row = cur.fetchone()
    if row is None:
        return None
    value = row[0]
    if not isinstance(value, datetime):  # SQLite hands back text; the backend's converter makes it aware
        # Defined by the backends that return text (SQLite, MySQL, Oracle), not by BaseDatabaseOperations.
        value = connection.ops.convert_datetimefield_value(value, None, connection)  # type: ignore[attr-defined]
    elif timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def _district_id(case: Any) -> int | None:
    outlet = getattr(case, "outlet", None)
    return getattr(outlet, "district_id", None)


def _default_summary(payload: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in payload.items():
        if hasattr(v, "read"):  # an uploaded file: handlers store it and put the document id in the summary
            continue
        if isinstance(v, Model):
            out[k] = str(v)
        elif isinstance(v, date | datetime):
            out[k] = v.isoformat()
        elif isinstance(v, list | tuple):
            if any(hasattr(x, "read") for x in v):  # several uploaded files (e.g. photos): stored by the handler
                continue
            out[k] = [x.isoformat() if isinstance(x, date) else (str(x) if isinstance(x, Model) else x) for x in v]
        else:
            out[k] = v
    return out


def history(workflow_name: str, case_id: int) -> list[CaseEvent]:
    return list(
        CaseEvent.objects.filter(case_type=workflow_name, case_id=case_id)
        .select_related("actor", "organisation")
        .order_by("at", "id")
    )
