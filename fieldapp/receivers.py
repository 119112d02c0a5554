from django.db import transaction

from fieldapp.models import Checklist, ChecklistItem

DEMO_CHECKLISTS = {
    ("project", "construction", "施工现场检查"): [
        ("施工内容与公示一致", "yes_no", "", None, True),
        ("现场设置工程公示牌和电子身份证", "yes_no", "", None, True),
        ("安全防护措施到位", "yes_no", "", None, True),
        ("当日现场作业人数", "number", "人", None, False),
        ("现场照片", "photo", "", None, True),
    ],
    ("project", "acceptance", "竣工验收检查"): [
        ("工程量与合同一致", "yes_no", "", None, True),
        ("质量达到验收标准", "yes_no", "", None, True),
        ("验收意见", "text", "", None, False),
    ],
    ("building", "", "集体房产巡查"): [
        ("使用人与租赁合同一致", "yes_no", "", None, True),
        ("无违规转租", "yes_no", "", None, True),
        ("房屋结构安全", "yes_no", "", None, True),
        ("备注", "text", "", None, False),
    ],
    ("parcel", "", "集体土地巡查"): [
        ("用途与登记一致", "yes_no", "", None, True),
        ("无违法占用或建设", "yes_no", "", None, True),
        ("实测面积（亩）", "number", "亩", None, False),
    ],
    ("facility", "", "集体设施巡查"): [
        ("设施完好可用", "yes_no", "", None, True),
        ("清廉宣传内容完整", "yes_no", "", None, False),
    ],
}


def create_demo_checklists(sender, **kwargs) -> str:
    """Checklists the field app needs to be tried at once; staff change them in the admin."""
    with transaction.atomic():
        for (kind, stage, name), items in DEMO_CHECKLISTS.items():
            checklist, created = Checklist.objects.get_or_create(
                name=name, defaults={"subject_kind": kind, "stage": stage}
            )
            if created:
                ChecklistItem.objects.bulk_create(
                    ChecklistItem(
                        checklist=checklist,
                        position=i,
                        text=text,
                        answer_type=kind_,
                        unit=unit,
                        minimum=minimum,
                        mandatory=mandatory,
                    )
                    for i, (text, kind_, unit, minimum, mandatory) in enumerate(items, start=1)
                )
    return f"Field checklists: {Checklist.objects.count()}"
