"""Template helpers shared by every workflow's case pages: state badges, articles, deadlines, timeline, buttons.

Conventions they rely on (so later workflows get them for free):

- a case model has ``case_type`` (the workflow's name registered with ``ssc.workflow.engine``), ``state`` and
  ``version``;
- the module defining the case model declares ``STATE_COLOURS`` (state → badge colour of ``app.css``).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from ssc.core.errors import CalendarMissing
from ssc.workflow import engine
from ssc.workflow.definition import Transition

register = template.Library()

_ARTICLE = re.compile(r"^\s*(?P<art>\d+)\s*(?:[.(（]\s*(?P<item>\d+)\s*[)）]?)?\s*$")


@register.filter
def article(value: Any) -> str:
    """``"7(2)"`` → ``"第7条第(2)项"``; ``"4"`` → ``"第4条"``; ``"8.3"`` → ``"第8条第(3)项"``."""
    text = str(value or "").strip()
    m = _ARTICLE.match(text)
    if not m:
        return text
    if m["item"]:
        return _t("第%(a)s条第(%(i)s)项") % {"a": m["art"], "i": m["item"]}
    return _t("第%(a)s条") % {"a": m["art"]}


def _binding(case_type: str) -> engine.WorkflowBinding | None:
    try:
        return engine.binding_for(case_type)
    except KeyError:
        return None


def state_colours(case_type: str) -> dict[str, str]:
    b = _binding(case_type)
    if b is None:
        return {}
    return getattr(sys.modules.get(b.model.__module__), "STATE_COLOURS", {}) or {}


def state_label(case_type: str, state: str) -> str:
    b = _binding(case_type)
    return str(b.workflow.state_label(state)) if b else state


@register.simple_tag
def state_badge(case: Any, state: str | None = None) -> str:
    """The case's state (or ``state`` of the same workflow) as a coloured badge with its text label."""
    case_type = case if isinstance(case, str) else case.case_type
    state = state if state is not None else case.state
    colour = state_colours(case_type).get(state, "grey")
    return format_html('<span class="badge {}" data-state="{}">{}</span>', colour, state, state_label(case_type, state))


# --- deadlines ---------------------------------------------------------------------------------------------


@dataclass
class DeadlineInfo:
    due_on: date | None
    kind: str  # "overdue" | "today" | "left" | "met" | "missed" | "none"
    days: int | None = None  # working days left (left) or late (overdue); None when the calendar lacks the year
    text: str = ""

    @property
    def css(self) -> str:
        return {"overdue": "overdue", "missed": "overdue", "today": "due-today"}.get(self.kind, "")


def deadline_info(
    due_on: date | None, *, completed_on: date | None = None, status: str = "", today: date | None = None
) -> DeadlineInfo:
    """How a legal deadline stands today, in working days (``workcalendar.services.workdays_between``)."""
    from ssc.workcalendar import services as cal

    if due_on is None:
        return DeadlineInfo(None, "none", text="")
    if completed_on is not None:
        if status == "missed" or completed_on > due_on:
            return DeadlineInfo(due_on, "missed", text=_t("已于 %(d)s 完成（超期）") % {"d": completed_on.isoformat()})
        return DeadlineInfo(due_on, "met", text=_t("已于 %(d)s 按期完成") % {"d": completed_on.isoformat()})
    today = today or timezone.localdate()
    if due_on == today:
        return DeadlineInfo(due_on, "today", 0, _t("今天到期"))
    try:
        n = cal.workdays_between(today, due_on) if due_on > today else cal.workdays_between(due_on, today)
    except CalendarMissing:
        n = None
    if due_on > today:
        text = _t("剩余 %(n)d 个工作日") % {"n": n} if n is not None else _t("尚未到期")
        return DeadlineInfo(due_on, "left", n, text)
    text = _t("已超期 %(n)d 个工作日") % {"n": n} if n is not None else _t("已超期")
    return DeadlineInfo(due_on, "overdue", n, text)


@register.inclusion_tag("workflow/deadline_badge.html")
def deadline_badge(due_on: date | None, completed_on: date | None = None, status: str = "") -> dict[str, Any]:
    """截止日 + countdown: overdue in red with working days late, due today in amber (text, not colour alone)."""
    return {"d": deadline_info(due_on, completed_on=completed_on, status=status)}


# --- actions -----------------------------------------------------------------------------------------------


def allowed_transitions(case: Any, user: Any) -> list[Transition]:
    b = _binding(case.case_type)
    if b is None or not getattr(user, "is_authenticated", False):
        return []
    wf = b.workflow
    return [t for t in (wf.get(a) for a in wf.allowed_actions(case, user)) if t is not None]


@register.inclusion_tag("workflow/action_buttons.html")
def action_buttons(case: Any, user: Any, url_name: str) -> dict[str, Any]:
    """One button per action ``user`` may take on ``case`` now (``Workflow.allowed_actions``) — nothing else."""
    buttons = []
    for t in allowed_transitions(case, user):
        try:
            url = reverse(url_name, args=[case.pk, t.action])
        except NoReverseMatch:
            continue
        buttons.append({"t": t, "url": url})
    return {"buttons": buttons}


# --- timeline ----------------------------------------------------------------------------------------------

EXTRA_LABELS = {
    "documents": _("文件"),
    "deadlines": _("期限"),
    "agreement": _("合作协议"),
    "accounts": _("开通账户"),
    "roster_version": _("名单版本"),
    "attachments": _("附件"),
}


@dataclass
class TimelineEntry:
    action: str
    label: str
    at: Any
    actor: Any
    organisation: Any
    article: str
    from_state: str
    to_state: str
    fields: list[tuple[str, Any]] = field(default_factory=list)
    documents: list[Any] = field(default_factory=list)  # Document rows (with ``current`` version)
    roster_version: int | None = None


