"""Evaluation services: the center's indicator sets, starting an evaluation, the side effects of each action, who
is told next, and issuing a rectification from a failing evaluation."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ssc.accounts.choices import Role
from ssc.audit import services as audit
from ssc.core.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from ssc.core.scoping import ALL
from ssc.notifications import services as notifications
from ssc.registry.choices import OutletStatus
from ssc.registry.models import Outlet
from ssc.workflow import engine
from ssc.workflow.engine import ActionContext

from . import scoring, selectors
from .models import (
    DEFAULT_BANDS,
    DEFAULT_INDICATORS,
    DEFAULT_SET_NAMES,
    AutoSource,
    Evaluation,
    EvaluationState,
    Grade,
    Indicator,
    IndicatorCategory,
    IndicatorSet,
    PeriodKind,
    period_label,
)
from .periods import parse_period
from .workflow import ARTICLE, EVALUATION

S = EvaluationState
# An outlet is evaluated while it cooperates (Art 5: the district evaluates the quality of its card service).
EVALUABLE = {OutletStatus.ACTIVE, OutletStatus.UNDER_RECTIFICATION}
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def perform(
    evaluation_id: int,
    action: str,
    *,
    actor: Any,
    data: dict | None = None,
    files: Any = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Evaluation:
    """Run an evaluation action (see ``ssc.workflow.engine.perform``)."""
    return engine.perform(
        "evaluation",
        evaluation_id,
        action,
        actor=actor,
        data=data,
        files=files,
        expected_version=expected_version,
        at=at,
    )


# --- indicator sets ---------------------------------------------------------------------------------------------


def ensure_default_indicator_set() -> list[IndicatorSet]:
    """The demo default sets (one per period kind, version 1) if the center has none yet. Idempotent."""
    out = []
    for kind in (PeriodKind.YEAR, PeriodKind.HALF_YEAR):
        existing = IndicatorSet.objects.filter(period_kind=kind).order_by("version").first()
        if existing is not None:
            out.append(existing)
            continue
        with transaction.atomic():
            s = IndicatorSet.objects.create(
                name=DEFAULT_SET_NAMES[kind], period_kind=kind, version=1, grade_bands=DEFAULT_BANDS, is_active=True
            )
            Indicator.objects.bulk_create(
                [
                    Indicator(
                        indicator_set=s,
                        code=code,
                        label=label,
                        category=category,
                        max_points=Decimal(max_points),
                        auto_source=auto,
                        deduction=Decimal(deduction),
                        description=description,
                        sort_order=i,
                    )
                    for i, (code, label, category, max_points, auto, deduction, description) in enumerate(
                        DEFAULT_INDICATORS
                    )
                ]
            )
        out.append(s)
    return out


def _number(value: Any, label: str, problems: list[str], *, places: str = "0.1", default: Decimal | None = None):
    """A decimal with at most ``places`` precision, or ``None`` with a problem noted."""
    if value in (None, "") and default is not None:
        return default
    try:
        d = Decimal(str(value).strip())
        if not d.is_finite() or d != d.quantize(Decimal(places)):
            raise InvalidOperation
        return d.quantize(Decimal(places))
    except (InvalidOperation, ValueError):
        decimals = len(places.split(".")[1])
        problems.append(_("%(l)s应为数字（最多 %(n)d 位小数）。") % {"l": label, "n": decimals})
        return None


def _indicators(rows: Iterable[dict[str, Any]]) -> list[Indicator]:
    """Check the indicator rows the center entered; 400 naming ``indicators`` with one message per problem."""
    errors: list[str] = []
    out: list[Indicator] = []
    rows = list(rows or [])
    if not rows:
        raise ValidationFailed(errors={"indicators": [_("至少需要一个指标。")]})
    if len(rows) > 50:
        raise ValidationFailed(errors={"indicators": [_("指标不超过 50 项。")]})
    for i, row in enumerate(rows, start=1):
        where = _("第 %(n)d 项") % {"n": i}
        if not isinstance(row, dict):
            errors.append(f"{where}：{_('格式不正确。')}")
            continue
        problems: list[str] = []
        code = str(row.get("code") or "").strip()
        label = str(row.get("label") or "").strip()
        category = str(row.get("category") or "")
        auto = str(row.get("auto_source") or "")
        if not _CODE.match(code):
            problems.append(_("指标代码应为小写字母开头的字母、数字或下划线（不超过40个字符）。"))
        if not label or len(label) > 100:
            problems.append(_("请填写指标名称（不超过100个字）。"))
        if category not in IndicatorCategory.values:
            problems.append(_("类别无效。"))
        if auto and auto not in AutoSource.values:
            problems.append(_("自动计分来源无效。"))
        description = str(row.get("description") or "").strip()
        if len(description) > 500:
            problems.append(_("评分标准不超过500个字。"))
        max_points = _number(row.get("max_points"), _("满分"), problems)
        weight = _number(row.get("weight"), _("权重"), problems, places="0.01", default=Decimal(1))
        deduction = _number(row.get("deduction"), _("每件扣分"), problems, default=Decimal(0))
        if max_points is not None and not (Decimal(0) < max_points <= Decimal(1000)):
            problems.append(_("满分应大于0且不超过1000。"))
        if weight is not None and (weight <= 0 or weight > Decimal("100")):
            problems.append(_("权重应大于0且不超过100。"))
        if deduction is not None and not (Decimal(0) <= deduction <= Decimal(1000)):
            problems.append(_("每件扣分应在0到1000之间。"))
        elif auto and deduction is not None and deduction <= 0:
            problems.append(_("自动计分指标的每件扣分须大于0。"))
        if problems:
            errors += [f"{where}（{code or label or '?'}）：{p}" for p in problems]
            continue
        out.append(
            Indicator(
                code=code,
                label=label,
                category=category,
                description=description,
                max_points=max_points,
                weight=weight,
                auto_source=auto,
                deduction=deduction if auto else Decimal(0),
                sort_order=i,
            )
        )
    if not errors:
        try:
            scoring.check_specs(i.spec() for i in out)
        except scoring.ScoreError as exc:
            errors.append(str(exc))
    if errors:
        raise ValidationFailed(errors={"indicators": errors})
    return out


@transaction.atomic
def indicator_set_create(
    *,
    actor: Any,
    name: str,
    period_kind: str,
    grade_bands: Any,
    indicators: Iterable[dict[str, Any]],
    note: str = "",
    activate: bool = True,
) -> IndicatorSet:
    """新建指标体系版本 — the center defines a new version (Art 5: city-wide standards); the previous version of
    the same period kind stays as it was for the evaluations scored on it, and stops being offered when the new
    one is activated."""
    if IndicatorSet.scope_filter(actor, "create") is not ALL:
        raise NotAllowed(_("只有市社保卡服务中心可以制定评价指标体系。"))
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [_("请填写名称（不超过100个字）。")]
    if period_kind not in PeriodKind.values:
        errors["period_kind"] = [_("评价周期应为年度或半年度。")]
    try:
        bands = scoring.normalise_bands(grade_bands)
    except scoring.ScoreError as exc:
        errors["grade_bands"] = [str(exc)]
    if len(note or "") > 500:
        errors["note"] = [_("说明不超过500个字。")]
    try:
        rows = _indicators(indicators)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors=errors)
    # Versions are numbered per period kind; the lock serialises two center officers creating at once.
    list(IndicatorSet.objects.select_for_update().filter(period_kind=period_kind).values_list("pk", flat=True))
    version = (IndicatorSet.objects.filter(period_kind=period_kind).aggregate(m=Max("version"))["m"] or 0) + 1
    if activate:
        IndicatorSet.objects.filter(period_kind=period_kind, is_active=True).update(is_active=False)
    try:
        with transaction.atomic():
            s = IndicatorSet.objects.create(
                name=name,
                period_kind=period_kind,
                version=version,
                grade_bands=scoring.bands_json(bands),
                is_active=activate,
                note=note or "",
                created_by=actor,
            )
    except IntegrityError as exc:
        raise InvalidState(_("另一个版本刚刚创建，请刷新后重试。")) from exc
    for row in rows:
        row.indicator_set = s
    Indicator.objects.bulk_create(rows)
    audit.record(
        action="indicator_set.create",
        obj=s,
        after={
            "name": s.name,
            "period_kind": s.period_kind,
            "version": s.version,
            "is_active": s.is_active,
            "grade_bands": s.grade_bands,
            "indicators": [
                {
                    "code": r.code,
                    "label": r.label,
                    "category": r.category,
                    "max_points": str(r.max_points),
                    "weight": str(r.weight),
                    "auto_source": r.auto_source,
                    "deduction": str(r.deduction),
                }
                for r in rows
            ],
        },
        article=ARTICLE,
        actor=actor,
    )
    return s


# --- starting an evaluation ------------------------------------------------------------------------------------


@transaction.atomic
def evaluation_start(
    *, actor: Any, outlet_id: int, period: str, note: str = "", at: datetime | None = None
) -> Evaluation:
    """开始评价 — create the case for one outlet and period on the active indicator set of the period's kind, and
    run ``start`` (new → draft) in one transaction. One evaluation per outlet and period."""
    outlet = Outlet.objects.restrict(actor).select_for_update().filter(pk=outlet_id).first()
    if outlet is None:
        raise NotFound()
    if actor.role != Role.DISTRICT_OFFICER:
        raise NotAllowed(_("只有网点所在区县的经办人可以开展服务质量评价。"))
    p = parse_period(period)
    today = timezone.localdate(at) if at is not None else timezone.localdate()
    if p.start > today:
        raise ValidationFailed(errors={"period": [_("评价期尚未开始，不能评价。")]})
    if outlet.status not in EVALUABLE:
        raise InvalidState(_("网点当前状态为“%(s)s”，不能评价。") % {"s": outlet.get_status_display()})
    indicator_set = IndicatorSet.objects.active(p.kind)
    if indicator_set is None:
        raise InvalidState(_("市社保卡服务中心尚未启用%(k)s评价指标体系。") % {"k": PeriodKind(p.kind).label})
    if Evaluation.objects.filter(outlet=outlet, period=p.code).exists():
        raise InvalidState(_("该网点%(p)s的评价已存在。") % {"p": period_label(p.code)})
    try:
        with transaction.atomic():
            case = Evaluation.objects.create(
                outlet=outlet,
                indicator_set=indicator_set,
                period=p.code,
                period_kind=p.kind,
                year=p.year,
                period_start=p.start,
                period_end=p.end,
                evaluator=actor,
                state=S.NEW,
            )
    except IntegrityError as exc:  # the unique constraint caught a concurrent start
        raise InvalidState(_("该网点%(p)s的评价已存在。") % {"p": period_label(p.code)}) from exc
    return perform(case.pk, "start", actor=actor, data={"period": p.code, "note": note}, at=at)


# --- handlers: each action's own side effects --------------------------------------------------------------------


def _facts(ctx: ActionContext) -> None:
    data = engine._default_summary(ctx.payload)
    data["at"] = ctx.at.isoformat()
    history = list(ctx.case.facts.get(ctx.transition.action, []))
    history.append(data)
    ctx.case.facts[ctx.transition.action] = history


def refresh_complaints(ctx: ActionContext) -> None:
    """Count the period's complaints again and recompute the automatic indicators from the count."""
    case = ctx.case
    n = selectors.complaint_count(case.outlet_id, case.period_start, case.period_end)
    case.complaint_count = n
    case.complaints_counted_at = ctx.at
    scores = dict(case.scores or {})
    for spec in case.indicator_set.specs():
        if spec.is_auto:
            scores[spec.code] = scoring.plain(scoring.auto_score(spec, complaint_count=n))
    case.scores = scores
    ctx.summary["complaint_count"] = n


