"""Pages shared by every workflow: the common inbox (待办) at ``/inbox/``."""

from django.urls import path

from . import views

app_name = "workflow"
urlpatterns = [
    path("", views.inbox, name="inbox"),
]