def _field_value(form_field: Any, value: Any) -> Any:
    choices = getattr(form_field, "choices", None)
    if choices is not None and isinstance(value, str):
        try:
            for k, v in choices:
                if str(k) == value:
                    return str(v)
        except (TypeError, ValueError):
            pass
    return value


def _plain(value: Any) -> str:
    if value is True:
        return _t("是")
    if value is False:
        return _t("否")
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        parts = []
        for v in value:
            if isinstance(v, dict):
                parts.append("，".join(str(x) for x in v.values() if x not in (None, "")))
            else:
                parts.append(str(v))
        return "；".join(parts) if parts else "—"
    return str(value)


_HINT = re.compile(r"[（(][^（()）]*[)）]\s*$")


def _short_label(label: str) -> str:
    """A form label without its input hint: “核实人员（每行一人，至少两人）” → “核实人员”."""
    return _HINT.sub("", label).strip() or label


def summarise_payload(t: Transition | None, payload: dict[str, Any], deadline_labels: dict[str, str]) -> list[tuple]:
    """(label, text) pairs of a history row's payload: form labels and choice labels, never raw codes."""
    form_fields = dict(getattr(t.form, "base_fields", {}) or {}) if t is not None and t.form is not None else {}
    out: list[tuple[str, Any]] = []
    for key, value in payload.items():
        if key in ("documents", "roster_version", "agreement"):
            continue  # shown as links (documents, roster version) or in the related panel (agreement)
        if key == "deadlines":
            from ssc.deadlines.models import DeadlineStatus

            for d in value or []:
                status = dict(DeadlineStatus.choices).get(d.get("status"), d.get("status"))
                label = deadline_labels.get(d.get("kind"), d.get("kind"))
                out.append((_t("期限"), f"{label}：{_t('截止')} {d.get('due_on')}（{status}）"))
            continue
        if key == "checklist" and isinstance(value, dict):
            ok = sum(1 for v in value.values() if v)
            text = _t("%(ok)d / %(n)d 项符合") % {"ok": ok, "n": len(value)}
            failed = [c for c, v in value.items() if not v]
            if failed:
                text += _t("（不符合：%(c)s）") % {"c": "、".join(failed)}
            label = form_fields["checklist"].label if "checklist" in form_fields else _t("检查清单")
            out.append((str(label), text))
            continue
        if value in (None, "", [], {}):
            continue  # an optional field left empty says nothing
        ff = form_fields.get(key)
        label = str(ff.label) if ff is not None and ff.label else str(EXTRA_LABELS.get(key, key))
        out.append((_short_label(label), _plain(_field_value(ff, value))))
    return out


@register.inclusion_tag("workflow/timeline.html", takes_context=True)
def timeline(context: Any, case: Any, created_label: str = "") -> dict[str, Any]:
    """Every step of the case: action, actor, organisation, time, article, payload summary, documents."""
    from ssc.deadlines.models import Deadline
    from ssc.documents.models import Document

    user = context.get("user") or getattr(context.get("request"), "user", None)
    b = _binding(case.case_type)
    events = engine.history(case.case_type, case.pk)
    docs = {
        d.pk: d
        for d in Document.objects.restrict(user)
        .filter(case_type=case.case_type, case_id=case.pk)
        .prefetch_related("versions")
    }
    deadline_labels = {
        d.kind: d.label for d in Deadline.objects.filter(case_type=case.case_type, case_id=case.pk) if d.label
    }
    entries = []
    if created_label:
        creator = getattr(case, "created_by", None)
        entries.append(
            TimelineEntry(
                action="create",
                label=created_label,
                at=getattr(case, "created_at", None),
                actor=creator,
                organisation=getattr(creator, "organisation", None),
                article="",
                from_state="",
                to_state=b.workflow.initial if b else "",
            )
        )
    for e in events:
        t = b.workflow.get(e.action) if b else None
        payload = e.payload or {}
        entries.append(
            TimelineEntry(
                action=e.action,
                label=str(t.label) if t else e.action,
                at=e.at,
                actor=e.actor,
                organisation=e.organisation,
                article=e.article,
                from_state=e.from_state,
                to_state=e.to_state,
                fields=summarise_payload(t, payload, deadline_labels),
                documents=[docs[i] for i in payload.get("documents", []) if i in docs],
                roster_version=payload.get("roster_version"),
            )
        )
    return {"case": case, "entries": entries, "request": context.get("request")}


@register.simple_tag
def current_version(document: Any) -> Any:
    """The latest version of a document whose ``versions`` were prefetched."""
    versions = list(document.versions.all())
    return max(versions, key=lambda v: v.number) if versions else None


@register.simple_tag(takes_context=True)
def sort_th(context: Any, key: str, label: Any) -> str:
    """A ``<th>`` whose link sorts a case list by ``key`` (again: reverses), keeping the filters, back to page 1."""
    request = context["request"]
    current = context.get("sort") or ""
    params = request.GET.copy()
    params.pop("page", None)
    if current == key:
        params["sort"], aria, arrow = f"-{key}", "ascending", "▲"
    elif current == f"-{key}":
        params["sort"], aria, arrow = key, "descending", "▼"
    else:
        params["sort"], aria, arrow = key, "", ""
    hint = _t("点击排序")
    if aria:
        return format_html(
            '<th scope="col" aria-sort="{}"><a href="?{}" title="{}">{} <span aria-hidden="true">{}</span></a></th>',
            aria,
            params.urlencode(),
            hint,
            label,
            arrow,
        )
    return format_html('<th scope="col"><a href="?{}" title="{}">{}</a></th>', params.urlencode(), hint, label)
