"""The API (/api/v1/): each app contributes its own routes."""

from django.urls import include, path

urlpatterns = [
    # First: the public endpoints take most of the traffic, and every "" include below is tried in turn.
    path("public/", include("ssc.directory.api_urls")),
    path("", include("ssc.accounts.api.urls")),
    path("", include("ssc.registry.api.urls")),
    path("", include("ssc.audit.api.urls")),
    path("", include("ssc.workcalendar.api.urls")),
    path("", include("ssc.admission.api.urls")),
    path("", include("ssc.roster.api.urls")),
    path("", include("ssc.deadlines.api.urls")),
    path("", include("ssc.documents.api.urls")),
    path("", include("ssc.notifications.api.urls")),
    path("", include("ssc.rectification.api.urls")),
    path("", include("ssc.inspections.api.urls")),
    path("", include("ssc.workflow.api.urls")),
    path("", include("ssc.tickets.api.urls")),
    path("", include("ssc.evaluations.api.urls")),
    path("", include("ssc.agreements.api.urls")),
    path("", include("ssc.relocations.api.urls")),
    path("", include("ssc.terminations.api.urls")),
    path("", include("ssc.migration.api.urls")),
]
