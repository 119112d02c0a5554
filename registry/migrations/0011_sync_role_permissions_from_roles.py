"""Re-sync each role group's permissions from registry.roles, the one table of what each role
may do. Until now the field inspector held `change_project` (0003) and could edit projects
through the API and the admin; township staff lacked `add_leasepayment` though they keep leases.

It reads the table as it is in the code, on purpose: a later change to registry.roles ships with
a migration that runs the same sync again.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from registry.roles import sync_group_permissions


def sync(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    sync_group_permissions(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0010_private_documents_public_opinion"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
