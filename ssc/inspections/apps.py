from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "ssc.inspections"
    label = "inspections"
    verbose_name = _("监督检查")

    def ready(self) -> None:
        from . import inbox, services  # noqa: F401 - register the workflow binding and the inbox rule
