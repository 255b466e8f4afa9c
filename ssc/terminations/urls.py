"""Pages of terminations (placeholder: the pages are added by a colleague)."""

from django.urls import URLPattern

app_name = "terminations"
urlpatterns: list[URLPattern] = []
