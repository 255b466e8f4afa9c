from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RelocationsConfig(AppConfig):
    name = "ssc.relocations"
    label = "relocations"
    verbose_name = _("网点迁址")

    def ready(self) -> None:
        from . import services  # noqa: F401 - registers the workflow binding
