from django.urls import path

from . import views

app_name = "terminations"
urlpatterns = [
    path("", views.termination_list, name="list"),
    path("export/", views.termination_export, name="export"),
    path("new/<int:outlet_id>/", views.termination_initiate, name="initiate"),
    path("<int:pk>/", views.termination_detail, name="detail"),
    path("<int:pk>/actions/<slug:action>/", views.termination_action, name="action"),
]
