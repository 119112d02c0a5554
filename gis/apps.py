from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GisConfig(AppConfig):
    name = "gis"
    label = "qlgis"
    verbose_name = _("Maps and geometry")
