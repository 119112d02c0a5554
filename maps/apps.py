from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MapsConfig(AppConfig):
    """The township maps and the vector tiles of our layers (gis draws, this app reads)."""

    name = "maps"
    verbose_name = _("Township maps and tiles")
