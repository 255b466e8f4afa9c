from django.urls import path

from . import views

app_name = "roster"
urlpatterns = [
    path("", views.version_list, name="version_list"),
    path("v/<int:number>/", views.version_detail, name="version_detail"),
]
