from django.urls import path

from . import views

app_name = "evaluations"
urlpatterns = [
    path("", views.evaluation_list, name="list"),
    path("export/", views.evaluation_export, name="export"),
    path("new/", views.evaluation_start, name="start"),
    path("flagged/", views.flagged, name="flagged"),
    path("indicators/", views.indicator_set_list, name="indicator_set_list"),
    path("indicators/new/", views.indicator_set_create, name="indicator_set_create"),
    path("indicators/<int:pk>/", views.indicator_set_detail, name="indicator_set_detail"),
    path("<int:pk>/", views.evaluation_detail, name="detail"),
    path("<int:pk>/actions/<slug:action>/", views.evaluation_action, name="action"),
]
