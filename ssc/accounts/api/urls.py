"""Authentication endpoints under /api/v1/auth/."""

from django.urls import path

from . import schema  # noqa: F401 - registers the bearer scheme with drf-spectacular
from .views import MeView, TokenView

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-auth-token"),
    path("auth/me/", MeView.as_view(), name="api-auth-me"),
]
