"""The termination workflow (Art 8, 9) as one table — WORKFLOW.md §4, names kept exactly.

Beyond role and state, who may act depends on the case's ground and on who initiated it:

- ``initiate`` (creates the case, ``new`` → ``initiated``): a district officer on any ground; the bank's head office /
  Chongqing branch on 9(1) and 9(2) for its own bank's outlets; the outlet's first-level sub-branch (bank applicant)
  on 9(2). 8(3) needs an ``overdue`` rectification of the outlet, 9(3) a relocation assessed non-compliant, 9(4) an
  agreement ended (or ending within ``AGREEMENT_NOTICE_DAYS``) without renewal;
- ``center_consent`` only on 9(1), ``counterparty_agree`` only on 9(2) and only by the side that did not initiate;
- ``decide`` from ``initiated`` on 8(1)–(4), 9(3), 9(4); from ``consented`` on 9(1) (never without the center's
  written consent); from ``agreed`` on 9(2);
- ``cancel`` (before ``filed``) by the initiating organisation only.

The ground rules are checked by preconditions (409 with the reason), left out of ``allowed_actions`` (so clients
never guess) and mirrored in SQL for the inbox (``inbox.py``). The article recorded on each history row, audit event and
deadline is the ground's own (e.g. ``8(3)``, through ``article_for``); the table says ``8, 9`` for the steps shared by
every ground.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ssc.accounts.choices import BANK_ROLES, DISTRICT_ROLES, Role
from ssc.workflow.definition import DeadlineStart, Precondition, Transition, Workflow

from . import forms
from .models import BEFORE_FILING, Ground, InitiatorSide, ground_article
from .models import TerminationState as S

R = Role
G = Ground

CENTER_CLOSE_ACCOUNTS = "center_close_accounts"
# Art 9(4) "the agreement expires and is not renewed": available once the term has ended, or within this many days
# before its end (the 30-day expiry reminder) when the parties already know it will not be renewed.
AGREEMENT_NOTICE_DAYS = 30

# Who may initiate on which ground (WORKFLOW.md §4).
GROUND_INITIATORS: dict[str, frozenset[str]] = {
    G.SERIOUS_BREACH: frozenset({R.DISTRICT_OFFICER}),
    G.MAJOR_LOSS: frozenset({R.DISTRICT_OFFICER}),
    G.RECTIFICATION_FAILED: frozenset({R.DISTRICT_OFFICER}),
    G.OTHER_MAJOR_RISK: frozenset({R.DISTRICT_OFFICER}),
    G.HEAD_OFFICE_REQUEST: frozenset({R.DISTRICT_OFFICER, R.BANK_HEAD_OFFICE}),
    G.MUTUAL_AGREEMENT: frozenset({R.DISTRICT_OFFICER, R.BANK_HEAD_OFFICE, R.BANK_APPLICANT}),
    G.RELOCATION_NON_COMPLIANT: frozenset({R.DISTRICT_OFFICER}),
    G.AGREEMENT_NOT_RENEWED: frozenset({R.DISTRICT_OFFICER}),
}
INITIATOR_ROLES = frozenset().union(*GROUND_INITIATORS.values())


def side_of(user: Any) -> str | None:
    """Which side of the cooperation ``user`` speaks for: the district agency or the bank."""
    role = getattr(user, "role", None)
    if role in DISTRICT_ROLES:
        return InitiatorSide.DISTRICT
    if role in BANK_ROLES:
        return InitiatorSide.BANK
    return None


# --- what makes a ground available (Art 8(3), 9(3), 9(4)) ------------------------------------------------------


def overdue_rectification(outlet_id: int) -> Any:
    from ssc.rectification.services import overdue_for_outlet

    found = overdue_for_outlet(outlet_id)
    return max(found, key=lambda r: (r.due_on or date.min, r.pk)) if found else None


def non_compliant_relocation(outlet_id: int) -> Any:
    from ssc.relocations.services import relocations_non_compliant_for_outlet

    found = relocations_non_compliant_for_outlet(outlet_id)
    return found[0] if found else None


def unrenewed_agreement(outlet_id: int, today: date | None = None) -> Any:
    from ssc.agreements.selectors import expired_unrenewed_for_outlet

    return expired_unrenewed_for_outlet(
        outlet_id, today=today or timezone.localdate(), notice_days=AGREEMENT_NOTICE_DAYS
    )


def ground_evidence(ground: str, outlet_id: int, today: date | None = None) -> Any:
    """The record that makes ``ground`` available for the outlet (or True when the ground needs none); None when
    it is missing."""
    if ground == G.RECTIFICATION_FAILED:
        return overdue_rectification(outlet_id)
    if ground == G.RELOCATION_NON_COMPLIANT:
        return non_compliant_relocation(outlet_id)
    if ground == G.AGREEMENT_NOT_RENEWED:
        return unrenewed_agreement(outlet_id, today)
    return True


MISSING_EVIDENCE: dict[str, Any] = {
    G.RECTIFICATION_FAILED: _("该网点没有逾期未完成的整改，不能依第八条第(三)项解除合作。"),
    G.RELOCATION_NON_COMPLIANT: _("该网点没有经评估不符合要求的迁址，不能依第九条第(三)项解除合作。"),
    G.AGREEMENT_NOT_RENEWED: _("该网点没有期满（或%(n)d日内期满）且未续签的合作协议，不能依第九条第(四)项解除合作。"),
}


def missing_evidence_message(ground: str) -> str:
    msg = MISSING_EVIDENCE.get(ground)
    return str(msg) % {"n": AGREEMENT_NOTICE_DAYS} if msg is not None else ""


def _ground_precondition(case: Any, payload: dict, actor: Any) -> Any:
    ground = payload.get("ground") or ""
    if ground_evidence(ground, case.outlet_id) is None:
        return missing_evidence_message(ground)
    return None


# --- which actions a ground allows ---------------------------------------------------------------------------


def ground_allows(ground: str, state: str, action: str) -> bool:
    """Does the case's ground allow ``action`` from ``state``? (Role, scope and the state itself are the table's.)"""
    if action == "center_consent":
        return ground == G.HEAD_OFFICE_REQUEST
    if action == "counterparty_agree":
        return ground == G.MUTUAL_AGREEMENT
    if action == "decide":
        if state == S.INITIATED:
            return ground not in (G.HEAD_OFFICE_REQUEST, G.MUTUAL_AGREEMENT)
        return True  # consented (9(1)) and agreed (9(2)) are reached on their own ground only
    return True


GROUND_REFUSALS = {
    "center_consent": _("只有依第九条第(一)项（总行/重庆分行申请）的解除需要中心书面同意。"),
    "counterparty_agree": _("只有依第九条第(二)项（协商一致）的解除需要另一方同意。"),
}


def _ground_step(case: Any, payload: dict, actor: Any, action: str) -> Any:
    if ground_allows(case.ground, case.state, action):
        return None
    if action == "decide":
        if case.ground == G.HEAD_OFFICE_REQUEST:
            return _("依第九条第(一)项解除合作，须经市社保卡服务中心书面同意后方可决定。")
        return _("依第九条第(二)项解除合作，须另一方同意（协商一致）后方可决定。")
    return GROUND_REFUSALS.get(action)


def _step(action: str) -> Precondition:
    return Precondition(
        lambda case, payload, actor: _ground_step(case, payload, actor, action),
        _("解除情形允许此步骤"),
    )


def in_action_scope(case: Any, user: Any, t: Transition) -> bool:
    """Beyond the role: the other side agrees (9(2)); the initiating organisation cancels."""
    if t.action == "counterparty_agree":
        side = side_of(user)
        return side is not None and side != case.initiator_side
    if t.action == "cancel":
        return user.organisation_id is not None and user.organisation_id == case.initiator_organisation_id
    return True


class TerminationWorkflow(Workflow):
    """The table plus the ground rules: ``allowed_actions`` leaves out what the case's ground does not allow."""

    def allowed_actions(self, case: Any, user: Any) -> list[str]:
        return [a for a in super().allowed_actions(case, user) if ground_allows(case.ground, case.state, a)]

    def article_for(self, case: Any, t: Transition) -> str:
        """Every step of a termination rests on its ground's article (e.g. ``8(3)``, ``9(1)``), not on "8, 9"."""
        return ground_article(case.ground) if getattr(case, "ground", "") else t.article


