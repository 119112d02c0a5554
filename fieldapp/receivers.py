import datetime as dt
import io
import uuid
import zlib

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone
from PIL import Image

from fieldapp.models import Checklist, ChecklistItem
from registry.scoping import Role

DEMO_INSPECTOR = "city"  # the demo city discipline commission login; it may inspect anywhere

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


def _demo_photo(seed: int) -> bytes:
    """A small plain JPEG standing in for a site photo (no EXIF, so no place or time)."""
    shade = 90 + seed % 120
    image = Image.new("RGB", (160, 120), (shade, shade - 20, 60))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def _demo_inspector() -> User:
    """The demo's city login, made here if missing; an existing account is never promoted."""
    city = Group.objects.get_or_create(name=Role.CITY)[0]
    inspector, created = User.objects.get_or_create(username=DEMO_INSPECTOR)
    if created:
        inspector.set_unusable_password()
        inspector.save()
        inspector.groups.add(city)
    elif not inspector.groups.filter(pk=city.pk).exists():
        inspector, created = User.objects.get_or_create(username=DEMO_INSPECTOR + "_demo")
        if created:
            inspector.set_unusable_password()
            inspector.save()
            inspector.groups.add(city)
    return inspector


def inspect_demo_projects(sender, projects, **kwargs) -> None:
    """One passing construction inspection with a photo for each demo project, on its date."""
    from fieldapp import services

    create_demo_checklists(sender)
    inspector = _demo_inspector()
    checklist = Checklist.objects.get(subject_kind="project", stage="construction")
    items = list(checklist.items.all())
    for project, day in projects:
        key = uuid.UUID(int=zlib.crc32(f"demo-inspection-{project.pk}".encode()))
        when = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 30)))
        answers = {
            item.pk: {"yes_no": "yes", "number": "12"}.get(item.answer_type)
            for item in items
            if item.answer_type != "photo"
        }
        photo_items = frozenset(item.pk for item in items if item.answer_type == "photo")
        inspection, _created = services.record_inspection(
            project,
            actor=inspector,
            checklist=checklist,
            answers=answers,
            client_uuid=key,
            stage_seen=project.stage,
            photo_item_ids=photo_items,
            inspected_at=when,
        )
        services.add_photo(
            project,
            actor=inspector,
            data=_demo_photo(project.pk),
            client_uuid=uuid.UUID(int=key.int ^ 1),
            purpose="inspection",
            caption=checklist.name,
            inspection=inspection,
        )
