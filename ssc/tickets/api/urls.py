"""Ticket and problem report endpoints under /api/v1/: the collections (POST creates: ``log`` / ``report``), the
ticket's audited contact, and one route per later workflow action."""

from rest_framework.routers import SimpleRouter

from ssc.workflow.api.views import action_urlpatterns

from .views import ProblemReportActionView, ProblemReportViewSet, TicketActionView, TicketViewSet

router = SimpleRouter()
router.register("tickets", TicketViewSet, basename="api-ticket")
router.register("problem_reports", ProblemReportViewSet, basename="api-problem_report")

# The creating actions run with the POST on the collection; ``…/{id}/actions/log/`` and ``…/report/`` have no
# route (404), since a case that exists has already left ``new``.
CREATING = {"log", "report"}

urlpatterns = [
    *router.urls,
    *[
        p
        for p in action_urlpatterns(TicketActionView, "api-ticket")
        if (p.name or "").rsplit("-", 1)[-1] not in CREATING
    ],
    *[
        p
        for p in action_urlpatterns(ProblemReportActionView, "api-problem_report")
        if (p.name or "").rsplit("-", 1)[-1] not in CREATING
    ],
]
