from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("jinyu/", views.jinyu_migration, name="jinyu_migration"),
    path("disclosure/", views.disclosure, name="disclosure"),
]
