from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def schedule_daily_round(sender, **kwargs) -> None:
    """The task queue runs the daily round (escalation, wiping old contacts) once a day."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name="supervision-daily",
        defaults={"func": "supervision.notifications.daily", "schedule_type": Schedule.DAILY},
    )


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from registry import panels
        from registry.signals import demo_loaded, demo_users_ready
        from supervision import demo, field_views, views

        panels.register("record", views.record_panel, name="supervision")
        panels.register("unit", views.unit_panel, name="supervision")
        panels.register("my_work", field_views.my_work_panel, name="supervision")
        demo_loaded.connect(demo.load, dispatch_uid="supervision-demo")
        demo_users_ready.connect(demo.name_heads, dispatch_uid="supervision-demo-heads")
        post_migrate.connect(schedule_daily_round, sender=self)