TERMINATION = TerminationWorkflow(
    name="termination",
    label=_("解除合作"),
    states={s.value: s.label for s in S},
    initial=S.NEW,
    terminal=frozenset({S.CLOSED, S.CANCELLED}),
    transitions=[
        Transition(
            "initiate",
            _("发起解除合作"),
            INITIATOR_ROLES,
            (S.NEW,),
            S.INITIATED,
            "8, 9",
            form=forms.InitiateForm,
            preconditions=(
                Precondition(
                    _ground_precondition,
                    _("8(3)：有逾期未完成的整改；9(3)：迁址经评估不符合要求；9(4)：协议期满未续签"),
                ),
            ),
            help=_("发起后网点仍正常服务，直至报市社保卡服务中心备案。"),
        ),
        Transition(
            "center_consent",
            _("中心书面同意"),
            frozenset({R.CENTER_LEADER}),
            (S.INITIATED,),
            S.CONSENTED,
            "9(1)",
            form=forms.CenterConsentForm,
            preconditions=(_step("center_consent"),),
        ),
        Transition(
            "counterparty_agree",
            _("另一方同意终止"),
            frozenset({R.DISTRICT_OFFICER, R.BANK_HEAD_OFFICE, R.BANK_APPLICANT}),
            (S.INITIATED,),
            S.AGREED,
            "9(2)",
            form=forms.CounterpartyAgreeForm,
            preconditions=(_step("counterparty_agree"),),
        ),
        Transition(
            "decide",
            _("作出解除合作决定"),
            frozenset({R.DISTRICT_LEADER}),
            (S.INITIATED, S.CONSENTED, S.AGREED),
            S.DECIDED,
            "8, 9",
            form=forms.DecideForm,
            preconditions=(_step("decide"),),
            irreversible=True,
        ),
        Transition(
            "file_with_center",
            _("报中心备案"),
            frozenset({R.DISTRICT_OFFICER}),
            (S.DECIDED,),
            S.FILED,
            "8, 9",
            form=forms.FileWithCenterForm,
            starts_deadline=DeadlineStart(
                CENTER_CLOSE_ACCOUNTS,
                workdays=5,
                responsible="center",
                label=_("市社保卡服务中心关闭账户、移出名单（5个工作日）"),
            ),
            irreversible=True,
            help=_("备案后网点立即从公开名录中隐藏，状态变为“退出中”。"),
        ),
        Transition(
            "close_accounts",
            _("关闭账户并移出名单"),
            frozenset({R.CENTER_OFFICER}),
            (S.FILED,),
            S.CLOSED,
            "8, 9",
            form=forms.CloseAccountsForm,
            stops_deadlines=(CENTER_CLOSE_ACCOUNTS,),
            irreversible=True,
        ),
        Transition(
            "cancel",
            _("撤销"),
            frozenset({R.DISTRICT_OFFICER, R.BANK_HEAD_OFFICE, R.BANK_APPLICANT}),
            BEFORE_FILING,
            S.CANCELLED,
            "4",
            form=forms.CancelForm,
            irreversible=True,
            button_style="danger",
        ),
    ],
    in_action_scope=in_action_scope,
)
