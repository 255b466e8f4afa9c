from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MigrationConfig(AppConfig):
    """Supervision reports: Jinyu Net migration progress (Art 6(2)) and the Art 10 disclosure check."""

    name = "ssc.migration"
    label = "supervision_reports"
    verbose_name = _("监督报表")
