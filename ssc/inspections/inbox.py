"""How inspections show in the common inbox (``ssc.workflow.inbox``): ``respond`` waits on the district agency the
inspection names, ``close`` on the organisation that recorded it — the SQL form of ``workflow.in_action_scope``."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.text import Truncator

from ssc.core.scoping import NONE
from ssc.registry.choices import OrganisationKind
from ssc.workflow.definition import Transition
from ssc.workflow.inbox import InboxRule, register_rule


def action_q(user: Any, t: Transition) -> Q | None:
    org = getattr(user, "organisation", None)
    if t.action == "respond":
        if org is None or org.kind != OrganisationKind.DISTRICT_AGENCY or not org.district_id:
            return NONE
        return Q(district_id=org.district_id)
    if t.action == "close":
        return Q(organisation_id=org.pk) if org is not None else NONE
    return None


def subject(case: Any) -> str:
    return f"{case.organisation.name}：{Truncator(case.scope).chars(40)}"


RULE = register_rule(
    InboxRule("inspection", action_q=action_q, select_related=("district", "organisation"), subject=subject)
)
