"""The hotline and problem-report panel of an outlet's page (Art 10): the outlet's latest tickets (热线工单) and
problem reports (问题报告) the viewer may see. Scoped by ``restrict`` (a hotline operator sees only its own hotline's
tickets and no problem reports); the caller's name and contact never appear here."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from ssc.accounts.choices import Role

from ..models import ProblemReport, ProblemReportState, Ticket, TicketCategory, TicketState

register = template.Library()

PANEL_LIMIT = 10


@register.inclusion_tag("tickets/_outlet_panel.html", takes_context=True)
def outlet_tickets(context: Any, outlet: Any) -> dict[str, Any]:
    """Four queries whatever the number of rows: counts and latest rows of each kind."""
    from ..forms import TICKETABLE_STATUSES
    from ..views import ticket_response

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    tickets = Ticket.objects.restrict(user).filter(outlet_id=outlet.pk).exclude(state=TicketState.NEW)
    counts = tickets.aggregate(
        total=Count("pk"),
        complaints=Count("pk", filter=Q(category=TicketCategory.COMPLAINT)),
        open=Count("pk", filter=Q(state=TicketState.OPEN)),
    )
    today = timezone.localdate()
    # Only the fields the panel shows: the caller's name and contact are never read.
    latest = tickets.only(
        "pk", "state", "channel", "category", "content", "received_at", "response_due_on", "answered_at"
    ).order_by("-received_at", "-pk")[:PANEL_LIMIT]
    ticket_rows = [{"t": t, "response": ticket_response(t, today)} for t in latest]

    show_reports = user is not None and user.role != Role.HOTLINE_OPERATOR
    reports: list[ProblemReport] = []
    report_counts = {"total": 0, "open": 0}
    if show_reports:
        pr = ProblemReport.objects.restrict(user).filter(outlet_id=outlet.pk).exclude(state=ProblemReportState.NEW)
        report_counts = pr.aggregate(total=Count("pk"), open=Count("pk", filter=Q(state=ProblemReportState.SUBMITTED)))
        reports = list(pr.select_related("reported_by").order_by("-reported_at", "-pk")[:PANEL_LIMIT])
    return {
        "outlet": outlet,
        "ticket_rows": ticket_rows,
        "ticket_counts": counts,
        "show_reports": show_reports,
        "reports": reports,
        "report_counts": report_counts,
        "can_log": user is not None and user.role == Role.HOTLINE_OPERATOR and outlet.status in TICKETABLE_STATUSES,
        "can_report": user is not None and user.role == Role.OUTLET_STAFF and user.outlet_id == outlet.pk,
    }
