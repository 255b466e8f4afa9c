"""URL map: staff pages, the API under /api/v1/, health probes, admin."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ssc.core import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("config.api_urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("ssc.accounts.urls")),
    path("audit/", include("ssc.audit.urls")),
    path("calendar/", include("ssc.workcalendar.urls")),
    path("applications/", include("ssc.admission.urls")),
    path("roster/", include("ssc.roster.urls")),
    path("directory/", include("ssc.directory.urls")),
    path("notifications/", include("ssc.notifications.urls")),
    path("documents/", include("ssc.documents.urls")),
    path("deadlines/", include("ssc.deadlines.urls")),
    path("rectifications/", include("ssc.rectification.urls")),
    path("inspections/", include("ssc.inspections.urls")),
    path("inbox/", include("ssc.workflow.urls")),
    path("tickets/", include("ssc.tickets.urls")),
    path("evaluations/", include("ssc.evaluations.urls")),
    path("agreements/", include("ssc.agreements.urls")),
    path("relocations/", include("ssc.relocations.urls")),
    path("terminations/", include("ssc.terminations.urls")),
    path("supervision/", include("ssc.migration.urls")),
    path("", include("ssc.portal.urls")),
]
# Unknown routes and crashes under /api/ answer problem+json; other paths get Django's pages.
handler404 = "ssc.core.api.views.handler404"
handler500 = "ssc.core.api.views.handler500"

if settings.DEBUG:
    urlpatterns += static(
        settings.MEDIA_URL if hasattr(settings, "MEDIA_URL") else "/media/", document_root=settings.MEDIA_ROOT
    )
