from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("new/", views.inspection_record, name="record"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/files/<int:doc_id>/", views.inspection_document, name="document"),
    path("<int:pk>/actions/<slug:action>/", views.inspection_action, name="action"),
]
