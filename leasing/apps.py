from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeasingConfig(AppConfig):
    name = "leasing"
    verbose_name = _("Leases and auctions")
    default_auto_field = "django.db.models.BigAutoField"
