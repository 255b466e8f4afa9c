"""Calendar pages (under /calendar/)."""

from django.urls import path

from . import views

app_name = "workcalendar"
urlpatterns = [
    path("", views.calendar_index, name="calendar"),
    path("enter/", views.calendar_enter, name="enter"),
    path("<int:year>/", views.calendar_year, name="year"),
    path("<int:year>/day/", views.calendar_day_set, name="day_set"),
]
