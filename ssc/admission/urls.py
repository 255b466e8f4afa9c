from django.urls import path

from . import views

app_name = "admission"
urlpatterns = [
    path("<int:pk>/", views.application_detail, name="application_detail"),
]
