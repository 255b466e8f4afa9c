"""Admin of the center's internal step targets (内部时限); every change goes through the audited service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from ssc.audit import services as audit

from .models import StepTarget


@admin.register(StepTarget)
class StepTargetAdmin(admin.ModelAdmin):
    list_display = ("case_type", "action", "workdays")
    list_filter = ("case_type",)
    search_fields = ("action",)
    ordering = ("case_type", "action")

    def save_model(self, request: Any, obj: StepTarget, form: Any, change: bool) -> None:
        before = {"workdays": form.initial.get("workdays")} if change else None
        super().save_model(request, obj, form, change)
        audit.record(
            action="steptarget.set", obj=obj, before=before, after={"workdays": obj.workdays}, actor=request.user
        )

    def delete_model(self, request: Any, obj: StepTarget) -> None:
        audit.record(action="steptarget.delete", obj=obj, before={"workdays": obj.workdays}, actor=request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
