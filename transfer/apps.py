from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    """Asset files in and public layers out: imports (with their jobs) and exports."""

    name = "transfer"
    verbose_name = _("Imports and exports")
    default_auto_field = "django.db.models.BigAutoField"
