from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "ssc.evaluations"
    label = "evaluations"
    verbose_name = _("服务质量评价")

    def ready(self) -> None:
        from . import services  # noqa: F401 - registers the workflow binding
