from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Village money")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from finance import hooks

        hooks.connect(self)
