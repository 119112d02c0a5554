"""Photo originals keep the phone's EXIF (GPS position, device): move them out of MEDIA_ROOT,
which is served as it is, into PRIVATE_MEDIA_ROOT."""

import shutil
from pathlib import Path

from django.conf import settings
from django.db import migrations, models

import registry.storage


def move_originals(apps, schema_editor):
    Photo = apps.get_model("fieldapp", "Photo")
    public_root = Path(settings.MEDIA_ROOT)
    private_root = Path(settings.PRIVATE_MEDIA_ROOT)
    for name in Photo.objects.exclude(original="").values_list("original", flat=True):
        source, target = public_root / name, private_root / name
        if source.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(source, target)


class Migration(migrations.Migration):
    dependencies = [("fieldapp", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="photo",
            name="original",
            field=models.FileField(
                storage=registry.storage.PrivateStorage(), upload_to="photos/original/%Y/%m/"
            ),
        ),
        migrations.RunPython(move_originals, migrations.RunPython.noop),
    ]
