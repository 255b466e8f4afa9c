"""Read-only admin: the calendar is changed only through the audited services (the 工作日历 pages)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import CalendarDay, CalendarYear


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(CalendarYear)
class CalendarYearAdmin(ReadOnlyAdmin):
    list_display = ["year", "source", "notice", "entered_by", "entered_at", "revision"]


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyAdmin):
    list_display = ["date", "is_workday", "is_holiday", "holiday_name"]
    list_filter = ["calendar_year", "is_workday", "is_holiday"]
    date_hierarchy = "date"
