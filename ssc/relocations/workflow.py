"""The relocation workflow as one table (WORKFLOW.md §5: reported by the outlet, assessed by the district).

``withdraw`` is added to the names of WORKFLOW.md: a planned move can be abandoned, and without it the open report
would block the outlet's next one (one open relocation per outlet).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ssc.accounts.choices import Role
from ssc.workflow.definition import Transition, Workflow

from . import forms
from .models import RelocationState as S

R = Role

RELOCATION = Workflow(
    name="relocation",
    label=_("网点迁址"),
    states={s.value: s.label for s in S},
    initial=S.NEW,
    terminal=frozenset({S.COMPLIANT, S.NON_COMPLIANT, S.WITHDRAWN}),
    transitions=[
        Transition(
            "report",
            _("报告迁址"),
            frozenset({R.OUTLET_STAFF, R.BANK_APPLICANT}),
            (S.NEW,),
            S.REPORTED,
            "10",
            form=forms.ReportForm,
        ),
        Transition(
            "withdraw",
            _("撤回迁址报告"),
            frozenset({R.OUTLET_STAFF, R.BANK_APPLICANT}),
            (S.REPORTED,),
            S.WITHDRAWN,
            "4",
            form=forms.WithdrawForm,
            irreversible=True,
            button_style="danger",
        ),
        Transition(
            "assess",
            _("评估新址"),
            frozenset({R.DISTRICT_OFFICER}),
            (S.REPORTED,),
            "",
            "9(3)",
            form=forms.AssessForm,
            target_from_field="result",
            targets=(S.COMPLIANT, S.NON_COMPLIANT),
            irreversible=True,
            help=_(
                "符合要求的，网点地址与坐标随即更新并发布新版合作网点名单；不符合要求的，区县可依第九条第(三)项"
                "终止合作。"
            ),
        ),
    ],
)
