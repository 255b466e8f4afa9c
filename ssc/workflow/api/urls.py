"""Endpoints shared by every workflow under /api/v1/: the common inbox."""

from django.urls import path

from .inbox import InboxView

urlpatterns = [path("inbox/", InboxView.as_view(), name="api-inbox")]
