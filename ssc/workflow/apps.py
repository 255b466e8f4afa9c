from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "ssc.workflow"
    label = "workflow"
    verbose_name = _("流程引擎")

    def ready(self) -> None:
        from ssc.deadlines.services import DAILY_JOBS

        from .api.idempotency import purge_job

        if purge_job not in DAILY_JOBS:
            DAILY_JOBS.append(purge_job)
