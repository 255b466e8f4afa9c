from django.urls import path

from . import views

app_name = "admission"
urlpatterns = [
    path("", views.application_list, name="application_list"),
    path("export/", views.application_export, name="application_export"),
    path("inbox/", views.inbox, name="inbox"),
    path("new/", views.application_create, name="application_create"),
    path("<int:pk>/", views.application_detail, name="application_detail"),
    path("<int:pk>/actions/<slug:action>/", views.application_action, name="application_action"),
]
