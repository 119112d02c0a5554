from decimal import Decimal

from django.db import migrations

# The general chain (finance.chains): position, role, amount above which it applies, step name.
GENERAL_CHAIN = [
    (10, "village_supervisor", Decimal("0"), "村务监督委员会会签"),
    (20, "village_head", Decimal("0"), "村委会主任审批"),
    (30, "finance_office", Decimal("50000"), "乡镇经管办审核"),
    (40, "township_leader", Decimal("100000"), "乡镇分管领导审批"),
]


def add_chain(apps, schema_editor):
    ApprovalRule = apps.get_model("finance", "ApprovalRule")
    if ApprovalRule.objects.filter(power_item__isnull=True).exists():
        return
    for position, role, above, label in GENERAL_CHAIN:
        ApprovalRule.objects.create(position=position, role=role, above=above, label=label)


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]
    operations = [migrations.RunPython(add_chain, migrations.RunPython.noop)]
