"""Template helpers of the evaluation pages: grade badges, points, a readable timeline, the outlet page's panel."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _t

from ssc.accounts.choices import Role
from ssc.workflow import engine
from ssc.workflow.templatetags.workflow import timeline

from .. import scoring, selectors
from ..models import GRADE_COLOURS, Grade
from ..services import EVALUABLE

register = template.Library()


@register.filter
def points(value: Any) -> Any:
    """``15`` rather than ``15.0``; ``12.5`` as is; empty → “—”."""
    if value in (None, ""):
        return "—"
    try:
        return scoring.plain(Decimal(str(value)))
    except ArithmeticError:
        return value


@register.simple_tag
def grade_badge(grade: str) -> str:
    """The grade as a coloured badge with its text (优/良/中/差), never by colour alone."""
    if not grade:
        return format_html('<span class="muted">{}</span>', "—")
    label = Grade(grade).label if grade in Grade.values else grade
    return format_html(
        '<span class="badge {}" data-grade="{}">{}</span>', GRADE_COLOURS.get(grade, "grey"), grade, label
    )


@register.filter
def grade_label(grade: str) -> str:
    return str(Grade(grade).label) if grade in Grade.values else (grade or "")


def _labelled_scores(value: Any, labels: dict[str, str]) -> str:
    if not isinstance(value, dict):
        return str(value)
    parts = []
    for code, v in value.items():
        text = _t("清除") if v in (None, "") else str(v)
        parts.append(f"{labels.get(code, code)} {text}")
    return "；".join(parts) or "—"


@register.inclusion_tag("workflow/timeline.html", takes_context=True)
def evaluation_timeline(context: Any, case: Any) -> dict[str, Any]:
    """The generic timeline, with the evaluation's own payload keys in words: scores by indicator name, the
    complaint count, the total and the grade."""
    data = timeline(context, case)
    labels = {i.code: i.label for i in case.indicator_set.indicators.all()}
    events = engine.history(case.case_type, case.pk)
    extra = {
        "complaint_count": _t("投诉件数"),
        "total": _t("总分"),
        "grade": _t("等级"),
        "two_failing_years": _t("连续评为“差”的年度"),
    }
    for entry, event in zip(data["entries"], events, strict=False):
        payload = event.payload or {}
        # The generic summary shows these keys raw (they are not payload fields): re-added below in words.
        fields = [(label, text) for label, text in entry.fields if label not in extra]
        for key in ("scores", "notes"):
            if isinstance(payload.get(key), dict) and payload[key]:
                title = _t("各项得分") if key == "scores" else _t("扣分说明")
                fields = [(lb, tx) for lb, tx in fields if lb != title]
                fields.append((title, _labelled_scores(payload[key], labels)))
        for key, label in extra.items():
            if key in payload and payload[key] not in (None, "", []):
                value = payload[key]
                if key == "grade":
                    value = grade_label(value)
                elif key == "two_failing_years":
                    value = "、".join(str(y) for y in value)
                fields.append((label, str(value)))
        entry.fields = fields
    return data


@register.inclusion_tag("evaluations/_outlet_panel.html", takes_context=True)
def outlet_evaluations(context: Any, outlet: Any) -> dict[str, Any]:
    """质量评价 panel of the outlet page: the latest evaluations the user may see, and links."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    rows = selectors.for_outlet(user, outlet.pk) if user is not None and user.is_authenticated else []
    return {
        "outlet": outlet,
        "evaluations": rows,
        "list_url": reverse("evaluations:list") + f"?outlet={outlet.pk}",
        "can_start": getattr(user, "role", None) == Role.DISTRICT_OFFICER and outlet.status in EVALUABLE,
        "start_url": reverse("evaluations:start") + f"?outlet={outlet.pk}",
    }


@register.filter
def bands_text(grade_bands: Any) -> str:
    """``[{"grade": "excellent", "min": 90}, …]`` → “优 ≥ 90；良 ≥ 75；中 ≥ 60；差 < 60”."""
    parts: list[str] = []
    previous = None
    for band in grade_bands or []:
        label = grade_label(band.get("grade", ""))
        if band.get("min"):
            parts.append(f"{label} ≥ {points(band['min'])}")
        else:
            parts.append(f"{label} < {points(previous)}" if previous is not None else label)
        previous = band.get("min")
    return "；".join(parts)
