"""The quality evaluation workflow (Art 5) as one table — WORKFLOW.md §5 ``Evaluation``.

WORKFLOW.md names only ``finalise`` (district leader); the steps before it are the real work of scoring, so the
table adds them (names in the API and the audit log):

- ``start`` — the district officer opens the evaluation of one outlet for one period (new → draft); the complaint
  count is filled in from the hotline tickets of the period;
- ``score`` — the officer scores the indicators, in as many sittings as needed (draft → draft);
- ``submit`` — once every indicator is scored (draft → submitted); the complaint count is taken again;
- ``return`` — the district leader sends it back for another look, with a reason (submitted → draft);
- ``finalise`` — the leader confirms it (submitted → finalised); the total and the grade are computed then.

``new`` exists only inside the transaction of ``start``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from ssc.accounts.choices import Role
from ssc.workflow.definition import Precondition, Transition, Workflow

from . import forms, scoring
from .models import EvaluationState as S

R = Role
ARTICLE = "5"


def all_scored(case: Any, payload: dict, actor: Any) -> Any:
    """Every indicator of the set has a score (the automatic ones always do)."""
    gaps = scoring.missing(case.indicator_set.specs(), case.scores or {})
    if gaps:
        return _("以下指标尚未评分：%(m)s") % {"m": "、".join(s.label for s in gaps)}
    return None


EVALUATION = Workflow(
    name="evaluation",
    label=_("服务质量评价"),
    states={s.value: s.label for s in S},
    initial=S.NEW,
    terminal=frozenset({S.FINALISED}),
    transitions=[
        Transition(
            "start",
            _("开始评价"),
            frozenset({R.DISTRICT_OFFICER}),
            (S.NEW,),
            S.DRAFT,
            ARTICLE,
            form=forms.StartForm,
            help=_("投诉件数由系统按评价期内登记的热线投诉工单自动统计。"),
        ),
        Transition(
            "score",
            _("评分"),
            frozenset({R.DISTRICT_OFFICER}),
            (S.DRAFT,),
            S.DRAFT,
            ARTICLE,
            form=forms.ScoreForm,
            help=_("逐项评分，可分次保存；自动计分指标由系统计算，不能手工修改。"),
        ),
        Transition(
            "submit",
            _("提交审定"),
            frozenset({R.DISTRICT_OFFICER}),
            (S.DRAFT,),
            S.SUBMITTED,
            ARTICLE,
            form=forms.SubmitForm,
            preconditions=(Precondition(all_scored, _("全部指标已评分")),),
            help=_("提交时按评价期重新统计投诉件数。"),
        ),
        Transition(
            "return",
            _("退回重评"),
            frozenset({R.DISTRICT_LEADER}),
            (S.SUBMITTED,),
            S.DRAFT,
            ARTICLE,
            form=forms.ReturnForm,
            button_style="secondary",
        ),
        Transition(
            "finalise",
            _("审定"),
            frozenset({R.DISTRICT_LEADER}),
            (S.SUBMITTED,),
            S.FINALISED,
            ARTICLE,
            form=forms.FinaliseForm,
            preconditions=(Precondition(all_scored, _("全部指标已评分")),),
            irreversible=True,
            help=_("审定后按指标体系计算总分和等级，不能再修改。评为“差”的可下达整改。"),
        ),
    ],
)
