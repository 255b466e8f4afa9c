from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "ssc.rectification"
    label = "rectification"
    verbose_name = _("整改")

    def ready(self) -> None:
        from . import inbox, services  # noqa: F401 - register the workflow binding, the overdue hook, the inbox rule
