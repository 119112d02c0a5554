from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenDataConfig(AppConfig):
    """/data/: the public record as files for other systems (OC4IDS, CSV, Excel)."""

    name = "opendata"
    verbose_name = _("Open data")
