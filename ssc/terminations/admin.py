from django.contrib import admin

from .models import Termination


@admin.register(Termination)
class TerminationAdmin(admin.ModelAdmin):
    """Read-only: a termination moves only through its workflow (``ssc.terminations.services``)."""

    list_display = ("id", "outlet", "ground", "state", "initiated_on", "filed_on", "closed_on")
    list_filter = ("state", "ground")
    search_fields = ("outlet__name", "outlet__code")
    raw_id_fields = ("outlet", "initiated_by", "initiator_organisation", "rectification", "relocation", "agreement")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
