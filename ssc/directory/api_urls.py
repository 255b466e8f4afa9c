"""Public endpoints under /api/v1/public/ (no log-in)."""

from django.urls import path

from . import api

urlpatterns = [
    path("outlets/", api.PublicOutletListView.as_view(), name="api-public-outlet-list"),
    path("outlets/<int:pk>/", api.PublicOutletDetailView.as_view(), name="api-public-outlet-detail"),
    path("roster/", api.PublicRosterView.as_view(), name="api-public-roster"),
]
