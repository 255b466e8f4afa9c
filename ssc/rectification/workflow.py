"""The rectification workflow (Art 8(3)) as one table — WORKFLOW.md §3, names kept exactly.

``overdue`` is not an action of any user: the deadline sweep moves open cases there (see ``services``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ssc.accounts.choices import Role
from ssc.workflow.definition import DeadlineStart, Transition, Workflow

from . import forms
from .models import RectificationState as S

R = Role
RECTIFICATION_DEADLINE = "rectification"

RECTIFICATION = Workflow(
    name="rectification",
    label=_("整改"),
    states={s.value: s.label for s in S},
    initial=S.NEW,
    terminal=frozenset({S.CLOSED, S.OVERDUE}),
    transitions=[
        Transition(
            "issue",
            _("下达整改通知"),
            frozenset({R.DISTRICT_OFFICER}),
            (S.NEW,),
            S.OPEN,
            "8(3)",
            form=forms.IssueForm,
            starts_deadline=DeadlineStart(
                RECTIFICATION_DEADLINE,
                months=3,
                responsible="outlet",
                label=_("网点完成整改（3个月）"),
                start_field="issued_on",
            ),
        ),
        Transition(
            "submit_report",
            _("提交整改报告"),
            frozenset({R.OUTLET_STAFF, R.BANK_APPLICANT}),
            (S.OPEN, S.REPORT_REJECTED),
            S.REPORT_SUBMITTED,
            "8(3)",
            form=forms.ReportForm,
        ),
        Transition(
            "reject_report",
            _("退回整改报告"),
            frozenset({R.DISTRICT_OFFICER}),
            (S.REPORT_SUBMITTED,),
            S.REPORT_REJECTED,
            "8(3)",
            form=forms.RejectReportForm,
            button_style="secondary",
        ),
        Transition(
            "verify",
            _("核验通过"),
            frozenset({R.DISTRICT_OFFICER}),
            (S.REPORT_SUBMITTED,),
            S.CLOSED,
            "8(3)",
            form=forms.VerifyForm,
            stops_deadlines=(RECTIFICATION_DEADLINE,),
            irreversible=True,
        ),
    ],
)