def on_start(ctx: ActionContext) -> None:
    if ctx.payload["period"] != ctx.case.period:
        raise ValidationFailed(errors={"period": [_("评价期与评价记录不一致。")]})
    refresh_complaints(ctx)
    _facts(ctx)


def on_score(ctx: ActionContext) -> None:
    case = ctx.case
    scores = dict(case.scores or {})
    for code, value in ctx.payload["scores"].items():
        if value is None:
            scores.pop(code, None)
        else:
            scores[code] = value
    notes = dict(case.notes or {})
    for code, text in ctx.payload["notes"].items():
        if text:
            notes[code] = text
        else:
            notes.pop(code, None)
    case.scores, case.notes = scores, notes
    refresh_complaints(ctx)


def on_submit(ctx: ActionContext) -> None:
    refresh_complaints(ctx)
    ctx.case.summary = ctx.payload.get("summary", "")
    ctx.case.submitted_at = ctx.at
    _facts(ctx)


def on_finalise(ctx: ActionContext) -> None:
    """The total and the grade, computed on the submitted scores with the case's own indicator set version."""
    case = ctx.case
    s = case.indicator_set
    try:
        total = scoring.weighted_total(s.specs(), case.scores or {})
    except scoring.ScoreError as exc:
        raise InvalidState(str(exc)) from exc
    grade = scoring.grade_for(total, s.bands())
    case.total, case.grade = total, grade
    case.finalised_by = ctx.actor
    case.finalised_at = ctx.at
    ctx.summary["total"] = scoring.plain(total)
    ctx.summary["grade"] = grade
    if case.period_kind == PeriodKind.YEAR and scoring.is_failing(grade):
        years = selectors.failing_neighbour_years(case.outlet_id, case.year)
        if years:
            ctx.summary["two_failing_years"] = sorted({*years, case.year})
    _facts(ctx)


