from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QrConfig(AppConfig):
    name = "qr"
    verbose_name = _("Electronic IDs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from qr.receivers import issue_demo_codes
        from registry.signals import demo_loaded

        demo_loaded.connect(issue_demo_codes, dispatch_uid="qr-issue-demo-codes")

        from django.db.models import Subquery

        from fieldapp.selectors import register_plaque_codes
        from qr.models import ElectronicId

        register_plaque_codes(
            lambda subject: Subquery(ElectronicId.objects.filter(subject).values("code")[:1])
        )
