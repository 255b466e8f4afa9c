from django.urls import path

from . import views

app_name = "deadlines"
urlpatterns = [
    path("", views.DeadlineListView.as_view(), name="list"),
    path("steps/", views.StepReportView.as_view(), name="step_report"),
]
