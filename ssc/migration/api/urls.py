from django.urls import path

from .views import DisclosureMissingView, JinyuMigrationView

urlpatterns = [
    path("reports/jinyu_migration/", JinyuMigrationView.as_view(), name="api-report-jinyu_migration"),
    path("reports/disclosure_missing/", DisclosureMissingView.as_view(), name="api-report-disclosure_missing"),
]
