from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "ssc.agreements"
    label = "agreements"
    verbose_name = _("合作协议")

    def ready(self) -> None:
        from ssc.deadlines.services import DAILY_JOBS

        from . import inbox, services  # noqa: F401 - register the workflow binding and the inbox rule

        if services.daily_job not in DAILY_JOBS:
            DAILY_JOBS.append(services.daily_job)
