import datetime as dt

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def schedule_nightly_pass(sender, **kwargs) -> None:
    """The task queue evaluates every rule once a night (the date-driven warnings age in)."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name="alerts-nightly",
        defaults={
            "func": "alerts.tasks.nightly",
            "schedule_type": Schedule.DAILY,
            "next_run": next_night(),
        },
    )


NIGHTLY_HOUR = 2  # local time: after the day's entries, before the morning's work


def next_night():
    """The next 02:00 in the site's time zone."""
    now = timezone.localtime()
    run = now.replace(hour=NIGHTLY_HOUR, minute=0, second=0, microsecond=0)
    return run if run > now else run + dt.timedelta(days=1)


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
        from alerts import disclosure

        disclosure.connect()
