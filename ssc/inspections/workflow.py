"""The inspection workflow (Art 5) as one table.

A regulator (市人社局, 金融监管总局重庆监管局) or the center records an inspection; if it asks the district agency to
act, the case waits on that district until it answers, then on the recording organisation to close it. Regulators
write nothing else in the system (Art 5: they read everything and record inspections).

Beyond the role, who may act is scoped by ``in_action_scope`` (mirrored in SQL for the inbox, ``inbox.py``):
``respond`` — the district agency the inspection names; ``close`` — the organisation that recorded it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from ssc.accounts.choices import Role
from ssc.registry.choices import OrganisationKind
from ssc.workflow.definition import Transition, Workflow

from . import forms
from .models import InspectionState as S

R = Role
RECORDER_ROLES = frozenset({R.REGULATOR, R.CENTER_OFFICER, R.CENTER_LEADER})
RESPONDER_ROLES = frozenset({R.DISTRICT_OFFICER, R.DISTRICT_LEADER})


def in_action_scope(case: Any, user: Any, t: Transition) -> bool:
    org = getattr(user, "organisation", None)
    if t.action == "respond":
        return (
            org is not None
            and org.kind == OrganisationKind.DISTRICT_AGENCY
            and case.district_id is not None
            and org.district_id == case.district_id
        )
    if t.action == "close":
        return org is not None and org.pk == case.organisation_id
    return True


INSPECTION = Workflow(
    name="inspection",
    label=_("监督检查"),
    states={s.value: s.label for s in S},
    initial=S.NEW,
    terminal=frozenset({S.RECORDED, S.CLOSED}),
    transitions=[
        Transition(
            "record",
            _("记录监督检查"),
            RECORDER_ROLES,
            (S.NEW,),
            "",
            "5",
            form=forms.RecordForm,
            target_from_field="outcome",
            targets=(S.RECORDED, S.ACTION_REQUESTED),
            help=_("勾选“要求区县处理”时，检查转区县社保卡管理机构处理并反馈；否则仅作记录。"),
        ),
        Transition(
            "respond",
            _("反馈处理情况"),
            RESPONDER_ROLES,
            (S.ACTION_REQUESTED,),
            S.RESPONDED,
            "5",
            form=forms.RespondForm,
        ),
        Transition(
            "close",
            _("办结"),
            RECORDER_ROLES,
            (S.RESPONDED,),
            S.CLOSED,
            "5",
            form=forms.CloseForm,
            irreversible=True,
        ),
    ],
    in_action_scope=in_action_scope,
)
