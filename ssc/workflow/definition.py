"""Workflows as data: one declarative table per workflow (STYLE.md "The regulation is data").

A ``Workflow`` is a list of ``Transition`` rows — action, roles, from-states, to-state, preconditions, article,
deadline started/stopped, payload form, documents. The same table drives:

- the server-side check (``ssc.workflow.engine.perform``),
- the buttons on the case page and ``allowed_actions`` in the API (``Workflow.allowed_actions``),
- the audit record and the history row (article, payload summary),
- the state diagram in the docs (``Workflow.mermaid``).

Adding a step is one row here (plus its payload form and, if it has side effects, a handler).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class DeadlineStart:
    """A statutory deadline this action starts, e.g. the center's 5 working days (Art 7(5))."""

    kind: str
    workdays: int = 0
    months: int = 0
    responsible: str = ""  # organisation kind that must act: "center", "district_agency", "outlet"
    label: Any = ""
    # Count from this payload date (e.g. the notice's date) instead of the day the action is recorded.
    start_field: str | None = None


@dataclass(frozen=True)
class Precondition:
    """A rule checked inside the action's transaction. ``check(case, payload, actor)`` returns a message when the
    rule is not met (→ 409 for state-like rules, 400 when ``field`` names a payload field)."""

    check: Callable[[Any, dict[str, Any], Any], Any]
    description: Any = ""
    field: str | None = None


@dataclass(frozen=True)
class Transition:
    action: str
    label: Any
    roles: frozenset[str]
    sources: tuple[str, ...]
    # Target state, or the name of a payload field whose value (validated by the form) is the target.
    target: str
    article: str
    form: Any = None  # a Django Form class for the payload (validation, page rendering, API schema)
    preconditions: tuple[Precondition, ...] = ()
    starts_deadline: DeadlineStart | None = None
    stops_deadlines: tuple[str, ...] = ()
    irreversible: bool = False
    target_from_field: str | None = None
    targets: tuple[str, ...] = ()  # the possible targets when target_from_field is set (diagram, checks)
    button_style: str = "primary"  # "primary" | "secondary" | "danger"
    help: Any = ""

    def possible_targets(self) -> tuple[str, ...]:
        return self.targets if self.target_from_field else (self.target,)


@dataclass
class Workflow:
    """One workflow: its name (used in history, audit and API), states and transitions."""

    name: str
    label: Any
    states: dict[str, Any]  # state → label
    initial: str
    terminal: frozenset[str]
    transitions: list[Transition] = field(default_factory=list)
    # How the engine finds whether ``actor`` may act on ``case`` (scoping beyond the role).
    in_action_scope: Callable[[Any, Any, Transition], bool] | None = None

    def __post_init__(self) -> None:
        self._by_action = {t.action: t for t in self.transitions}
        assert len(self._by_action) == len(self.transitions), "duplicate action names"
        for t in self.transitions:
            for s in (*t.sources, *t.possible_targets()):
                assert s in self.states, f"{self.name}.{t.action}: unknown state {s}"

    def get(self, action: str) -> Transition | None:
        return self._by_action.get(action)

    @property
    def actions(self) -> list[str]:
        return [t.action for t in self.transitions]

    def state_label(self, state: str) -> Any:
        return self.states.get(state, state)

    def allowed_actions(self, case: Any, user: Any) -> list[str]:
        """The actions ``user`` may take on ``case`` now (role, scope and state; payload rules come later)."""
        out = []
        for t in self.transitions:
            if case.state in t.sources and user.role in t.roles and self.actor_in_scope(case, user, t):
                out.append(t.action)
        return out

    def article_for(self, case: Any, t: Transition) -> str:
        """The article a step of ``case`` rests on, recorded on its history row, audit event and deadline. The
        table's article by default; a workflow whose article depends on the case (termination: its ground) says so
        by overriding this."""
        return t.article

    def actor_in_scope(self, case: Any, user: Any, t: Transition) -> bool:
        return True if self.in_action_scope is None else self.in_action_scope(case, user, t)

    def transitions_from(self, state: str) -> Iterable[Transition]:
        return (t for t in self.transitions if state in t.sources)

    def mermaid(self) -> str:
        """A ``stateDiagram-v2`` of the table, for the docs."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial}"]
        for t in self.transitions:
            for src in t.sources:
                for dst in t.possible_targets():
                    roles = ", ".join(sorted(str(r) for r in t.roles))
                    # No ";" in a label: mermaid reads it as the end of the statement and drops the diagram.
                    lines.append(f"    {src} --> {dst}: {t.action} ({roles} · Art {t.article})")
        for s in sorted(self.terminal):
            lines.append(f"    {s} --> [*]")
        return "\n".join(lines)

    def table_markdown(self) -> str:
        rows = ["| action | by | from → to | article | deadline |", "|---|---|---|---|---|"]
        for t in self.transitions:
            deadline = ""
            if t.starts_deadline:
                d = t.starts_deadline
                span = f"{d.workdays} working days" if d.workdays else f"{d.months} months"
                deadline = f"starts `{d.kind}` ({span})"
            if t.stops_deadlines:
                deadline += (" ; " if deadline else "") + "stops " + ", ".join(f"`{k}`" for k in t.stops_deadlines)
            rows.append(
                f"| `{t.action}` | {', '.join(sorted(t.roles))} | {', '.join(t.sources)} → "
                f"{' / '.join(t.possible_targets())} | {t.article} | {deadline} |"
            )
        return "\n".join(rows)


def text(value: Any) -> str:
    return str(value) if isinstance(value, Promise) else value
