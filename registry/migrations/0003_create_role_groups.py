"""Create one group per role of DOMAIN.md with the model permissions that role needs.

Which records a member may touch is further limited by the admin units on their profile.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW_ALL = [
    "view_adminunit",
    "view_cooperative",
    "view_asset",
    "view_project",
    "view_lease",
    "view_leasepayment",
    "view_site",
    "view_route",
    "view_event",
]
ROLE_PERMISSIONS = {
    "city_admin": VIEW_ALL
    + [
        f"{verb}_{model}"
        for verb in ("add", "change")
        for model in ("adminunit", "cooperative", "asset", "project", "lease", "site", "route")
    ]
    + ["add_leasepayment"],
    "township_staff": VIEW_ALL
    + [
        f"{verb}_{model}"
        for verb in ("add", "change")
        for model in ("cooperative", "asset", "project", "lease", "site", "route")
    ],
    "village_supervisor": VIEW_ALL,
    "field_inspector": VIEW_ALL + ["change_project"],
    "bookkeeper": VIEW_ALL + ["add_lease", "change_lease", "add_leasepayment"],
}


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="registry", codename__in=codenames)
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_event_append_only_trigger"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, remove_groups)]
