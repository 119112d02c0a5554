"""The report categories the issue lists, and a small, clearly marked sample of the inspection
tour checklist (the official 11 areas and 62 problem forms are not in our sources)."""

from django.db import migrations

CATEGORIES = [
    ("quality", "工程质量", "Project quality", 15, False),
    ("money", "资金使用", "Use of money", 15, False),
    ("asset", "资产被占用或违规出租", "Asset occupied or rented irregularly", 15, False),
    ("lease", "租金与合同", "Rent and leases", 15, False),
    ("disclosure", "村务未公开", "Village affairs not disclosed", 10, False),
    ("cadre", "干部作风", "Conduct of cadres", 20, True),
    ("other", "其他", "Other", 15, False),
]

SAMPLE = [
    (
        "【示例】聚焦村级集体“三资”管理",
        ["【示例】集体资产出租未经公开竞价", "【示例】工程款未经审批即支付"],
    ),
    ("【示例】聚焦村务公开", ["【示例】财务收支未按月公开", "【示例】小微工程未公示结算结果"]),
    ("【示例】聚焦干部作风", ["【示例】优亲厚友安排集体资源", "【示例】对村民反映问题推诿拖延"]),
]


def seed(apps, schema_editor):
    Category = apps.get_model("supervision", "Category")
    TourArea = apps.get_model("supervision", "TourArea")
    ProblemForm = apps.get_model("supervision", "ProblemForm")
    for position, (code, name, name_en, days, to_township) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "position": position,
                "days_allowed": days,
                "to_township": to_township,
            },
        )
    for position, (area_name, forms) in enumerate(SAMPLE, start=1):
        area, _ = TourArea.objects.get_or_create(
            name=area_name, defaults={"position": position, "sample": True}
        )
        for number, text in enumerate(forms, start=1):
            ProblemForm.objects.get_or_create(
                area=area, text=text, defaults={"position": number, "sample": True}
            )


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
