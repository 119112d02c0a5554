"""The demo's supervision: a liaison station in every village and a handful of cases in every
state, made through the services like the rest of the demo."""

import datetime as dt
import io
import uuid

from django.contrib.auth.models import User
from django.utils import timezone
from PIL import Image

from projects.models import Project
from qr.selectors import code_of_pk
from registry.models import AdminUnit
from registry.roles import Role
from supervision import services
from supervision.models import Case, Category, State, Station

PHONE = "0577-6589{:04d}"

# (village code, category code, identity, text, the states it is taken through)
CASES = [
    (
        "330381102201",
        "quality",
        "anonymous",
        "村道硬化路面刚铺好就出现多处裂缝，施工时没有见到监理在场。",
        [],
    ),
    (
        "330381102201",
        "money",
        "confidential",
        "工程款支付前没有在公开栏公示，村民不清楚付了多少。",
        ["accepted"],
    ),
    (
        "330381102201",
        "asset",
        "anonymous",
        "村集体仓库被个人堆放杂物，不知道有没有签租赁合同。",
        ["accepted", "verifying"],
    ),
    (
        "330381102202",
        "lease",
        "named",
        "集体厂房转租给了别人，租金是不是按合同交的？",
        ["accepted", "verifying", "found"],
    ),
    (
        "330381102202",
        "disclosure",
        "anonymous",
        "上季度村务公开栏一直没有更新。",
        ["accepted", "verifying", "found", "ordered"],
    ),
    (
        "330381102202",
        "quality",
        "anonymous",
        "文化礼堂屋顶漏水，施工方说已经验收了。",
        ["accepted", "verifying", "found", "ordered", "rectified"],
    ),
    (
        "330381102201",
        "disclosure",
        "named",
        "村里的财务公开表看不懂，能不能写清楚每一笔钱的用途？",
        ["accepted", "verifying", "found", "ordered", "rectified", "closed"],
    ),
    (
        "330381102202",
        "other",
        "anonymous",
        "路灯晚上不亮，好像是电线被人剪了。",
        ["accepted", "verifying", "not_found", "closed"],
    ),
    ("330381102201", "other", "anonymous", "投诉邻居家的狗太吵。", ["declined"]),
    ("330381102201", "disclosure", "anonymous", "公开栏的财务表几个月没有换过了。", ["merge"]),
    (
        "330381102202",
        "quality",
        "anonymous",
        "排水沟盖板有几块已经断了，晚上走路很危险。",
        ["accepted", "verifying", "not_found", "closed", "reopen_asked"],
    ),
    ("330381001201", "money", "anonymous", "村里采购办公用品的发票金额对不上。", []),
    (
        "330381100210",
        "asset",
        "anonymous",
        "集体山林被人砍了一片，不知道是谁批准的。",
        ["accepted"],
    ),
    (
        "330381100215",
        "asset",
        "anonymous",
        "村口的集体仓库好像被人占用了。",
        ["accepted", "verifying", "not_found"],
    ),
]

REASONS = {
    State.DECLINED: "不属于村级监察联络站受理范围，已告知可向相关部门反映。",
    State.FOUND: "现场核实情况属实。",
    State.NOT_FOUND: "现场核实未发现反映的问题。",
    State.RECTIFIED: "已按要求整改，并拍照留存。",
    State.CLOSED: "整改到位，办结。",
    State.REOPEN_ASKED: "断的盖板还在，没有换。",
}


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (140, 150, 160)).save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def _stations() -> None:
    villages = AdminUnit.objects.filter(level=AdminUnit.Level.VILLAGE).order_by("code")
    for number, village in enumerate(villages, start=1):
        if Station.objects.filter(village=village).exists():
            continue
        services.save_station(
            Station(
                village=village,
                name=f"{village.name}监察工作联络站",
                office_phone=PHONE.format(number),
                place=f"{village.name}村委会二楼",
                office_hours="工作日 8:30–11:30，14:00–17:00",
            ),
            actor=None,
        )


def _walk(case: Case, states: list[str], merge_into: Case | None) -> None:
    for state in states:
        if state == "merge":
            services.merge(case, into=merge_into, actor=None, reason="与先前的反映是同一件事。")
        elif state == "rectified":
            services.add_evidence_photo(
                case, _photo(), purpose="rectified", actor=None, client_uuid=None
            )
            services.move(case, to=state, actor=None, reason=REASONS[State.RECTIFIED])
        elif state == "reopen_asked":
            services.reporter_reopen(case, reason=REASONS[State.REOPEN_ASKED])
        else:
            services.move(
                case,
                to=state,
                actor=None,
                reason=REASONS.get(state, ""),
                rectify_who="村委会" if state == State.ORDERED else "",
                rectify_by=timezone.localdate() + dt.timedelta(days=20),
                outcome="已整改到位，村民满意。" if state == State.CLOSED else "",
            )
        case.refresh_from_db()


def load(sender, **kwargs) -> str:
    """Stations for every village, then the demo cases (once)."""
    _stations()
    if Case.objects.exists():
        return ""
    categories = {c.code: c for c in Category.objects.all()}
    made: list[Case] = []
    for number, (code, category, identity, text, states) in enumerate(CASES):
        village = AdminUnit.objects.get(code=code)
        project = Project.objects.filter(village=village).order_by("pk").first()
        eid = code_of_pk(Project, project.pk) if project and category == "quality" else None
        contact = None if identity == "anonymous" else {"name": "王村民", "phone": "13800000000"}
        case = services.submit_report(
            client_uuid=uuid.UUID(int=number + 1),
            category=categories[category],
            text=text,
            identity=identity,
            village=village,
            subject=project if eid else None,
            subject_code=eid.code if eid else "",
            contact=contact,
            photos=[_photo()] if number == 0 else [],
        ).case
        merge_into = next(
            (c for c in made if c.village_id == village.pk and not c.is_resting), None
        )
        _walk(case, states, merge_into)
        if case.state == State.CLOSED:
            services.publish(
                case,
                public_text=text,
                outcome=case.outcome or "已核实并办结。",
                actor=None,
            )
        made.append(case)
    return f"  {'supervision':<22} {Station.objects.count()} stations, {len(made)} cases"


def name_heads(sender, users: list[User], **kwargs) -> None:
    """The demo's village supervisor heads the stations of the villages it covers."""
    for user in users:
        if not user.groups.filter(name=Role.SUPERVISOR).exists():
            continue
        for station in Station.objects.filter(village__in=user.profile.units.all()):
            if station.head_id != user.pk:
                station.head = user
                services.save_station(station, actor=None)
