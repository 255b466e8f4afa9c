from django.urls import path

from . import views

app_name = "relocations"
urlpatterns = [
    path("", views.relocation_list, name="list"),
    path("export/", views.relocation_export, name="export"),
    path("new/", views.relocation_report, name="report"),
    path("<int:pk>/", views.relocation_detail, name="detail"),
    path("<int:pk>/actions/<slug:action>/", views.relocation_action, name="action"),
]
