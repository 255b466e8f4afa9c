"""Payload forms of the evaluation actions (WORKFLOW.md §5 ``Evaluation``). Used by the pages and the API alike.

``score`` takes the points as one object (``{"scores": {"premises": 9, …}, "notes": {"premises": "…"}}``, API) or
as one field per indicator (``score.<code>`` / ``note.<code>``, the page's scoring table).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ssc.core.errors import ValidationFailed
from ssc.workflow.forms import ActionForm

from . import scoring
from .periods import parse_period

NOTE_MAX = 500


def period_field() -> forms.CharField:
    return forms.CharField(
        label=_("评价期"),
        max_length=10,
        help_text=_("年度填写如 2026；半年度填写 2026H1（上半年）或 2026H2（下半年）。"),
        widget=forms.TextInput(attrs={"placeholder": "2026H1", "list": "period-suggestions"}),
    )


def clean_period_value(value: str) -> str:
    try:
        return parse_period(value).code
    except ValidationFailed as exc:
        raise ValidationError(exc.errors["period"]) from exc


class StartForm(ActionForm):
    """开始评价 — the period being evaluated (the outlet is chosen when the case is created)."""

    period = period_field()
    note = forms.CharField(label=_("说明"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_period(self) -> str:
        return clean_period_value(self.cleaned_data["period"])


class ScoreForm(ActionForm):
    """评分 — points for some or all manual indicators (0 to the indicator's maximum, one decimal at most), with
    an optional note each. An empty value (``null``) removes a score. Automatic indicators are computed by the
    system: sending one with another value than the computed one is refused."""

    wants_context = True
    scores = forms.Field(label=_("各项得分"), required=False)
    notes = forms.Field(label=_("扣分说明"), required=False)

    def indicators(self) -> list[Any]:
        if self.case is None:
            return []
        return list(self.case.indicator_set.indicators.all())

    def _collect(self, name: str, prefix: str) -> tuple[dict[str, Any], bool]:
        """``{code: value}`` from the object field ``name`` or from ``<prefix>.<code>`` fields; whether the value
        was an object at all (a wrong shape is an error)."""
        raw = self.data.get(name) if hasattr(self.data, "get") else None
        if isinstance(raw, Mapping):
            return dict(raw), True
        if raw not in (None, ""):
            return {}, False
        out: dict[str, Any] = {}
        for key in self.data:
            if key.startswith(prefix + "."):
                out[key.split(".", 1)[1]] = self.data.get(key)
        return out, True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw_scores, ok_scores = self._collect("scores", "score")
        raw_notes, ok_notes = self._collect("notes", "note")
        if not ok_scores:
            self.add_error("scores", _("应为对象：指标代码 → 得分。"))
        if not ok_notes:
            self.add_error("notes", _("应为对象：指标代码 → 说明。"))
        if not ok_scores or not ok_notes:
            return data
        by_code = {i.code: i for i in self.indicators()}
        score_errors: dict[str, str] = {}
        scores: dict[str, Any] = {}
        current = (self.case.scores or {}) if self.case is not None else {}
        for code, value in raw_scores.items():
            ind = by_code.get(code)
            if ind is None:
                score_errors[code] = str(_("未知的指标代码。"))
                continue
            if ind.is_auto:
                if value in (None, ""):
                    continue  # the page never posts it; an API client may echo it back empty
                try:
                    same = scoring.to_points(value) == Decimal(str(current.get(code)))
                except (scoring.ScoreError, ArithmeticError):
                    same = False
                if not same:
                    score_errors[code] = str(
                        _("由系统根据%(s)s自动计算，不能手工评分。") % {"s": ind.get_auto_source_display()}
                    )
                continue
            if value in (None, ""):
                scores[code] = None
                continue
            try:
                scores[code] = scoring.plain(scoring.check_score(ind.spec(), value))
            except scoring.ScoreError as exc:
                score_errors[code] = str(exc)
        notes: dict[str, str] = {}
        for code, value in raw_notes.items():
            if code not in by_code:
                score_errors.setdefault(code, str(_("未知的指标代码。")))
                continue
            text = "" if value is None else str(value).strip()
            if len(text) > NOTE_MAX:
                score_errors[code] = str(_("说明不超过 %(n)d 个字。") % {"n": NOTE_MAX})
                continue
            notes[code] = text
        self.score_errors = score_errors
        if score_errors:
            for code, msg in score_errors.items():
                label = by_code[code].label if code in by_code else code
                self.add_error("scores", f"{label}（{code}）：{msg}")
        elif not scores and not notes:
            self.add_error("scores", _("请至少填写一项得分或说明。"))
        data["scores"] = scores
        data["notes"] = notes
        return data


class SubmitForm(ActionForm):
    """提交审定 — every indicator scored; an overall opinion for the leader."""

    summary = forms.CharField(
        label=_("评价意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReturnForm(ActionForm):
    """退回重评 — what the officer must look at again."""

    reason = forms.CharField(label=_("退回原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class FinaliseForm(ActionForm):
    """审定 — the leader confirms the scores; the total and the grade are computed, never typed."""

    note = forms.CharField(
        label=_("审定意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
