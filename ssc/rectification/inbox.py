"""How rectifications show in the common inbox (``ssc.workflow.inbox``).

Every state of the table waits on whoever the table names (the outlet reports, the district verifies). An
``overdue`` rectification is terminal in its own workflow but still waits on the district: Art 8(3) termination is
now available, and the agency must decide whether to pursue it — as long as the outlet is still rectifying and no
termination is open for it.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ssc.accounts.choices import Role
from ssc.registry.choices import OutletStatus
from ssc.workflow.inbox import ExtraTask, InboxRule, register_rule

from .models import RectificationState as S


def _still_to_decide(user: object) -> Q:
    from ssc.terminations.models import OPEN_STATES

    return Q(outlet__status=OutletStatus.UNDER_RECTIFICATION) & ~Q(outlet__terminations__state__in=OPEN_STATES)


RULE = register_rule(
    InboxRule(
        "rectification",
        extra=(
            ExtraTask(
                S.OVERDUE,
                frozenset({Role.DISTRICT_OFFICER, Role.DISTRICT_LEADER}),
                _("逾期未整改：研究是否依第8条第(3)项解除合作"),
                # Once a termination is open for the outlet the question is answered (it waits there instead).
                q=_still_to_decide,
            ),
        ),
    )
)
