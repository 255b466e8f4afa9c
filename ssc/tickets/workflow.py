"""Hotline tickets and outlet problem reports (Art 10) as two tables — WORKFLOW.md §5 ``Ticket``/``ProblemReport``.

Ticket (热线工单): ``log`` (new → open) → ``answer`` (open → answered) → ``close`` (answered → closed).

``reopen`` (answered → open) is added because the hotlines' real work needs it: when the operator calls the caller
back (回访) and the answer did not resolve the matter, 12345/12333 practice is to send the ticket back to be
handled again (退回重办) rather than close it unsatisfied; the outlet owes a new answer within the channel's
limit, so ``reopen`` starts a new response deadline. A closed ticket stays closed (a new matter is a new ticket).

The response deadline (``ticket_response``) is *per channel* (``ChannelPolicy``, default 3 working days), so it
is started by the ``log``/``reopen`` handlers through ``ssc.deadlines.services.start`` rather than by a fixed
``DeadlineStart`` row; ``answer`` meets or misses it through ``stops_deadlines``.

Problem report (问题报告): ``report`` (new → submitted) by the outlet, ``reply`` (submitted → replied) by the
district agency. ``new`` exists only inside the transaction of the creating action (as in rectification).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ssc.accounts.choices import Role
from ssc.workflow.definition import Transition, Workflow

from . import forms
from .models import ProblemReportState as P
from .models import TicketState as S

R = Role
TICKET_RESPONSE = "ticket_response"

RESPONSE_HELP = _("开始计算网点答复期限：按渠道设定的工作日数（未设定时为3个工作日），自受理次日起算。")

TICKET = Workflow(
    name="ticket",
    label=_("热线工单"),
    states={s.value: s.label for s in S},
    initial=S.NEW,
    terminal=frozenset({S.CLOSED}),
    transitions=[
        Transition(
            "log",
            _("登记工单"),
            frozenset({R.HOTLINE_OPERATOR}),
            (S.NEW,),
            S.OPEN,
            "10",
            form=forms.LogForm,
            help=RESPONSE_HELP,
        ),
        Transition(
            "answer",
            _("答复"),
            frozenset({R.OUTLET_STAFF, R.DISTRICT_OFFICER}),
            (S.OPEN,),
            S.ANSWERED,
            "10",
            form=forms.AnswerForm,
            stops_deadlines=(TICKET_RESPONSE,),
        ),
        Transition(
            "reopen",
            _("退回重办"),
            frozenset({R.HOTLINE_OPERATOR}),
            (S.ANSWERED,),
            S.OPEN,
            "10",
            form=forms.ReopenForm,
            button_style="secondary",
            help=_("回访时来电人认为问题未解决：退回网点重新答复，重新计算答复期限。"),
        ),
        Transition(
            "close",
            _("办结"),
            frozenset({R.HOTLINE_OPERATOR, R.DISTRICT_OFFICER}),
            (S.ANSWERED,),
            S.CLOSED,
            "10",
            form=forms.CloseForm,
            irreversible=True,
        ),
    ],
)

PROBLEM_REPORT = Workflow(
    name="problem_report",
    label=_("问题报告"),
    states={s.value: s.label for s in P},
    initial=P.NEW,
    terminal=frozenset({P.REPLIED}),
    transitions=[
        Transition(
            "report",
            _("报告问题"),
            frozenset({R.OUTLET_STAFF}),
            (P.NEW,),
            P.SUBMITTED,
            "10",
            form=forms.ReportForm,
        ),
        Transition(
            "reply",
            _("答复"),
            frozenset({R.DISTRICT_OFFICER}),
            (P.SUBMITTED,),
            P.REPLIED,
            "10",
            form=forms.ReplyForm,
        ),
    ],
)
