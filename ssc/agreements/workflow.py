"""The cooperation agreement as one table (WORKFLOW.md §5): ``renew`` by the district, and the two moves the daily
job makes at the end of a term (no role may perform them: ``roles`` is empty, so the engine refuses any user).

- ``renew`` — a new agreement row (``renews`` → this one) with a new term and signed copy. The renewed agreement
  stays ``in_force`` until its own end (the daily job then records ``supersede``); renewed after its end (a late
  renewal, which takes the outlet off the Art 9(4) list), it becomes ``renewed`` at once.
- ``expire`` — the term ended without renewal: Art 9(4) exit becomes available (``selectors.agreements_expired_
  unrenewed``).
- ``supersede`` — the term ended and the renewal takes over.
- ``terminate`` — the cooperation ended under Art 8 or 9 (recorded by the termination work through
  ``services.agreements_terminate_for_outlet`` when the center closes the accounts).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from ssc.accounts.choices import Role
from ssc.registry.choices import OutletStatus
from ssc.workflow.definition import Precondition, Transition, Workflow

from . import forms
from .models import AgreementStatus as S

R = Role
# An agreement of an outlet in these statuses may be renewed: it cooperates (a termination under way is not undone
# by a renewal; the termination is cancelled first).
RENEWABLE_OUTLET_STATUSES = (OutletStatus.ACTIVE, OutletStatus.UNDER_RECTIFICATION)
# Moves made by the daily job, not by users (no API route, no button).
SYSTEM_ACTIONS = frozenset({"expire", "supersede", "terminate"})


def not_renewed_yet(case: Any, payload: dict, actor: Any) -> Any:
    successor = case.successor
    if successor is not None:
        return _("该协议已续签（新协议 %(n)s），请在新协议上办理。") % {"n": successor.number}
    return None


def outlet_cooperating(case: Any, payload: dict, actor: Any) -> Any:
    if case.outlet.status not in RENEWABLE_OUTLET_STATUSES:
        return _("网点当前状态为“%(s)s”，不能续签协议。") % {"s": case.outlet.get_status_display()}
    return None


class AgreementWorkflow(Workflow):
    """The table, and one state-like rule read from the row: an agreement already renewed offers no ``renew`` (the
    engine refuses it with 409 through ``not_renewed_yet`` all the same)."""

    def allowed_actions(self, case: Any, user: Any) -> list[str]:
        actions = super().allowed_actions(case, user)
        if "renew" in actions:
            renewed = getattr(case, "has_successor", None)
            if renewed is None:
                renewed = case.successor is not None
            if renewed:
                actions.remove("renew")
        return actions


AGREEMENT = AgreementWorkflow(
    name="agreement",
    label=_("合作协议"),
    states={s.value: s.label for s in S},
    initial=S.IN_FORCE,
    terminal=frozenset({S.RENEWED, S.TERMINATED}),
    transitions=[
        Transition(
            "renew",
            _("续签协议"),
            frozenset({R.DISTRICT_OFFICER}),
            (S.IN_FORCE, S.EXPIRED),
            "",
            "9(4)",
            form=forms.RenewForm,
            preconditions=(
                Precondition(not_renewed_yet, _("尚未续签")),
                Precondition(outlet_cooperating, _("网点处于合作中或整改中")),
            ),
            # Set by the handler from the action's date: still in force until its end, or already ended.
            target_from_field="outcome",
            targets=(S.IN_FORCE, S.RENEWED),
            help=_(
                "续签将登记一份新的合作协议（新编号、新有效期、签署件），原协议保留在案。提前续签的，新协议须自原协议"
                "到期次日起生效；原协议到期后由新协议接续。"
            ),
        ),
        Transition(
            "expire",
            _("协议到期未续签"),
            frozenset(),
            (S.IN_FORCE,),
            S.EXPIRED,
            "9(4)",
        ),
        Transition(
            "supersede",
            _("协议到期，由续签协议接续"),
            frozenset(),
            (S.IN_FORCE,),
            S.RENEWED,
            "3",
        ),
        Transition(
            "terminate",
            _("终止合作，协议终止"),
            frozenset(),
            (S.IN_FORCE, S.EXPIRED),
            S.TERMINATED,
            "9",
        ),
    ],
)
