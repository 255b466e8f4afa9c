from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RosterConfig(AppConfig):
    name = "ssc.roster"
    label = "roster"
    verbose_name = _("合作网点名单")
