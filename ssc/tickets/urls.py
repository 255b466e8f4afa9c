from django.urls import path

from . import views

app_name = "tickets"
urlpatterns = [
    path("", views.TicketListView.as_view(), name="ticket_list"),
    path("export/", views.TicketExportView.as_view(), name="ticket_export"),
    path("new/", views.TicketCreateView.as_view(), name="ticket_create"),
    path("<int:pk>/", views.TicketDetailView.as_view(), name="ticket_detail"),
    path("<int:pk>/contact/", views.TicketContactView.as_view(), name="ticket_contact"),
    path("<int:pk>/actions/<slug:action>/", views.TicketActionView.as_view(), name="ticket_action"),
    path("problems/", views.ProblemReportListView.as_view(), name="problem_report_list"),
    path("problems/new/", views.ProblemReportCreateView.as_view(), name="problem_report_create"),
    path("problems/<int:pk>/", views.ProblemReportDetailView.as_view(), name="problem_report_detail"),
    path(
        "problems/<int:pk>/actions/<slug:action>/",
        views.ProblemReportActionView.as_view(),
        name="problem_report_action",
    ),
]
