from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("<int:doc_id>/v/<int:n>/", views.download, name="download"),
]
