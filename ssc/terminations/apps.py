from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerminationsConfig(AppConfig):
    name = "ssc.terminations"
    label = "terminations"
    verbose_name = _("退出")

    def ready(self) -> None:
        from . import inbox, services  # noqa: F401 - register the workflow binding and the inbox rule
