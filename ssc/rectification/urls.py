from django.urls import path

from . import views

app_name = "rectification"
urlpatterns = [
    path("", views.rectification_list, name="list"),
    path("export/", views.rectification_export, name="export"),
    path("new/<int:outlet_id>/", views.rectification_issue, name="issue"),
    path("<int:pk>/", views.rectification_detail, name="detail"),
    path("<int:pk>/actions/<slug:action>/", views.rectification_action, name="action"),
]