def _url(case: Evaluation) -> str:
    return reverse("evaluations:detail", args=[case.pk])


def notify_next(ctx: ActionContext) -> None:
    """Tell whoever acts next: the leader on submission, the officers on a return; on finalisation the outlet's
    bank and the officers (a 差 offers a rectification), and the center when a second failing year is recorded."""
    case, action = ctx.case, ctx.transition.action
    what = {"o": case.outlet.name, "p": case.period_label}
    if action == "submit":
        roles, title = {Role.DISTRICT_LEADER}, _("%(o)s %(p)s服务质量评价待审定") % what
    elif action == "return":
        roles, title = {Role.DISTRICT_OFFICER}, _("%(o)s %(p)s服务质量评价被退回重评") % what
    elif action == "finalise":
        roles = {Role.DISTRICT_OFFICER, Role.BANK_APPLICANT, Role.OUTLET_STAFF, Role.BANK_HEAD_OFFICE}
        title = _("%(o)s %(p)s服务质量评价已审定：%(t)s分，%(g)s") % {
            **what,
            "t": scoring.plain(case.total),
            "g": Grade(case.grade).label,
        }
    else:
        return
    users = notifications.users_for_outlet(case.outlet, roles).exclude(pk=ctx.actor.pk).only("id", "email", "phone")
    notifications.notify(
        users, kind=f"evaluation.{action}", title=title, url=_url(case), case_type="evaluation", case_id=case.pk
    )
    if action != "finalise" or not case.is_failing:
        return
    officers = notifications.users_for_outlet(case.outlet, {Role.DISTRICT_OFFICER}).only("id", "email", "phone")
    notifications.notify(
        officers,
        kind="evaluation.failing",
        title=_("%(o)s %(p)s评价为“差”，可下达整改通知") % what,
        url=_url(case),
        case_type="evaluation",
        case_id=case.pk,
    )
    years = ctx.summary.get("two_failing_years")
    if years:
        center = notifications.users_for_outlet(case.outlet, {Role.CENTER_OFFICER}).only("id", "email", "phone")
        notifications.notify(
            center,
            kind="evaluation.two_failing_years",
            title=_("%(o)s（%(d)s）连续两年服务质量评价为“差”（%(y)s）")
            % {"o": case.outlet.name, "d": case.outlet.district.name, "y": "、".join(str(y) for y in years)},
            url=reverse("evaluations:flagged"),
            case_type="evaluation",
            case_id=case.pk,
        )


