from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldappConfig(AppConfig):
    name = "fieldapp"
    verbose_name = _("Field work")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fieldapp.models import Photo
        from fieldapp.receivers import create_demo_checklists, inspect_demo_projects
        from registry.signals import demo_inspections_wanted, demo_loaded
        from trail.models import Event
        from trail.presenters import register_action_model

        register_action_model(Event.Action.PHOTO, Photo)  # "purpose" in the page's language
        demo_loaded.connect(create_demo_checklists, dispatch_uid="fieldapp-demo-checklists")
        demo_inspections_wanted.connect(
            inspect_demo_projects, dispatch_uid="fieldapp-demo-inspections"
        )
