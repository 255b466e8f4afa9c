"""How terminations show in the common inbox (``ssc.workflow.inbox``).

Each state waits on whoever the table names, narrowed in SQL by the case's ground and initiator (the mirror of
``workflow.in_action_scope`` and ``workflow.ground_allows``): the center's leader consents on 9(1) only; the side
that did not initiate agrees on 9(2) only; the district leader decides from ``initiated`` on every ground but 9(1)
and 9(2). Cancelling waits on nobody (``selectors.NOT_AWAITING``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from ssc.core.scoping import NONE
from ssc.workflow.definition import Transition
from ssc.workflow.inbox import InboxRule, register_rule

from .models import Ground, InitiatorSide
from .models import TerminationState as S
from .selectors import NOT_AWAITING
from .workflow import side_of


def action_q(user: Any, t: Transition) -> Q | None:
    if t.action == "center_consent":
        return Q(ground=Ground.HEAD_OFFICE_REQUEST)
    if t.action == "counterparty_agree":
        side = side_of(user)
        if side is None:
            return NONE
        other = InitiatorSide.BANK if side == InitiatorSide.DISTRICT else InitiatorSide.DISTRICT
        return Q(ground=Ground.MUTUAL_AGREEMENT, initiator_side=other)
    if t.action == "decide":
        return ~Q(state=S.INITIATED) | ~Q(ground__in=[Ground.HEAD_OFFICE_REQUEST, Ground.MUTUAL_AGREEMENT])
    if t.action == "cancel":
        return Q(initiator_organisation_id=user.organisation_id) if user.organisation_id else NONE
    return None


RULE = register_rule(InboxRule("termination", not_awaiting=NOT_AWAITING, action_q=action_q))
