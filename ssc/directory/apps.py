from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "ssc.directory"
    label = "directory"
    verbose_name = _("公众网点查询")

    def ready(self) -> None:
        from . import cache  # noqa: F401 - connect the roster_published receiver
