"""ImportJob moved to the transfer app (gis knows no model of ours): its table stays as it is,
only the migration state forgets it here (transfer 0001 takes it over)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("qlgis", "0002_job_attempts")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ImportJob")],
            database_operations=[],
        ),
    ]
