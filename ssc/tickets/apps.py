from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "ssc.tickets"
    label = "tickets"
    verbose_name = _("热线工单与问题报告")

    def ready(self) -> None:
        from . import services  # noqa: F401 - registers the two workflow bindings
