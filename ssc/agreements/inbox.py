"""How agreements show in the common inbox (``ssc.workflow.inbox``): ``renew`` waits on the district officer only
when the end is near (within the 90-day reminder window) or passed, for an agreement not renewed yet of an outlet
that still cooperates — not for every agreement in force."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from ssc.workflow.inbox import InboxRule, register_rule

from .services import REMINDER_DAYS
from .workflow import RENEWABLE_OUTLET_STATUSES


def _renew_due(user: Any, t: Any) -> Q | None:
    if t.action != "renew":
        return None
    horizon = timezone.localdate() + timedelta(days=max(REMINDER_DAYS))
    return Q(term_end__lte=horizon, renewed_by__isnull=True, outlet__status__in=list(RENEWABLE_OUTLET_STATUSES))


RULE = register_rule(InboxRule("agreement", action_q=_renew_due))
