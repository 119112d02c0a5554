"""Planted project cases for the demo: projects that trip W05, W08, W09 and W11, and near misses
that must not, added to the demo's own projects (which already show W05, W06 and W07).

Each project goes through the enforced procedure with actor=None, as `demo.loader` does, except
the records "entered before the enforced procedure" for W11, which are saved as an import saves
them (`registry.services.save_record`). Dates count back from the day the demo is loaded, so the
stalled works (W08) and the township's last twelve months (W09) look the same whenever that is.

Places are a few hundred metres from the villages' own projects, so the planted cases meet only
each other; none becomes the first project of a demo login's village (东岙村) or the first
project under construction, which other tests pick. A stage dated before the stage ahead of it
(W11) cannot be saved through any service (`Project.clean` refuses it) and is not planted.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone

from demo.loader import attach_document
from fieldapp.receivers import inspect_demo_projects
from projects import procedure
from projects import services as project_services
from projects.models import Deliberation, Disclosure, Project, Stage
from qr.services import issue_code
from registry import services as registry_services
from registry.models import AdminUnit

GUIDANCE_AGENCY = "温州华信工程咨询有限公司"
VOTES = {
    Deliberation.Step.PROPOSAL: {"entitled": 7, "present": 7},
    Deliberation.Step.JOINT: {"entitled": 12, "present": 11},
    Deliberation.Step.PARTY: {
        "entitled": 60,
        "present": 52,
        "votes_for": 47,
        "votes_against": 3,
        "votes_abstain": 2,
    },
    Deliberation.Step.RESOLUTION: {
        "entitled": 45,
        "present": 40,
        "votes_for": 36,
        "votes_against": 2,
        "votes_abstain": 2,
    },
}


@dataclass(frozen=True)
class Planted:
    """A project walked through the procedure to its contract (and to construction when
    `started_days_ago` is given); its contract is signed `signed_days_ago`."""

    name: str
    village: str  # division code
    lon: float
    lat: float
    category: str
    budget: int
    contract: int
    contractor: str
    signed_days_ago: int
    started_days_ago: int | None = None
    inspected_days_ago: int | None = None


# W05: 120,000 + 80,000 = 200,000 yuan by one contractor in 高岙村, 550 m apart: red.
W05_CONTRACTOR = (
    Planted(
        "高岙村污水管网延伸工程",
        "330381101206",
        120.4960,
        27.7480,
        "sewage",
        125000,
        120000,
        "瑞安市恒达建设有限公司",
        70,
    ),
    Planted(
        "高岙村村委会办公楼维修工程",
        "330381101206",
        120.5010,
        27.7400,
        "building",
        82000,
        80000,
        "瑞安市恒达建设有限公司",
        25,
    ),
)
# W05: two works of 湖岭村 160 m apart, by two contractors, 205,000 yuan together: yellow.
W05_NEAR = (
    Planted(
        "湖岭村溪滩路拓宽工程",
        "330381103201",
        120.3860,
        27.7160,
        "road",
        115000,
        110000,
        "瑞安市丰源市政工程有限公司",
        60,
    ),
    Planted(
        "湖岭村溪滩路污水管铺设工程",
        "330381103201",
        120.3875,
        27.7165,
        "sewage",
        98000,
        95000,
        "瑞安市清源环境工程有限公司",
        30,
    ),
)
# Near miss of W05: one contractor, 99,999 + 100,000 = 199,999 yuan, under the threshold.
# Also a near miss of W09: two awards, more than half of 桐浦镇's works, but not three.
W05_UNDER = (
    Planted(
        "岩头村机耕路修复工程",
        "330381105203",
        120.5700,
        27.8420,
        "road",
        105000,
        99999,
        "瑞安市永安建设有限公司",
        50,
    ),
    Planted(
        "岩头村生活污水终端维修",
        "330381105203",
        120.5640,
        27.8400,
        "sewage",
        100000,
        100000,
        "瑞安市永安建设有限公司",
        20,
    ),
)
# Near miss of W05: 210,000 yuan together, but 350 m apart, of two contractors and two types.
W05_APART = (
    Planted(
        "平阳坑村村口道路改造",
        "330381106201",
        120.4480,
        27.6930,
        "road",
        115000,
        110000,
        "瑞安市通达路桥工程有限公司",
        45,
    ),
    Planted(
        "平阳坑村老年活动中心修缮",
        "330381106201",
        120.451551,
        27.6930,
        "building",
        105000,
        100000,
        "瑞安市安居建筑工程有限公司",
        15,
    ),
)
# W08: under construction, untouched for 100 days (red) and 45 days (yellow); near misses:
# started 20 days ago, and started 60 days ago but inspected 3 days ago.
W08_STALLED = (
    Planted(
        "陈岙村河道护栏安装工程",
        "330381100210",
        120.6930,
        27.8650,
        "other",
        48000,
        45000,
        "瑞安市兴业建设有限公司",
        102,
        started_days_ago=100,
    ),
    Planted(
        "上埠村路灯安装工程",
        "330381004202",
        120.6950,
        27.7850,
        "other",
        40000,
        38000,
        "瑞安市宏远建设有限公司",
        47,
        started_days_ago=45,
    ),
)
W08_MOVING = (
    Planted(
        "湖岭村垃圾分类亭建设",
        "330381103201",
        120.3985,
        27.7215,
        "other",
        45000,
        42000,
        "瑞安市华建建设有限公司",
        22,
        started_days_ago=20,
    ),
    Planted(
        "镇东村公交候车亭建设",
        "330381100215",
        120.7000,
        27.8500,
        "other",
        38000,
        36000,
        "瑞安市建工建设有限公司",
        62,
        started_days_ago=60,
        inspected_days_ago=3,
    ),
)
# W09: one contractor's three awards in three villages of 曹村镇, 510,000 yuan, more than half
# of the township's small works of the last twelve months (yellow).
W09_CONCENTRATED = (
    Planted(
        "南堡村耕读文化长廊建设工程",
        "330381102203",
        120.5120,
        27.8960,
        "culture",
        185000,
        180000,
        "瑞安市聚力建设工程有限公司",
        80,
    ),
    Planted(
        "许岙村环村道路硬化工程",
        "330381102202",
        120.5280,
        27.9080,
        "road",
        175000,
        170000,
        "瑞安市聚力建设工程有限公司",
        50,
    ),
    Planted(
        "曹东村山塘水库清淤工程",
        "330381102204",
        120.5300,
        27.8990,
        "water",
        165000,
        160000,
        "瑞安市聚力建设工程有限公司",
        20,
    ),
)


@dataclass(frozen=True)
class Legacy:
    """A settled project entered before the enforced procedure, its stages `days_ago` in
    procedure order, its contract signed `signed_days_ago`; with a resolution held
    `resolved_days_ago` and made public `disclosed_days_ago` when those are given."""

    name: str
    village: str
    lon: float
    lat: float
    category: str
    amount: int
    contractor: str
    days_ago: tuple[int, int, int, int, int, int]
    signed_days_ago: int
    resolved_days_ago: int | None = None
    disclosed_days_ago: int | None = None


W11_OUT_OF_ORDER = (
    # The contract signed 5 days before the guidance price.
    Legacy(
        "上埠村便民服务点装修工程",
        "330381004202",
        120.6990,
        27.7830,
        "other",
        50000,
        "瑞安市立信装饰工程有限公司",
        (1100, 1080, 1070, 1060, 1000, 980),
        1085,
    ),
    # The resolution made public 5 days before it was passed.
    Legacy(
        "上埠村村内道路修补工程",
        "330381004202",
        120.6920,
        27.7960,
        "road",
        60000,
        "瑞安市路达市政工程有限公司",
        (1200, 1180, 1170, 1160, 1100, 1080),
        1165,
        resolved_days_ago=1190,
        disclosed_days_ago=1195,
    ),
)
# Near miss of W11: contract signed on the day of the guidance price, the resolution made
# public on the day it was passed.
W11_IN_ORDER = (
    Legacy(
        "白岩桥村公共绿地护栏工程",
        "330381001201",
        120.6280,
        27.7700,
        "other",
        40000,
        "瑞安市园林绿化工程有限公司",
        (1000, 980, 970, 960, 900, 880),
        980,
        resolved_days_ago=990,
        disclosed_days_ago=990,
    ),
)

# What the demo's warnings must show (names of the planted projects, by rule) and must not.
PLANTED = {
    "W05": [p.name for p in W05_CONTRACTOR + W05_NEAR],
    "W08": [p.name for p in W08_STALLED],
    "W09": [p.name for p in W09_CONCENTRATED],
    "W11": [p.name for p in W11_OUT_OF_ORDER],
}
NEAR_MISSES = {
    "W05": [p.name for p in W05_UNDER + W05_APART],
    "W08": [p.name for p in W08_MOVING],
    "W09": [p.name for p in W05_UNDER + W05_CONTRACTOR],
    "W11": [p.name for p in W11_IN_ORDER],
}


def _walk(spec: Planted, today: dt.date) -> Project:
    """Through the procedure to the contract, and on to construction if the spec says so."""
    signed = today - dt.timedelta(days=spec.signed_days_ago)
    proposed = signed - dt.timedelta(days=12)

    def day(n: int) -> dt.date:
        return proposed + dt.timedelta(days=n)

    project = project_services.create_project(
        actor=None,
        name=spec.name,
        village=AdminUnit.objects.get(code=spec.village),
        location=Point(spec.lon, spec.lat, srid=4326),
        category=spec.category,
        description="清廉村社预警演示项目。",
        proposed_on=proposed,
    )
    for n, step in enumerate(Deliberation.Step, start=1):
        procedure.record_deliberation(
            project,
            actor=None,
            step=step,
            held_on=day(n),
            summary="会议研究同意实施。",
            **VOTES.get(step, {}),
        )
    procedure.record_disclosure(
        project,
        actor=None,
        kind=Disclosure.Kind.RESOLUTION,
        published_on=day(6),
        place="村务公开栏",
    )
    procedure.advance(project, actor=None, to=Stage.BUDGET, on=day(7))
    procedure.set_guidance_price(
        project, actor=None, budget_price=Decimal(spec.budget), guidance_agency=GUIDANCE_AGENCY
    )
    attach_document(
        project, actor=None, kind="guidance", title="工程预算指导价审核报告", issued_on=day(7)
    )
    procedure.advance(project, actor=None, to=Stage.CONTRACTING, on=day(10))
    procedure.record_contract(
        project,
        actor=None,
        contracting_method=Project.Method.COMPARISON,
        contractor=spec.contractor,
        contract_amount=Decimal(spec.contract),
        contract_signed_on=signed,
    )
    attach_document(project, actor=None, kind="contract", title="施工合同", issued_on=signed)
    if spec.started_days_ago is not None:
        started = today - dt.timedelta(days=spec.started_days_ago)
        procedure.advance(project, actor=None, to=Stage.CONSTRUCTION, on=started)
    if spec.inspected_days_ago is not None:
        inspected = today - dt.timedelta(days=spec.inspected_days_ago)
        inspect_demo_projects(None, projects=[(Project.objects.get(pk=project.pk), inspected)])
    return project


def _enter(spec: Legacy, today: dt.date) -> Project:
    """Saved whole, as an import saves it, with its resolution and disclosure if any."""
    ago = [today - dt.timedelta(days=n) for n in spec.days_ago]
    project = registry_services.create(
        Project,
        actor=None,
        name=spec.name,
        village=AdminUnit.objects.get(code=spec.village),
        location=Point(spec.lon, spec.lat, srid=4326),
        category=spec.category,
        description="清廉村社预警演示项目（程序施行前补录）。",
        stage=Stage.SETTLEMENT,
        proposed_on=ago[0],
        budget_priced_on=ago[1],
        contracted_on=ago[2],
        construction_started_on=ago[3],
        accepted_on=ago[4],
        settled_on=ago[5],
        budget_price=Decimal(spec.amount),
        guidance_agency=GUIDANCE_AGENCY,
        contracting_method=Project.Method.COMPARISON,
        contractor=spec.contractor,
        contract_amount=Decimal(spec.amount),
        contract_signed_on=today - dt.timedelta(days=spec.signed_days_ago),
        settlement_amount=Decimal(spec.amount),
        audit_agency="瑞安市审计事务所",
        acceptance_passed=True,
        progress_percent=100,
        paid_amount=Decimal(spec.amount),
    )
    if spec.resolved_days_ago is not None:
        registry_services.create(
            Deliberation,
            actor=None,
            project=project,
            step=Deliberation.Step.RESOLUTION,
            held_on=today - dt.timedelta(days=spec.resolved_days_ago),
            summary="村民代表会议表决通过。",
            **VOTES[Deliberation.Step.RESOLUTION],
        )
    if spec.disclosed_days_ago is not None:
        registry_services.create(
            Disclosure,
            actor=None,
            project=project,
            kind=Disclosure.Kind.RESOLUTION,
            published_on=today - dt.timedelta(days=spec.disclosed_days_ago),
            place="村务公开栏",
        )
    return project


def plant() -> None:
    """Projects that trip W05, W08, W09 and W11, and near misses that must not, each with its
    electronic ID like every demo project. Does nothing if they are there already."""
    if Project.objects.filter(name=W05_CONTRACTOR[0].name).exists():
        return
    today = timezone.localdate()
    with transaction.atomic():
        walked = (
            W05_CONTRACTOR + W05_NEAR + W05_UNDER + W05_APART + W08_STALLED + W08_MOVING
        ) + W09_CONCENTRATED
        projects = [_walk(spec, today) for spec in walked]
        projects += [_enter(spec, today) for spec in W11_OUT_OF_ORDER + W11_IN_ORDER]
        for project in projects:
            issue_code(project, actor=None)
