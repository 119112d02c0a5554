"""The reason an auction was cancelled, made public; and the roles' permissions on auctions,
bids and declared sublets (township and city staff run auctions; bookkeepers declare sublets)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

VIEW = ["view_auction", "view_bid", "view_sublet"]
ROLE_PERMISSIONS = {
    "city_admin": VIEW + ["add_auction", "change_auction", "add_bid", "add_sublet"],
    "township_staff": VIEW + ["add_auction", "change_auction", "add_bid", "add_sublet"],
    "village_supervisor": VIEW,
    "field_inspector": VIEW,
    "bookkeeper": VIEW + ["add_sublet"],
}
CODENAMES = {codename for codenames in ROLE_PERMISSIONS.values() for codename in codenames}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="registry", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="registry", codename__in=CODENAMES
    )
    for group in Group.objects.filter(name__in=ROLE_PERMISSIONS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0008_procedure_auctions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="auction",
            name="cancel_reason",
            field=models.TextField(blank=True, verbose_name="reason for cancelling"),
        ),
        migrations.RunPython(grant, revoke),
    ]
