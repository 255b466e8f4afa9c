from django.urls import path

from . import roster_views, views

app_name = "directory"
urlpatterns = [
    path("", views.directory, name="index"),
    path("outlets/<int:pk>/", views.outlet, name="outlet"),
    path("roster/", roster_views.version_list, name="roster_versions"),
    path("roster/v/<int:number>/", roster_views.version_detail, name="roster_version"),
]
