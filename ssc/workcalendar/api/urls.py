"""Calendar API routes (included under /api/v1/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("calendar/add_workdays/", views.AddWorkdaysView.as_view(), name="calendar-add-workdays"),
    path("calendar/add_months/", views.AddMonthsView.as_view(), name="calendar-add-months"),
    path("calendar/years/", views.YearListView.as_view(), name="calendar-years"),
    path("calendar/days/", views.DayListView.as_view(), name="calendar-days"),
]
