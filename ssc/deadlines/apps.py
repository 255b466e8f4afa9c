from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "ssc.deadlines"
    label = "deadlines"
    verbose_name = _("期限")
