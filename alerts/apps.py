from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def schedule_nightly_pass(sender, **kwargs) -> None:
    """The task queue evaluates every rule once a night (the date-driven warnings age in)."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name="alerts-nightly",
        defaults={"func": "alerts.tasks.nightly", "schedule_type": Schedule.DAILY},
    )


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Warnings")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from alerts import demo, receivers
        from alerts.rules import load_rules
        from registry.signals import demo_loaded

        load_rules()
        receivers.connect()
        demo_loaded.connect(demo.load, dispatch_uid="alerts-demo")
        post_migrate.connect(schedule_nightly_pass, sender=self)
        from alerts import panels as alert_panels
        from registry import panels

        panels.register("my_work", alert_panels.my_work_panel, name="alerts")
        panels.register("unit", alert_panels.unit_panel, name="alerts")
