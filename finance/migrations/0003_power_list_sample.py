"""A clearly marked sample of the village power list (36 items with their steps) and of the
posts' risk points, loaded when the list is empty. Rui'an's official text is not in our
sources; every row is `sample=True` and the pages say so until staff replace it in the admin.
The sample lives in finance/data/power_list_sample.json."""

import json
from pathlib import Path

from django.db import migrations

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "power_list_sample.json"


def load_sample(apps, schema_editor):
    PowerItem = apps.get_model("finance", "PowerItem")
    PowerStep = apps.get_model("finance", "PowerStep")
    RiskPoint = apps.get_model("finance", "RiskPoint")
    if PowerItem.objects.exists():
        return
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    items = {}
    for row in data["items"]:
        item = PowerItem.objects.create(
            number=row["number"],
            area=row["area"],
            title=row["title"],
            decider=row["decider"],
            basis=row["basis"],
            description=row["description"],
            applies_to=row["applies_to"],
            sample=True,
        )
        PowerStep.objects.bulk_create(
            PowerStep(item=item, position=position, **step)
            for position, step in enumerate(row["steps"], start=1)
        )
        items[item.number] = item
    RiskPoint.objects.bulk_create(
        RiskPoint(
            post=row["post"],
            level=row["level"],
            item=items.get(row["item"]),
            risk=row["risk"],
            measure=row["measure"],
            village=None,
            sample=True,
        )
        for row in data["risk_points"]
    )


class Migration(migrations.Migration):
    dependencies = [("finance", "0002_general_approval_chain")]
    operations = [migrations.RunPython(load_sample, migrations.RunPython.noop)]
