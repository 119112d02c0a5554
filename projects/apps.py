from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Small works projects")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from projects.models import Deliberation, Disclosure, ProjectDocument
        from trail.models import Event
        from trail.presenters import register_action_model

        register_action_model(Event.Action.DELIBERATE, Deliberation)
        register_action_model(Event.Action.DISCLOSE, Disclosure)
        register_action_model(Event.Action.ATTACH, ProjectDocument)
