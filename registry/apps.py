from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def sync_roles(sender, **kwargs) -> None:
    """After every migrate and flush: each role's group holds exactly what `registry.roles` says.

    Permissions are created first for the apps the table names, whatever order the apps' own
    post_migrate work runs in.
    """
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from registry.roles import MANAGED_APPS, sync_group_permissions

    using = kwargs.get("using", "default")
    ContentType.objects.clear_cache()  # a flush leaves the cache pointing at deleted rows
    for label in MANAGED_APPS:
        create_permissions(apps.get_app_config(label), verbosity=0, using=using)
    sync_group_permissions(Group, Permission)


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Collective assets registry")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from registry import checks  # noqa: F401  (registers the older-layout check)
        from registry.roles import public_actor
        from trail.presenters import register_actor_label

        register_actor_label(public_actor)

        post_migrate.connect(sync_roles, sender=self, dispatch_uid="registry-sync-roles")