HANDLERS = {
    "start": on_start,
    "score": on_score,
    "submit": on_submit,
    "return": _facts,
    "finalise": on_finalise,
}

BINDING = engine.register(
    engine.WorkflowBinding(
        workflow=EVALUATION,
        model=Evaluation,
        handlers=HANDLERS,
        notify=notify_next,
        select_related=("outlet", "indicator_set"),
    )
)


# --- a failing grade offers a rectification ----------------------------------------------------------------------


def suggested_rectification_items(evaluation: Evaluation, limit: int = 10) -> list[str]:
    """The indicators that lost points, most lost first, as draft items of a rectification notice."""
    scores = evaluation.scores or {}
    notes = evaluation.notes or {}
    rows = []
    for ind in evaluation.indicator_set.indicators.all():
        value = scores.get(ind.code)
        if value is None:
            continue
        lost = ind.max_points - Decimal(str(value))
        if lost <= 0:
            continue
        text = _("%(l)s：得分 %(s)s / %(m)s") % {"l": ind.label, "s": value, "m": scoring.plain(ind.max_points)}
        if ind.is_auto:
            text += _("（投诉 %(n)d 件）") % {"n": evaluation.complaint_count}
        if notes.get(ind.code):
            text += f"，{notes[ind.code]}"
        rows.append((lost / ind.max_points, text[:300]))
    rows.sort(key=lambda r: -r[0])
    return [t for _r, t in rows[:limit]]
