from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdmissionConfig(AppConfig):
    name = "ssc.admission"
    label = "admission"
    verbose_name = _("网点准入")

    def ready(self) -> None:
        from . import services  # noqa: F401 - registers the workflow binding
