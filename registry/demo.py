"""The Rui'an demo data set: the places, assets, projects, leases and sites named in the seed.

Everything comes from the tables below and one seeded `random.Random`, anchored at DEMO_TODAY,
so every load gives the same records. All writes go through `registry.services` with
actor=None, so the demo records carry their whole history in the public event log.
"""

import datetime as dt
import functools
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point, Polygon, WKTWriter
from django.core.files.uploadedfile import SimpleUploadedFile

from gis.crs import MU_IN_M2
from registry import procedure, services
from registry.models import (
    AdminUnit,
    Asset,
    Cooperative,
    Deliberation,
    Disclosure,
    Event,
    Lease,
    LeasePayment,
    Profile,
    Project,
    Route,
    Site,
    Stage,
)
from registry.models.leases import add_months
from registry.models.projects import STAGE_DATE_FIELDS
from registry.scoping import Role
from registry.signals import demo_inspections_wanted

DEMO_TODAY = dt.date(2026, 11, 1)
SEED = 330381
CITY = ("330381", "瑞安市")

# ---------------------------------------------------------------------------------------------
# Places. Coordinates are (longitude, latitude), approximate.
# ---------------------------------------------------------------------------------------------

# Rui'an's mainland, clockwise from the north-west; the coast is the eastern edge.
MAINLAND_OUTLINE = [
    (120.30, 27.90), (120.36, 27.95), (120.44, 27.97), (120.52, 27.98), (120.58, 27.96),
    (120.63, 27.94), (120.68, 27.95), (120.72, 27.93), (120.75, 27.89), (120.74, 27.85),
    (120.77, 27.81), (120.75, 27.78), (120.76, 27.74), (120.72, 27.70), (120.66, 27.70),
    (120.60, 27.68), (120.54, 27.66), (120.49, 27.62), (120.44, 27.58), (120.38, 27.60),
    (120.33, 27.63), (120.28, 27.66), (120.25, 27.71), (120.27, 27.77), (120.26, 27.83),
    (120.28, 27.87),
]  # fmt: skip

# code, name, centre, radius (m) of the ring of extra Voronoi seeds around its villages
TOWNSHIPS = [
    ("330381001", "安阳街道", (120.635, 27.78), 1800),
    ("330381004", "东山街道", (120.69, 27.785), 1800),
    ("330381100", "塘下镇", (120.69, 27.86), 3000),
    ("330381101", "马屿镇", (120.49, 27.76), 2500),
    ("330381102", "曹村镇", (120.52, 27.905), 3500),
    ("330381103", "湖岭镇", (120.38, 27.72), 2500),
    ("330381105", "桐浦镇", (120.57, 27.84), 2500),
    ("330381106", "平阳坑镇", (120.42, 27.67), 2500),
    ("330381200", "北麂乡", (121.18, 27.62), 1200),
]
ISLAND_TOWNSHIP = "330381200"
# The Beiji islands: centre, semi-axes (m), rotation (degrees)
BEIJI_ISLANDS = [
    ((121.182, 27.622), 1700, 900, 25),
    ((121.150, 27.641), 600, 350, -10),
    ((121.216, 27.604), 500, 300, 40),
    ((121.125, 27.600), 380, 250, 0),
    ((121.236, 27.640), 320, 220, 60),
]

# code, name, seed point, profile (which assets it has, see PROFILES)
VILLAGES = [
    ("330381001201", "白岩桥村", (120.625, 27.775), "baiyanqiao"),
    ("330381004202", "上埠村", (120.695, 27.79), "town"),
    ("330381100210", "陈岙村", (120.675, 27.875), "industrial"),
    ("330381100215", "镇东村", (120.705, 27.855), "industrial"),
    ("330381101206", "高岙村", (120.50, 27.745), "rural"),
    ("330381102201", "东岙村", (120.505, 27.915), "rural"),
    ("330381102202", "许岙村", (120.535, 27.922), "rural"),
    ("330381102203", "南堡村", (120.515, 27.895), "rural"),
    ("330381102204", "曹东村", (120.535, 27.905), "rural"),
    ("330381103201", "湖岭村", (120.385, 27.718), "rural"),
    ("330381105203", "岩头村", (120.565, 27.845), "rural"),
    ("330381106201", "平阳坑村", (120.425, 27.672), "rural"),
    ("330381200201", "北麂村", (121.182, 27.622), "island"),
]

# ---------------------------------------------------------------------------------------------
# Assets
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """How one sort of asset is named, sized and mapped.

    Names: "{v}" is the village, "{n}" a serial, "{field}"/"{hill}"/"{bridge}" a place word.
    A name without a placeholder is used once; the others repeat.
    """

    kind: str
    use: str
    names: tuple[str, ...]
    size: tuple[float, float]  # buildings: side in m; parcels: area in mu
    floors: tuple[int, int] = (1, 1)
    point_share: float = 0.0  # buildings only: share mapped as a point
    built: tuple[int, int] = (1990, 2021)  # before any of the demo leases of buildings


B, P, F = Asset.Kind.BUILDING, Asset.Kind.PARCEL, Asset.Kind.FACILITY
TEMPLATES = {
    "shop": Template(B, "shop", ("{v}临街店面{n}号", "{v}沿街商铺{n}号", "{v}综合楼店面{n}号"),
                     (8, 14), (1, 2), 0.25, (1995, 2020)),
    "factory": Template(B, "factory", ("{v}标准厂房{n}号", "{v}工业园区{n}号厂房"),
                        (20, 40), (2, 5), 0.0, (2003, 2021)),
    "market": Template(B, "market", ("{v}农贸市场", "{v}综合市场{n}号"), (35, 40), (2, 2)),
    "office": Template(B, "office", ("{v}村委办公楼", "{v}老村部办公楼"), (12, 25), (2, 4)),
    "hall": Template(B, "hall", ("{v}文化礼堂", "{v}居家养老服务中心", "{v}老年活动中心"),
                     (15, 30), (1, 2)),
    "warehouse": Template(B, "warehouse", ("{v}老粮站仓库", "{v}农资仓库", "{v}集体仓库{n}号"),
                          (10, 30), (1, 1), 0.0, (1978, 2015)),
    "island_warehouse": Template(B, "warehouse", ("{v}渔需物资仓库", "{v}冷库", "{v}网具仓库{n}号"),
                                 (10, 24), (1, 2), 0.0, (1985, 2018)),
    "public_building": Template(B, "public_facility",
                                ("{v}便民服务中心", "{v}卫生服务站", "{v}公共厕所{n}号"),
                                (8, 15), (1, 1), 0.3, (2005, 2023)),
    "other_building": Template(B, "other", ("{v}老村校旧址", "{v}集体用房{n}号"), (8, 20), (1, 3),
                               0.3, (1975, 2010)),
    "farmland": Template(P, "farmland", ("{v}{field}水田", "{v}{field}旱地", "{v}耕地{n}号地块"),
                         (1.5, 30)),
    "forest": Template(P, "forest", ("{v}后山林地", "{v}{hill}山林", "{v}集体林地{n}号"), (5, 30)),
    "water": Template(P, "water", ("{v}山塘", "{v}鱼塘{n}号"), (0.5, 12)),
    "sea_pond": Template(P, "water", ("{v}海水养殖塘{n}号",), (0.5, 8)),
    "construction": Template(P, "construction", ("{v}集体建设用地{n}号", "{v}村级留用地{n}号"),
                             (0.3, 8)),
    "other_land": Template(P, "other", ("{v}荒坡地", "{v}废弃砖窑地块", "{v}边角地{n}号"),
                           (0.3, 5)),
    "facility": Template(F, "", ("{v}自来水加压站", "{v}污水处理终端", "{v}灌溉机埠",
                                 "{v}{bridge}桥", "{v}光伏发电站", "{v}垃圾分类收集点{n}号"),
                         (0, 0), built=(1998, 2024)),
    "island_facility": Template(F, "", ("{v}渔港码头", "{v}海水淡化站", "{v}避风塘堤坝",
                                        "{v}公共停泊点{n}号"), (0, 0), built=(1995, 2022)),
}  # fmt: skip
PLACE_WORDS = {
    "field": ["前洋", "后垟", "塘下垟", "溪边", "东垟", "西垟", "上垟", "下垟", "大垟", "岭脚",
              "桥头", "湾底", "长垟", "田心"],
    "hill": ["狮子岩", "鸡冠山", "青龙山", "牛头岗", "仙岩", "笔架山"],
    "bridge": ["永安", "太平", "通济", "万福", "聚星", "登云"],
}  # fmt: skip

# How many of each template a village of a profile has.
PROFILES = {
    "baiyanqiao": {"shop": 29, "factory": 11, "market": 1, "office": 1, "hall": 1, "warehouse": 2,
                   "public_building": 2, "other_building": 2, "construction": 4, "farmland": 2,
                   "water": 1, "facility": 6},
    "town": {"shop": 8, "factory": 3, "market": 1, "office": 1, "hall": 1, "warehouse": 2,
             "public_building": 2, "other_building": 1, "construction": 3, "farmland": 2,
             "water": 1, "facility": 3},
    "industrial": {"shop": 4, "factory": 6, "office": 1, "hall": 1, "warehouse": 2,
                   "public_building": 1, "other_building": 1, "construction": 3, "farmland": 4,
                   "water": 1, "facility": 2},
    "rural": {"shop": 2, "factory": 1, "office": 1, "hall": 1, "warehouse": 2,
              "public_building": 1, "other_building": 1, "farmland": 7, "forest": 3, "water": 1,
              "construction": 1, "other_land": 1, "facility": 3},
    "island": {"shop": 1, "office": 1, "hall": 1, "island_warehouse": 3, "public_building": 1,
               "construction": 1, "sea_pond": 2, "forest": 2, "other_land": 1,
               "island_facility": 4},
}  # fmt: skip
# Facilities that are named landmarks (the pavilions renamed in the seed); sites stand on them.
LANDMARKS = {"东岙村": ["东岙村守正亭"], "南堡村": ["南堡村清廉阁"]}

# Which assets are leased out now, per village (the first N of each template).
LEASED = {
    "白岩桥村": {"shop": 29, "factory": 11, "market": 1},
    "上埠村": {"shop": 3, "factory": 1, "market": 1},
    "陈岙村": {"factory": 2, "farmland": 1},
    "镇东村": {"factory": 1, "shop": 1, "farmland": 1},
    "东岙村": {"farmland": 1, "forest": 1},
    "许岙村": {"shop": 1, "farmland": 1},
    "南堡村": {"farmland": 1},
    "曹东村": {"water": 1},
    "高岙村": {"warehouse": 1, "farmland": 1},
    "湖岭村": {"shop": 1},
    "岩头村": {"forest": 1},
    "平阳坑村": {"farmland": 1},
    "北麂村": {"island_warehouse": 1, "sea_pond": 1},
}
# Leases in arrears on DEMO_TODAY: village -> how many (its first building leases).
ARREARS = {"白岩桥村": 2, "上埠村": 2, "镇东村": 1, "高岙村": 1}
# Idle assets whose last lease has run out: (village, template).
EXPIRED = [("东岙村", "shop"), ("上埠村", "shop")]
# Assets retired (demolished or handed over): (village, template), the first unleased one.
RETIRED = [
    ("许岙村", "warehouse"),
    ("南堡村", "warehouse"),
    ("高岙村", "other_building"),
    ("湖岭村", "other_building"),
    ("上埠村", "other_building"),
]
# Yuan a year per m² of floor area ("m2") or per mu of land ("mu").
RENT_RATES = {
    "shop": (250, 600, "m2"),
    "factory": (120, 200, "m2"),
    "market": (150, 250, "m2"),
    "warehouse": (80, 150, "m2"),
    "island_warehouse": (80, 150, "m2"),
    "farmland": (800, 1500, "mu"),
    "forest": (60, 150, "mu"),
    "water": (1000, 2000, "mu"),
    "sea_pond": (1200, 2500, "mu"),
}
BAIYANQIAO_RENT_RATES = {"shop": (800, 1300), "factory": (220, 320), "market": (500, 700)}
BAIYANQIAO_RENT_TARGET = Decimal("17300000")  # "每年出租资产高达1700余万元"
OVERLONG_LEASE = {
    "start_on": dt.date(2012, 3, 1),
    "end_on": dt.date(2042, 3, 1),
    "annual_rent": Decimal("36000"),
    "deposit": Decimal("10000"),
    "awarded_by": Lease.Award.NEGOTIATION,
}

SURNAMES = "陈林黄张王李周吴郑蔡潘叶杨金胡孙池薛许戴曹庄董徐余"
GIVEN_FIRST = "建志国海小晓丽秀永伟俊德成文雪美家明立爱"
GIVEN_SECOND = "华平东芳军强英敏忠斌勇红琴峰杰燕林明辉静"
FIRM_WORDS = [
    *("鑫源", "宏达", "飞云", "安泰", "恒盛", "华瑞", "天和", "正通", "东升", "万顺"),
    *("嘉诚", "利民", "永兴", "隆发", "瑞丰", "金瓯", "玉海", "聚丰", "兴业", "汇通"),
]
FIRM_TRADES = {
    "shop": ["商贸", "餐饮管理", "超市", "服饰", "通讯器材", "医药连锁"],
    "factory": ["汽车配件", "鞋业", "机械", "包装", "塑料制品", "电器", "阀门"],
    "warehouse": ["物流", "仓储服务"],
    "island_warehouse": ["水产冷链", "渔业物资"],
}

# ---------------------------------------------------------------------------------------------
# Projects
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectRow:
    """`amount`: the contract amount, or the budget guidance price before contracting
    (only an estimate at the proposal stage)."""

    village: str
    name: str
    category: str
    stage: str
    amount: int
    contractor: str = ""
    days_ago: int | None = None  # when the current stage was reached; random when None


# The six "electronic ID card" pilot projects in Caocun: 651,400 yuan in all.
PILOT_PROJECTS = [
    ProjectRow("东岙村", "道路硬化工程", "road", Stage.SETTLEMENT, 128_600),
    ProjectRow("东岙村", "水渠修缮工程", "water", Stage.ACCEPTANCE, 96_800),
    ProjectRow("许岙村", "文化礼堂修缮工程", "building", Stage.CONSTRUCTION, 152_300),
    ProjectRow("许岙村", "南拳馆外立面改造", "culture", Stage.CONTRACTING, 87_500),
    ProjectRow("南堡村", "污水管网改造", "sewage", Stage.CONSTRUCTION, 118_900),
    ProjectRow("曹东村", "生态停车场建设", "landscape", Stage.BUDGET, 67_300),
]
PILOT_TOTAL = 651_400
SPLIT_CONTRACTOR = "瑞安市正通路桥工程有限公司"
OTHER_PROJECTS = [
    ProjectRow("白岩桥村", "农贸市场雨棚改造工程", "building", Stage.SETTLEMENT, 168_500),
    ProjectRow("白岩桥村", "消防通道整治工程", "road", Stage.CONSTRUCTION, 74_200),
    ProjectRow("白岩桥村", "老旧小区雨污分流改造", "sewage", Stage.CONTRACTING, 196_800),
    ProjectRow("上埠村", "沿河游步道建设", "landscape", Stage.ACCEPTANCE, 135_600),
    ProjectRow("上埠村", "公共厕所提升改造", "sewage", Stage.SETTLEMENT, 58_900),
    ProjectRow("高岙村", "监察工作联络站阵地建设", "culture", Stage.SETTLEMENT, 42_800),
    ProjectRow("高岙村", "机耕路硬化工程", "road", Stage.CONSTRUCTION, 143_500),
    ProjectRow("高岙村", "山塘清淤加固工程", "water", Stage.PROPOSAL, 88_000),
    ProjectRow("陈岙村", "“清廉陈岙”三务公开栏建设", "culture", Stage.SETTLEMENT, 36_500),
    ProjectRow("陈岙村", "村道白改黑工程", "road", Stage.ACCEPTANCE, 189_000),
    ProjectRow("陈岙村", "绿化提升工程", "landscape", Stage.BUDGET, 96_000),
    # One road cut in two to stay under the 200,000-yuan threshold (a classic abuse).
    ProjectRow("镇东村", "工业区道路硬化工程（一期）", "road", Stage.CONSTRUCTION, 186_000,
               SPLIT_CONTRACTOR, 40),
    ProjectRow("镇东村", "工业区道路硬化工程（二期）", "road", Stage.CONSTRUCTION, 178_500,
               SPLIT_CONTRACTOR, 36),
    ProjectRow("镇东村", "污水零直排改造", "sewage", Stage.SETTLEMENT, 152_000),
    ProjectRow("湖岭村", "孝廉侨乡基地展陈提升", "culture", Stage.ACCEPTANCE, 118_000),
    ProjectRow("湖岭村", "溪滩堤防修复工程", "water", Stage.CONSTRUCTION, 164_000),
    ProjectRow("岩头村", "文化礼堂屋面维修", "building", Stage.SETTLEMENT, 63_800),
    ProjectRow("岩头村", "村口公园建设", "landscape", Stage.CONTRACTING, 132_000),
    ProjectRow("岩头村", "山塘引水管道更换", "water", Stage.PROPOSAL, 45_000),
    ProjectRow("平阳坑村", "蓝夹缬展示馆修缮", "culture", Stage.CONSTRUCTION, 126_000),
    ProjectRow("平阳坑村", "河道护岸修复工程", "water", Stage.BUDGET, 158_000),
    ProjectRow("北麂村", "渔港码头护栏修复", "other", Stage.SETTLEMENT, 71_500),
    ProjectRow("北麂村", "鱼拓廉政馆周边环境整治", "landscape", Stage.ACCEPTANCE, 96_300),
    ProjectRow("北麂村", "海水淡化站管网维修", "water", Stage.CONTRACTING, 112_000),
]  # fmt: skip
CONTRACTORS = [
    "瑞安市鑫诚建设有限公司", "瑞安市宏达市政工程有限公司", "瑞安市飞云建筑工程有限公司",
    "瑞安市安泰建设有限公司", "瑞安市恒盛园林绿化有限公司", "瑞安市华瑞水利建设有限公司",
    "瑞安市东升建筑装饰工程有限公司", "浙江瑞城建设有限公司", "瑞安市万顺管道工程有限公司",
]  # fmt: skip
CATEGORY_TEXT = {
    "road": "对村内道路进行水泥混凝土硬化并完善排水边沟，方便村民出行。",
    "water": "修缮灌溉水渠和护岸，保障农田灌溉和汛期排水安全。",
    "sewage": "改造生活污水收集管网，实现雨污分流、污水零直排。",
    "building": "对村集体用房进行屋面、墙体和水电维修，消除安全隐患。",
    "landscape": "整治村庄环境，建设绿化景观和休闲设施。",
    "culture": "提升村级文化阵地，融入清廉文化元素。",
    "other": "村级公共设施维修项目。",
}
PILOT_TEXT = "曹村镇村级小额工程“电子身份证”监管试点项目，群众扫码即可查看工程全过程信息。"
# Days from each stage to the next: proposal->budget, ..., acceptance->settlement
STAGE_GAPS = [(10, 30), (14, 35), (5, 20), (45, 150), (20, 75)]

# ---------------------------------------------------------------------------------------------
# Education bases, culture sites and routes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteRow:
    kind: str
    name: str
    unit: str
    address: str
    story: str
    at: str = ""  # the unit whose area holds the point, when not `unit`; or a landmark asset
    hours: str = ""


HOURS = {
    Site.Kind.FAMILY_HALL: "周二至周日 9:00–17:00，周一闭馆",
    Site.Kind.EDUCATION_BASE: "周二至周日 8:30–16:30，周一闭馆；团体参观请提前预约",
    Site.Kind.CULTURE_SITE: "每日 8:00–17:30",
    Site.Kind.PAVILION: "全天开放",
}
H, E, C, PV = (
    Site.Kind.FAMILY_HALL,
    Site.Kind.EDUCATION_BASE,
    Site.Kind.CULTURE_SITE,
    Site.Kind.PAVILION,
)
SITES = [
    SiteRow(H, "曹村镇家风家训馆", "曹村镇", "瑞安市曹村镇曹村大街56号",
            "馆内收集整理了曹村镇各姓氏宗谱中的家训家规，以“中华进士第一村”历代进士的清廉故事为主线。"
            "展馆设有家训诵读区和廉政书画区，是全镇党员干部开展家风教育的固定阵地。"),
    SiteRow(H, "东岙村家风家训馆", "东岙村", "瑞安市曹村镇东岙村文化礼堂东侧",
            "由东岙村旧祠堂改建，展陈东岙各姓先贤的家训格言和村里评选出的“清廉家庭”事迹。"
            "一面展墙介绍村里“三资”智慧监管平台：一笔2000元的支出扫码报账，10分钟就走完审批流程。"),
    SiteRow(H, "许岙村家风家训馆", "许岙村", "瑞安市曹村镇许岙村南拳路8号",
            "与许岙南拳文化园相邻，以“习武先修德”为主题，讲述南拳传人重义守正、扶危济困的家风故事。"
            "馆内陈列许氏家训和南拳拳谱，节假日常有南拳表演。"),
    SiteRow(H, "南堡村家风家训馆", "南堡村", "瑞安市曹村镇南堡村耕读路12号",
            "以“耕读传家久，诗书继世长”为主线，展示南堡耕读世家的家规家训和清廉乡贤事迹。"
            "馆内设有家训书写体验区，常年接待中小学生研学。"),
    SiteRow(H, "高岙村家风家训馆", "高岙村", "瑞安市马屿镇高岙村办公楼一楼",
            "展示高岙村的村规民约、家风家训和村监察员履职故事。"
            "展馆与高岙村监察工作联络站毗邻，村民议事、监督都在这里。"),
    SiteRow(H, "陈岙村家风家训馆", "陈岙村", "瑞安市塘下镇陈岙村陈岙路88号",
            "展示陈岙村好家风、好家训评选成果。"
            "馆外的公开栏与“清廉陈岙”微信公众号同步，每月更新党务、村务、财务清单，村民扫码即可查看。"),
    SiteRow(H, "上埠村家风家训馆", "上埠村", "瑞安市东山街道上埠村文化礼堂二楼",
            "收录上埠各姓家训五十余条。"
            "展馆以村集体资产出租规范化管理为例，讲述租金评估、分类公开招租让集体资产保值增值的故事。"),
    SiteRow(E, "北麂乡鱼拓廉政馆", "北麂乡", "瑞安市北麂乡北麂村渔港路6号",
            "北麂乡以鱼喻廉，用传统鱼拓技艺拓印“清”“廉”主题作品，打造了这座鱼拓廉政馆。"
            "馆内展出渔民鱼拓作品百余幅，讲述海岛干部清白做人、干净做事的故事。"
            "廉政馆年均接待参观者2000余人次，是海岛清廉文化的一张名片。",
            at="北麂村", hours="周二至周日 8:30–16:00（随客船班次调整），周一闭馆"),
    SiteRow(E, "湖岭镇孝廉侨乡基地", "湖岭镇", "瑞安市湖岭镇湖岭村侨乡路20号",
            "湖岭是瑞安的侨乡，基地把华侨爱国爱家精神与“孝文化”治村理念相融合。"
            "展厅讲述旅外侨胞捐资助学、回报桑梓的故事，也介绍湖岭村级财务“去现金化”改革的做法。",
            at="湖岭村"),
    SiteRow(E, "平阳坑镇文化礼堂", "平阳坑镇", "瑞安市平阳坑镇平阳坑村老街1号",
            "文化礼堂融入“廉”元素，让蓝夹缬、木活字印刷等非物质文化遗产披上了“廉”外衣。"
            "游客可以观摩老师傅用木活字排印廉政格言，亲手体验蓝夹缬印染“清白”图案。",
            at="平阳坑村"),
    SiteRow(E, "曹村进士文化清廉教育基地", "曹东村", "瑞安市曹村镇曹东村进士路18号",
            "曹村素有“中华进士第一村”之称，历史上出过八十余名进士。"
            "基地梳理历代曹村进士为官清正、勤政爱民的事迹，提炼地域文化中的“清廉因子”。"
            "这里是曹村镇全域清廉建设的核心展示点。"),
    SiteRow(E, "白岩桥村清廉村社教育基地", "白岩桥村", "瑞安市安阳街道白岩桥村委会三楼",
            "基地以白岩桥股份经济合作社集体房产租赁权公开竞拍为例，"
            "展示街道纪工委、清廉村社指导员、村监委会和村民代表全程监督的过程。"
            "白岩桥集体资产每年出租收益达1700余万元，“三公开”让每一笔租金都在阳光下运行。"),
    SiteRow(E, "马屿镇高岙村监察工作联络站", "高岙村", "瑞安市马屿镇高岙村办公楼门口",
            "4月17日，“高岙村监察工作联络站”在村办公楼门口挂牌，4名监察员联络员正式上岗。"
            "站内展示履职承诺书、任前廉政谈话和上岗培训内容，讲述“家门口的事在家门口解决”。"),
    SiteRow(E, "镇东村清廉教育基地", "镇东村", "瑞安市塘下镇镇东村镇东路15号",
            "展板讲述镇东村监察员接到群众举报，协助镇纪委查处一笔违规非生产性支出的经过。"
            "塘下镇村社监察员共收集线索32条，发现问题12起，督促整改12起。"),
    SiteRow(E, "桐浦镇村级廉政风险防控教育基地", "岩头村", "瑞安市桐浦镇岩头村岩头路3号",
            "基地围绕《村级权力廉政风险评估预警防范实施细则》，以村党支部书记、村委会主任、"
            "村报账员为重点，图解村级廉政风险点及防控措施。"
            "展厅还陈列《瑞安市村级小微权力清单36条》及其流程图。"),
    SiteRow(C, "许岙南拳文化园", "许岙村", "瑞安市曹村镇许岙村南拳路",
            "许岙村是瑞安南拳的传承地，文化园以“武德即廉德”为主题，"
            "把南拳“守中、正身”的要义与清廉修身相结合。"
            "园内有练武场、拳谱碑廊和清廉格言墙，周末常有村民习拳。"),
    SiteRow(C, "南堡耕读文化馆", "南堡村", "瑞安市曹村镇南堡村耕读路",
            "南堡村自古崇尚耕读传家，文化馆陈列传统农具、古籍和乡贤读书故事。"
            "展馆把“勤耕立业、读书明理”与清廉家风相结合，是孩子们研学的好去处。"),
    SiteRow(C, "曹东花灯文化馆", "曹东村", "瑞安市曹村镇曹东村花灯巷",
            "曹东花灯历史悠久，文化馆展出以“清风”“莲花”为题材的廉政主题花灯。"
            "每年元宵前后，村民扎花灯、巡游赏灯，把清廉文化送进千家万户。"),
    SiteRow(PV, "守正亭", "东岙村", "瑞安市曹村镇东岙村村口",
            "原是东岙村村口的休憩凉亭，改造后更名为“守正亭”。"
            "亭柱上刻着“水以清为贵，人以廉为尊”等廉政楹联，村民和游客歇脚时就能感受清廉文化。",
            at="东岙村守正亭"),
    SiteRow(PV, "清廉阁", "南堡村", "瑞安市曹村镇南堡村田园游步道旁",
            "由休憩凉亭改建的两层小阁，阁内展示《曹村镇全域清廉建设推进计划》和村规民约。"
            "登阁可远眺南堡田园，沿途墙绘和警示格言随处可见。",
            at="南堡村清廉阁"),
]  # fmt: skip

# name, unit, stops, order the stops by walking distance from the first?, description
ROUTES = [
    ("曹村清廉文化线路", "曹村镇",
     ["曹村进士文化清廉教育基地", "曹东花灯文化馆", "许岙南拳文化园", "南堡耕读文化馆", "清廉阁",
      "守正亭"], True,
     "从曹东村进士文化清廉教育基地出发，串起花灯、南拳、耕读文化和守正亭、清廉阁，"
     "步行加骑行约半天。"),
    ("瑞安清廉教育基地精品线路", "瑞安市",
     ["白岩桥村清廉村社教育基地", "桐浦镇村级廉政风险防控教育基地", "曹村进士文化清廉教育基地",
      "马屿镇高岙村监察工作联络站", "湖岭镇孝廉侨乡基地", "平阳坑镇文化礼堂"], False,
     "由城区出发，自东向西串联安阳、桐浦、曹村、马屿、湖岭、平阳坑六个乡镇街道的廉政教育基地，"
     "自驾一日游。"),
]  # fmt: skip

# ---------------------------------------------------------------------------------------------
# Demo logins: username, role (group), display name, admin unit codes on the profile
# ---------------------------------------------------------------------------------------------
DEMO_USERS = [
    ("city", Role.CITY, "市纪委市监委（演示）", ["330381"]),
    ("township", Role.TOWNSHIP, "曹村镇纪委（演示）", ["330381102"]),
    ("supervisor", Role.SUPERVISOR, "村监察员（演示）", ["330381102201", "330381102202"]),
    ("inspector", Role.INSPECTOR, "巡察检查员（演示）", ["330381102201", "330381102202"]),
    ("bookkeeper", Role.BOOKKEEPER, "村报账员（演示）", ["330381102201", "330381102202"]),
]

# =============================================================================================
# Geometry helpers
#
# Plain Python for the shapes and Django's GEOS for the rest, not shapely: once SpatiaLite has
# loaded the system GEOS into a process (as a test run does before calling this loader),
# shapely's bundled GEOS of another version gets the system one's symbols and misbehaves.
# =============================================================================================
M_PER_DEG_LAT = 110_860.0
Coords = list[tuple[float, float]]
_WKT7 = WKTWriter(precision=7)  # about 1 cm


def m_per_deg_lon(lat: float) -> float:
    return 111_320.0 * math.cos(math.radians(lat))


def offset(lon: float, lat: float, dx_m: float, dy_m: float) -> tuple[float, float]:
    return lon + dx_m / m_per_deg_lon(lat), lat + dy_m / M_PER_DEG_LAT


def point_at(lon: float, lat: float) -> Point:
    return Point(round(lon, 7), round(lat, 7), srid=4326)


def polygon_at(ring_m: Coords, lon: float, lat: float) -> Polygon:
    """A shape drawn in metres around (0, 0), placed at lon/lat."""
    ring = [point_at(*offset(lon, lat, x, y)).coords for x, y in ring_m]
    return Polygon([*ring, ring[0]], srid=4326)


def rotate(ring: Coords, degrees: float) -> Coords:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return [(x * c - y * s, x * s + y * c) for x, y in ring]


def edges(ring: Coords) -> list[tuple]:
    return list(zip(ring, ring[1:] + ring[:1], strict=True))


def ring_area(ring: Coords) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in edges(ring))) / 2


def blob_m(rng: random.Random, a: float, b: float, angle: float, vertices: int, jitter: float):
    """An irregular ellipse-like ring in metres; star-shaped around (0, 0), hence simple."""
    step = 2 * math.pi / vertices
    ring = []
    for i in range(vertices):
        t = (i + rng.uniform(-0.3, 0.3)) * step
        r = 1 + rng.uniform(-jitter, jitter)
        ring.append((a * r * math.cos(t), b * r * math.sin(t)))
    return rotate(ring, angle)


def parcel_m(rng: random.Random, area: float) -> Coords:
    """An irregular field or plot of `area` m², elongated and turned at random."""
    elongation = rng.uniform(1.0, 2.4)
    ring = blob_m(rng, 1, 1 / elongation, rng.uniform(0, 180), rng.randint(4, 8), 0.2)
    factor = math.sqrt(area / ring_area(ring))
    return [(x * factor, y * factor) for x, y in ring]


def rectangle_m(width: float, depth: float, angle: float) -> Coords:
    w, d = width / 2, depth / 2
    return rotate([(-w, -d), (w, -d), (w, d), (-w, d)], angle)


def polygons_of(geom: GEOSGeometry) -> list[Polygon]:
    if geom.geom_type == "Polygon":
        return [] if geom.empty else [geom]
    if geom.geom_type in ("MultiPolygon", "GeometryCollection"):
        return [p for part in geom for p in polygons_of(part)]
    return []


def as_multipolygon(geom: GEOSGeometry) -> MultiPolygon:
    """Coordinates to 7 decimals (about 1 cm), made valid, as a MultiPolygon."""
    geom = GEOSGeometry(_WKT7.write(geom).decode(), srid=4326).make_valid()
    result = MultiPolygon(polygons_of(geom), srid=4326)
    assert result.valid and not result.empty
    return result


def union(geoms: list[GEOSGeometry]) -> GEOSGeometry:
    return functools.reduce(lambda a, b: a.union(b), geoms)


def _clip_half_plane(ring: Coords, p: tuple, q: tuple) -> Coords:
    """The part of a convex ring nearer to p than to q (one Sutherland-Hodgman step)."""
    (px, py), (qx, qy) = p, q
    mx, my, nx, ny = (px + qx) / 2, (py + qy) / 2, qx - px, qy - py

    def side(pt):
        return (pt[0] - mx) * nx + (pt[1] - my) * ny  # <= 0: nearer to p

    out = []
    for a, b in edges(ring):
        sa, sb = side(a), side(b)
        if sa <= 0:
            out.append(a)
        if sa * sb < 0:
            t = sa / (sa - sb)
            out.append((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))
    return out


def voronoi_cells(seeds: Coords, region: GEOSGeometry) -> list[GEOSGeometry]:
    """The Voronoi cell of each seed (where it is the nearest seed), clipped to `region`."""
    x0, y0, x1, y1 = region.extent
    cells = []
    for p in seeds:
        ring = [(x0 - 1, y0 - 1), (x1 + 1, y0 - 1), (x1 + 1, y1 + 1), (x0 - 1, y1 + 1)]
        for q in seeds:
            if q != p:
                ring = _clip_half_plane(ring, p, q)
        cells.append(Polygon([*ring, ring[0]], srid=4326).intersection(region))
    return cells


@dataclass
class Area:
    """A unit's shape, where to put things in it, and what is already there."""

    unit: AdminUnit
    shape: GEOSGeometry
    seed: tuple[float, float]
    taken: list[GEOSGeometry] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.inner = self.shape.buffer(-0.0003).prepared  # ~30 m inside

    def put(self, rng: random.Random, spread_m: float, make) -> GEOSGeometry:
        """A shape from make(lon, lat) near the seed, inside the unit, clear of the others."""
        for attempt in range(400):
            spread = spread_m * (1 + attempt / 40)
            lon, lat = offset(*self.seed, rng.gauss(0, spread), rng.gauss(0, spread))
            shape = make(lon, lat)
            if self.inner.contains(shape) and not any(shape.intersects(t) for t in self.taken):
                self.taken.append(shape.buffer(0.00004))  # keep ~4 m apart
                return shape
        raise RuntimeError(f"No room left in {self.unit.name}.")


# =============================================================================================
# Generators
# =============================================================================================


def money(value: float, step: int = 100) -> Decimal:
    """Yuan, rounded to `step`."""
    return Decimal(round(value / step) * step)


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}"


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN_FIRST) + rng.choice(GIVEN_SECOND)
    return rng.choice(SURNAMES) + (given if rng.random() < 0.8 else given[1])


def random_date(rng: random.Random, first_year: int, last_year: int) -> dt.date:
    return dt.date(rng.randint(first_year, last_year), rng.randint(1, 12), rng.randint(1, 28))


CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code(rng: random.Random) -> str:
    """A well-formed (invented) unified social credit code of a village collective (N2...)."""
    body = "N2" + CITY[0] + "".join(rng.choice(CREDIT_CODE_CHARS[:10]) for _ in range(8)) + "X"
    total = sum(
        CREDIT_CODE_CHARS.index(c) * w for c, w in zip(body, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return body + CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def build_boundaries(rng: random.Random) -> dict[str, GEOSGeometry]:
    """Shapely shapes by division code: townships split the mainland, villages their township."""
    outline = Polygon([*MAINLAND_OUTLINE, MAINLAND_OUTLINE[0]], srid=4326)
    mainland = [t for t in TOWNSHIPS if t[0] != ISLAND_TOWNSHIP]
    cells = voronoi_cells([t[2] for t in mainland], outline)
    shapes = {t[0]: cell for t, cell in zip(mainland, cells, strict=True)}
    shapes[ISLAND_TOWNSHIP] = union(
        [
            polygon_at(blob_m(rng, a, b, angle, 18, 0.15), *centre)
            for centre, a, b, angle in BEIJI_ISLANDS
        ]
    )
    for code, _name, _centre, ring_m in TOWNSHIPS:
        township = shapes[code]
        villages = [v for v in VILLAGES if v[0].startswith(code)]
        seeds = [v[2] for v in villages]
        assert all(township.contains(point_at(*s)) for s in seeds), code
        centre = Point(*(sum(c) / len(seeds) for c in zip(*seeds, strict=True)))
        extra = []
        for i in range(7):
            t = (i + rng.uniform(-0.2, 0.2)) * 2 * math.pi / 7
            r = ring_m * rng.uniform(0.85, 1.15)
            extra.append(offset(centre.x, centre.y, r * math.cos(t), r * math.sin(t)))
        extra = [p for p in extra if township.contains(point_at(*p))]
        extra += [
            part.point_on_surface.coords
            for part in polygons_of(township)
            if not any(part.contains(point_at(*s)) for s in seeds)
        ]
        for village, cell in zip(villages, voronoi_cells(seeds + extra, township), strict=False):
            shapes[village[0]] = cell
    shapes[CITY[0]] = union([shapes[t[0]] for t in TOWNSHIPS])
    return shapes


def create_units(rng: random.Random) -> dict[str, Area]:
    """The city, its townships and villages, and one cooperative per village. Areas by name."""
    shapes = build_boundaries(rng)
    areas: dict[str, Area] = {}

    def create(code, name, level, parent, seed) -> AdminUnit:
        unit = services.create_admin_unit(
            actor=None,
            code=code,
            name=name,
            level=level,
            parent=parent,
            boundary=as_multipolygon(shapes[code]),
        )
        areas[name] = Area(unit, shapes[code], seed)
        return unit

    city = create(*CITY, AdminUnit.Level.CITY, None, (120.65, 27.78))
    townships = {
        code: create(code, name, AdminUnit.Level.TOWNSHIP, city, centre)
        for code, name, centre, _ring in TOWNSHIPS
    }
    for code, name, seed, _profile in VILLAGES:
        village = create(code, name, AdminUnit.Level.VILLAGE, townships[code[:9]], seed)
        services.create_cooperative(
            actor=None,
            name=name.removesuffix("村") + "股份经济合作社",
            village=village,
            credit_code=credit_code(rng),
        )
    return areas


class NamePicker:
    """Unique, realistic asset names within one village."""

    def __init__(self, village: str, rng: random.Random) -> None:
        self.village, self.rng = village, rng
        self.used: set[str] = set()
        self.serial: dict[str, int] = defaultdict(int)

    def pick(self, template: Template) -> str:
        once = [p for p in template.names if "{" not in p.replace("{v}", "")]
        for pattern in once:
            name = pattern.format(v=self.village)
            if name not in self.used:
                return self._use(name)
        repeating = [p for p in template.names if p not in once]
        while True:
            pattern = self.rng.choice(repeating)
            self.serial[pattern] += 1
            words = {k: self.rng.choice(v) for k, v in PLACE_WORDS.items()}
            name = pattern.format(v=self.village, n=self.serial[pattern], **words)
            if name not in self.used:
                return self._use(name)

    def _use(self, name: str) -> str:
        self.used.add(name)
        return name


def building_fields(rng: random.Random, template: Template, area: Area, angle: float) -> dict:
    width, depth = (rng.uniform(*template.size) for _ in range(2))
    floors = rng.randint(*template.floors)
    as_point = rng.random() < template.point_share
    spread = 450 if template.use in ("factory", "warehouse") else 300

    def make(lon, lat):
        if as_point:
            return point_at(lon, lat)
        turn = angle + rng.choice((0, 90)) + rng.uniform(-5, 5)
        return polygon_at(rectangle_m(width, depth, turn), lon, lat)

    geometry = area.put(rng, spread, make)
    floor_area = round(width * depth * floors, 1)
    built = random_date(rng, *template.built)
    unit_cost = 700 + (built.year - 1975) * 45 * rng.uniform(0.8, 1.2)  # yuan per m² when built
    structure = "钢混" if built.year >= 2000 else "砖混"
    return {
        "building_use": template.use,
        "geometry": geometry if as_point else as_multipolygon(geometry),
        "floor_area_m2": Decimal(str(floor_area)),
        "acquired_on": built,
        "book_value": money(floor_area * unit_cost),
        "description": f"{floors}层{structure}结构，建筑面积约{floor_area:.0f}平方米，"
        f"{built.year}年建成。",
    }


LAND_TEXT = {
    "farmland": "村集体机动耕地",
    "forest": "村集体山林",
    "water": "村集体水面",
    "construction": "村集体经营性建设用地",
    "other": "村集体未利用地",
}


def parcel_fields(rng: random.Random, template: Template, area: Area, island: bool) -> dict:
    low, high = template.size
    mu = rng.uniform(low, min(high, 10) if island else high)
    ring_m = parcel_m(rng, mu * MU_IN_M2)
    geometry = as_multipolygon(area.put(rng, 700, lambda lon, lat: polygon_at(ring_m, lon, lat)))
    return {
        "land_use": template.use,
        "geometry": geometry,
        "description": f"{LAND_TEXT[template.use]}，面积约{mu:.1f}亩。",
    }


def facility_fields(rng: random.Random, template: Template, area: Area) -> dict:
    built = random_date(rng, *template.built)
    return {
        "geometry": area.put(rng, 500, point_at),
        "acquired_on": built,
        "book_value": money(rng.uniform(20_000, 480_000), 1000),
        "description": f"{built.year}年建成，由村集体负责日常管护。",
    }


def initial_status(rng: random.Random, key: str, after_leased: int, expired: bool) -> str:
    """`after_leased`: the asset's place after the template's leased ones (negative: leased)."""
    if after_leased < 0:
        return Asset.Status.LEASED
    if after_leased == 0 and expired:
        return Asset.Status.IDLE  # its last lease has run out
    if key in ("shop", "warehouse", "other_building", "farmland", "construction"):
        return rng.choice([Asset.Status.IN_USE, Asset.Status.IDLE])
    return Asset.Status.IN_USE


def create_assets(rng: random.Random, areas: dict[str, Area]) -> dict[str, dict[str, list]]:
    """Every village's assets, by village name and template key, in creation order."""
    created: dict[str, dict[str, list]] = {}
    for _code, name, _seed, profile in VILLAGES:
        area = areas[name]
        owner = Cooperative.objects.get(village=area.unit)
        names = NamePicker(name, rng)
        angle = rng.uniform(0, 90)  # the village's street grid
        leased = LEASED.get(name, {})
        retired = {key for village, key in RETIRED if village == name}
        expired = {key for village, key in EXPIRED if village == name}
        by_key: dict[str, list] = defaultdict(list)
        landmarks = list(LANDMARKS.get(name, []))
        for key, count in PROFILES[profile].items():
            template = TEMPLATES[key]
            for i in range(count):
                if template.kind == F and landmarks:
                    asset_name = landmarks.pop(0)
                else:
                    asset_name = names.pick(template)
                if template.kind == B:
                    fields = building_fields(rng, template, area, angle)
                elif template.kind == P:
                    fields = parcel_fields(rng, template, area, profile == "island")
                else:
                    fields = facility_fields(rng, template, area)
                status = initial_status(rng, key, i - leased.get(key, 0), key in expired)
                retire = key in retired and status != Asset.Status.LEASED
                if retire:
                    retired.discard(key)
                    fields["description"] += "已于2025年经危房鉴定后拆除，档案保留备查。"
                asset = services.create_asset(
                    actor=None,
                    kind=template.kind,
                    name=asset_name,
                    village=area.unit,
                    owner=owner,
                    status=status,
                    **fields,
                )
                if retire:
                    services.retire_asset(asset, actor=None)
                by_key[key].append(asset)
        created[name] = by_key
    return created


# --- leases ----------------------------------------------------------------------------------


def tenant(rng: random.Random, key: str, village: str) -> tuple[str, str]:
    """(name, tenant kind) of a plausible tenant for an asset of this template."""
    org = Lease.TenantKind.ORGANISATION
    word = rng.choice(FIRM_WORDS)
    if key == "market":
        return f"瑞安市{village.removesuffix('村')}农贸市场管理有限公司", org
    if key in FIRM_TRADES and (key != "shop" or rng.random() < 0.4):
        return f"瑞安市{word}{rng.choice(FIRM_TRADES[key])}有限公司", org
    if key == "farmland" and rng.random() < 0.4:
        return f"瑞安市{word}{rng.choice(['家庭农场', '果蔬专业合作社'])}", org
    if key in ("water", "sea_pond") and rng.random() < 0.5:
        return f"瑞安市{word}水产养殖场", org
    return person_name(rng), Lease.TenantKind.PERSON


def annual_rent(rng: random.Random, key: str, asset: Asset, village: str) -> Decimal:
    low, high, per = RENT_RATES[key]
    if village == "白岩桥村" and key in BAIYANQIAO_RENT_RATES:
        low, high = BAIYANQIAO_RENT_RATES[key]
    quantity = float(asset.floor_area_m2) if per == "m2" else float(asset.area_mu)
    rent = quantity * rng.uniform(low, high)
    if key == "shop":
        rent = min(max(rent, 30_000), 400_000) if village == "白岩桥村" else max(rent, 6_000)
    return money(rent)


def term(rng: random.Random, years: int, months_back: tuple[int, int]) -> tuple[dt.date, dt.date]:
    """A lease of whole years starting on the 1st of a month, running on DEMO_TODAY
    with at least five months to go."""
    back = rng.randint(months_back[0], min(months_back[1], 12 * years - 5))
    start = add_months(DEMO_TODAY.replace(day=1), -back)
    return start, add_months(start, 12 * years)


def lease_spec(rng: random.Random, key: str, asset: Asset, village: str, arrears: bool) -> dict:
    """The fields of one lease, plus `_missing`: how many due periods are left unpaid."""
    name, kind = tenant(rng, key, village)
    if asset.kind == P:
        years = rng.randint(8, 15) if key == "forest" else rng.randint(3, 15)
        schedule = Lease.Schedule.ANNUAL
    else:
        years = rng.randint(3, 5) if arrears else rng.randint(1, 5)
        choices = ["annual", "semiannual", "quarterly"] + (["monthly"] if key == "shop" else [])
        schedule = "quarterly" if arrears else rng.choice(choices)
    start_on, end_on = term(rng, years, (18, 40) if arrears else (1, 12 * years))
    rent = annual_rent(rng, key, asset, village)
    deposit_share = 0.2 if asset.kind == P else rng.choice((1 / 6, 1 / 4))  # 2-3 months
    spec = {
        "asset": asset,
        "tenant_name": name,
        "tenant_kind": kind,
        "tenant_contact": mobile(rng),
        "start_on": start_on,
        "end_on": end_on,
        "annual_rent": rent,
        "payment_schedule": schedule,
        "deposit": money(float(rent) * deposit_share, 1000 if rent > 20_000 else 100),
        "awarded_by": rng.choices(list(Lease.Award), weights=(60, 25, 5, 10))[0],
        "_missing": rng.randint(1, 3) if arrears else 0,
    }
    # The rent valuation (租金评估): auctions and tenders meet it; negotiated leases in the demo
    # fall a third below it, so the favour-rent flag (人情租) has cases to show.
    below = spec["awarded_by"] == Lease.Award.NEGOTIATION
    spec["valuation"] = money(float(rent) * (1.5 if below else 1.0), 100)
    return spec


def lease_specs(rng: random.Random, assets: dict[str, dict[str, list]]) -> list[dict]:
    specs = []
    for village, plan in LEASED.items():
        arrears_left = ARREARS.get(village, 0)
        village_specs = []
        for key, count in plan.items():
            for asset in assets[village][key][:count]:
                arrears = arrears_left > 0 and asset.kind == B
                arrears_left -= arrears
                village_specs.append(lease_spec(rng, key, asset, village, arrears))
        if village == "白岩桥村":
            paying_shops = (s for s in village_specs if s["asset"].building_use == "shop")
            shop = next(
                s for s in paying_shops if not s["_missing"] and s["asset"].acquired_on.year < 2011
            )
            shop.update(OVERLONG_LEASE, payment_schedule=Lease.Schedule.ANNUAL)
            top_up_baiyanqiao(village_specs)
        specs += village_specs
    for village, key in EXPIRED:
        asset = assets[village][key][LEASED.get(village, {}).get(key, 0)]
        spec = lease_spec(rng, key, asset, village, arrears=False)
        spec["start_on"] = add_months(DEMO_TODAY.replace(day=1), -rng.randint(40, 50))
        spec["end_on"] = add_months(spec["start_on"], 36)
        specs.append(spec)
    return specs


def top_up_baiyanqiao(specs: list[dict]) -> None:
    """Raise the factory rents so that Baiyanqiao's leases bring in the seed's 17 million+."""
    total = sum(s["annual_rent"] for s in specs)
    if total >= BAIYANQIAO_RENT_TARGET:
        return
    factories = [s for s in specs if s["asset"].building_use == "factory"]
    factory_total = sum(s["annual_rent"] for s in factories)
    factor = (BAIYANQIAO_RENT_TARGET - total + factory_total) / factory_total
    for spec in factories:
        for name in ("annual_rent", "deposit", "valuation"):
            spec[name] = (spec[name] * factor / 100).quantize(Decimal(1), ROUND_CEILING) * 100


def record_payments(rng: random.Random, lease: Lease, missing: int) -> None:
    """Rent paid in advance for each period begun by DEMO_TODAY (or due within a month),
    except the last `missing` due periods."""
    months = Lease.SCHEDULE_MONTHS[lease.payment_schedule]
    per_period = (lease.annual_rent * months / 12).quantize(Decimal("0.01"))
    horizon = DEMO_TODAY + dt.timedelta(days=30)
    periods, start = [], lease.start_on
    while start < lease.end_on and start <= horizon:
        periods.append(start)
        start = add_months(start, months)
    if missing:
        due = [p for p in periods if p <= DEMO_TODAY]
        periods = due[: max(len(due) - missing, 1)]
    for period in periods:
        days = rng.randint(3, 25) if rng.random() < 0.15 else -rng.randint(0, 10)
        paid_on = min(period + dt.timedelta(days=days), DEMO_TODAY)
        services.record_lease_payment(
            lease,
            actor=None,
            paid_on=paid_on,
            amount=per_period,
            bank_reference=f"RNSB{paid_on:%Y%m%d}{rng.randint(0, 99999):05d}",
        )


def create_leases(rng: random.Random, assets: dict[str, dict[str, list]]) -> None:
    for spec in lease_specs(rng, assets):
        missing = spec.pop("_missing")
        lease = services.create_lease(actor=None, **spec)
        record_payments(rng, lease, missing)


# --- projects --------------------------------------------------------------------------------


def stage_dates(rng: random.Random, stage: Stage, days_ago: int | None) -> dict:
    """Dates of every stage up to the current one, non-decreasing, none after DEMO_TODAY."""
    if days_ago is None:
        days_ago = rng.randint(30, 420) if stage == Stage.SETTLEMENT else rng.randint(3, 120)
    dates = [DEMO_TODAY - dt.timedelta(days=days_ago)]
    for low, high in reversed(STAGE_GAPS[: stage.index]):
        dates.append(dates[-1] - dt.timedelta(days=rng.randint(low, high)))
    return {STAGE_DATE_FIELDS[s]: d for s, d in zip(Stage, reversed(dates), strict=False)}


GUIDANCE_AGENCIES = ["瑞安市正信工程造价咨询有限公司", "温州华信工程咨询有限公司"]
AUDIT_AGENCIES = ["瑞安市明正会计师事务所", "浙江天瑞工程造价审计有限公司"]
DISCLOSURE_PLACES = ["村务公开栏", "村务公开栏及“瑞安三资”微信公众号", "村文化礼堂公告栏"]
# (entitled low, entitled high) members of each deliberation's meeting, by step
MEETING_SIZE = {"proposal": (5, 7), "joint": (9, 15), "party": (35, 110), "resolution": (31, 65)}
DELIBERATION_TEXT = {
    "suggestion": "收集党员群众对{name}的意见建议。",
    "proposal": "村党组织会议研究，提议实施{name}。",
    "joint": "村务联席会议商议{name}的建设内容和资金安排。",
    "party": "党员大会审议{name}实施方案。",
    "resolution": "村民代表会议表决通过{name}。",
}
OVER_GUIDANCE = {
    "老旧小区雨污分流改造": "地下管线复杂，开挖深度增加，经村民代表会议同意按合同价签订。"
}
SETTLEMENT_OVERRUN = {"污水零直排改造": 1.12}


@dataclass
class ProjectPlan:
    """A demo project on its way through the procedure to its row's stage."""

    row: ProjectRow
    project: Project
    dates: dict
    guidance: Decimal | None = None


def demo_pdf(*lines: str) -> bytes:
    """A one-page PDF with a few ASCII lines: a stand-in for a scanned procedure document."""
    text = " ".join(
        f"BT /F1 12 Tf 60 {760 - 20 * i} Td ({line}) Tj ET" for i, line in enumerate(lines)
    ).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def attach_demo_document(project: Project, kind: str, title: str, on: dt.date) -> None:
    data = demo_pdf("Qinglian demo document", f"Project {project.pk}: {kind}", on.isoformat())
    upload = SimpleUploadedFile(f"{kind}.pdf", data, content_type="application/pdf")
    procedure.attach_document(
        project, actor=None, kind=kind, title=title, issued_on=on, upload=upload
    )


def spread(start: dt.date, end: dt.date, parts: int) -> list[dt.date]:
    """`parts` non-decreasing dates from `start` to before `end`."""
    span = max((end - start).days - 1, 0)
    return [start + dt.timedelta(days=span * i // parts) for i in range(parts)]


def deliberate(rng: random.Random, plan: ProjectPlan, until: dt.date, steps: int) -> None:
    """The first `steps` of the five deliberations, and the resolution made public after them."""
    project = plan.project
    days = spread(project.proposed_on, until, 6)
    for step, day in list(zip(Deliberation.Step, days, strict=False))[:steps]:
        numbers = {}
        if step in MEETING_SIZE:
            entitled = rng.randint(*MEETING_SIZE[step])
            present = max(entitled - rng.randint(0, entitled // 6), entitled * 3 // 4 + 1)
            numbers = {"entitled": entitled, "present": present}
            if step in Deliberation.VOTES:
                against = rng.randint(0, max(present // 10, 1))
                abstain = rng.randint(0, 2)
                numbers |= {
                    "votes_for": present - against - abstain,
                    "votes_against": against,
                    "votes_abstain": abstain,
                }
        procedure.record_deliberation(
            project,
            actor=None,
            step=step,
            held_on=day,
            summary=DELIBERATION_TEXT[step].format(name=plan.row.name),
            **numbers,
        )
    if steps == len(Deliberation.Step):
        procedure.record_disclosure(
            project,
            actor=None,
            kind=Disclosure.Kind.RESOLUTION,
            published_on=days[5],
            until=days[5] + dt.timedelta(days=7),
            place=rng.choice(DISCLOSURE_PLACES),
        )
        attach_demo_document(project, "minutes", "村民代表会议决议及表决记录", days[4])


def plan_project(rng: random.Random, row: ProjectRow, area: Area, pilot: bool) -> ProjectPlan:
    """Create the project at the proposal stage and walk it to contracting or construction."""
    stage = Stage(row.stage)
    dates = stage_dates(rng, stage, row.days_ago)
    description = CATEGORY_TEXT[row.category] + (PILOT_TEXT if pilot else "")
    if stage == Stage.PROPOSAL:
        description += f"估算投资约{row.amount / 10000:.1f}万元。"
    project = services.create_project(
        actor=None,
        name=row.village + row.name,
        village=area.unit,
        location=area.put(rng, 600, point_at),
        category=row.category,
        description=description,
        proposed_on=dates["proposed_on"],
    )
    plan = ProjectPlan(row=row, project=project, dates=dates)
    if stage == Stage.PROPOSAL:
        deliberate(rng, plan, DEMO_TODAY, rng.randint(2, 4))
        return plan
    deliberate(rng, plan, dates["budget_priced_on"], len(Deliberation.Step))
    step_to(plan, Stage.BUDGET)
    amount = Decimal(row.amount)
    if stage == Stage.BUDGET:
        plan.guidance = amount
    elif row.name in OVER_GUIDANCE:
        plan.guidance = money(row.amount * 0.97)
    else:
        plan.guidance = min(money(row.amount / rng.uniform(0.9, 0.97)), Decimal(200_000))
    plan.project = project = procedure.set_guidance_price(
        project,
        actor=None,
        budget_price=plan.guidance,
        guidance_agency=rng.choice(GUIDANCE_AGENCIES),
    )
    attach_demo_document(project, "guidance", "工程预算指导价审核报告", dates["budget_priced_on"])
    if stage == Stage.BUDGET:
        return plan
    step_to(plan, Stage.CONTRACTING)
    signed = min(dates["contracted_on"] + dt.timedelta(days=rng.randint(2, 5)), DEMO_TODAY)
    if "construction_started_on" in dates:
        signed = min(signed, dates["construction_started_on"])
    plan.project = project = procedure.record_contract(
        project,
        actor=None,
        contracting_method=rng.choice(
            [Project.Method.SIMPLE_TENDER, Project.Method.COMPARISON, Project.Method.COMPARISON]
        ),
        contractor=row.contractor or rng.choice(CONTRACTORS),
        contractor_contact=mobile(rng),
        contract_amount=amount,
        contract_signed_on=signed,
        over_guidance_reason=OVER_GUIDANCE.get(row.name, ""),
    )
    attach_demo_document(project, "contract", "施工合同", signed)
    if stage == Stage.CONTRACTING:
        return plan
    step_to(plan, Stage.CONSTRUCTION)
    return plan


def step_to(plan: ProjectPlan, stage: Stage) -> None:
    plan.project = procedure.advance(
        plan.project, actor=None, to=stage, on=plan.dates[STAGE_DATE_FIELDS[stage]]
    )


def finish_project(rng: random.Random, plan: ProjectPlan) -> None:
    """From construction on: progress and payments, acceptance, and the settlement audit."""
    stage, row, dates = Stage(plan.row.stage), plan.row, plan.dates
    if stage == Stage.CONSTRUCTION:
        progress = rng.randint(15, 85)
        services.update_project(
            plan.project,
            actor=None,
            progress_percent=progress,
            paid_amount=money(row.amount * progress * 0.007),
        )
        return
    plan.project = services.update_project(
        plan.project, actor=None, progress_percent=100, paid_amount=money(row.amount * 0.8)
    )
    step_to(plan, Stage.ACCEPTANCE)
    project = plan.project
    project = procedure.record_acceptance(
        project, actor=None, passed=True, opinion="工程量与合同一致，质量符合验收标准，同意验收。"
    )
    attach_demo_document(project, "acceptance", "竣工验收记录", dates["accepted_on"])
    if stage == Stage.ACCEPTANCE:
        return
    step_to(plan, Stage.SETTLEMENT)
    project = plan.project
    ratio = SETTLEMENT_OVERRUN.get(row.name) or rng.uniform(0.94, 1.0)
    settled = money(row.amount * ratio)
    project = procedure.record_settlement(
        project, actor=None, settlement_amount=settled, audit_agency=rng.choice(AUDIT_AGENCIES)
    )
    attach_demo_document(project, "audit", "竣工结算审计报告", dates["settled_on"])
    services.update_project(
        project,
        actor=None,
        paid_amount=settled if rng.random() < 0.5 else money(float(settled) * 0.97),
    )
    published = min(dates["settled_on"] + dt.timedelta(days=rng.randint(1, 6)), DEMO_TODAY)
    procedure.record_disclosure(
        project,
        actor=None,
        kind=Disclosure.Kind.RESULT,
        published_on=published,
        place=rng.choice(DISCLOSURE_PLACES),
    )


def create_projects(rng: random.Random, areas: dict[str, Area]) -> None:
    """Every demo project walked through the real procedure, with its records and documents.

    Projects past construction need a site inspection first; the field app records it when
    asked through `demo_inspections_wanted`.
    """
    assert sum(row.amount for row in PILOT_PROJECTS) == PILOT_TOTAL
    plans = [
        plan_project(rng, row, areas[row.village], pilot)
        for rows, pilot in ((PILOT_PROJECTS, True), (OTHER_PROJECTS, False))
        for row in rows
    ]
    under_way = [p for p in plans if Stage(p.row.stage).index >= Stage.CONSTRUCTION.index]
    inspected = []
    for plan in under_way:
        started = plan.dates["construction_started_on"]
        end = plan.dates.get("accepted_on", DEMO_TODAY)
        inspected.append((plan.project, started + (end - started) / 2))
    demo_inspections_wanted.send(sender=Project, projects=inspected)
    for plan in under_way:
        plan.project.refresh_from_db()
        finish_project(rng, plan)


# --- sites and routes ------------------------------------------------------------------------


def create_sites(rng: random.Random, areas: dict[str, Area]) -> dict[str, Site]:
    sites = {}
    for row in SITES:
        if row.at in areas or not row.at:
            location = areas[row.at or row.unit].put(rng, 250, point_at)
        else:
            location = Asset.objects.get(name=row.at).geometry
        sites[row.name] = services.create_site(
            actor=None,
            kind=row.kind,
            name=row.name,
            unit=areas[row.unit].unit,
            story=row.story,
            address=row.address,
            opening_hours=row.hours or HOURS[row.kind],
            contact=f"0577-6588{rng.randint(0, 9999):04d}",
            location=location,
        )
    return sites


def walking_order(sites: list[Site]) -> list[Site]:
    """Nearest neighbour first, from the first site."""
    order, rest = [sites[0]], sites[1:]
    while rest:
        here = order[-1].location
        rest.sort(key=lambda s: here.distance(s.location))
        order.append(rest.pop(0))
    return order


def create_routes(sites: dict[str, Site], areas: dict[str, Area]) -> None:
    for name, unit, stops, reorder, description in ROUTES:
        chosen = [sites[s] for s in stops]
        services.create_route(
            actor=None,
            name=name,
            unit=areas[unit].unit,
            sites=walking_order(chosen) if reorder else chosen,
            description=description,
        )


# =============================================================================================
# Entry points
# =============================================================================================


def is_loaded() -> bool:
    return AdminUnit.objects.filter(code=CITY[0]).exists()


def load_demo() -> None:
    """Create the whole data set. The caller wraps it in a transaction."""
    rng = random.Random(SEED)
    areas = create_units(rng)
    assets = create_assets(rng, areas)
    create_leases(rng, assets)
    create_projects(rng, areas)
    sites = create_sites(rng, areas)
    create_routes(sites, areas)
    from registry.demo_auctions import create_auctions  # it reads this module's tables

    create_auctions(rng)


def summary() -> dict[str, object]:
    active = Lease.objects.filter(start_on__lte=DEMO_TODAY, end_on__gt=DEMO_TODAY)
    baiyanqiao = sum(lease.annual_rent for lease in active.filter(asset__village__name="白岩桥村"))
    return {
        "admin units": AdminUnit.objects.count(),
        "cooperatives": Cooperative.objects.count(),
        "assets": Asset.objects.count(),
        "projects": Project.objects.count(),
        "leases": Lease.objects.count(),
        "rent payments": LeasePayment.objects.count(),
        "sites": Site.objects.count(),
        "routes": Route.objects.count(),
        "events": Event.objects.count(),
        "Baiyanqiao rent/year": f"{baiyanqiao:,.0f} yuan",
    }


def ensure_demo_users(password: str) -> list[tuple[str, str]]:
    """The demo logins, one per role, with their password reset. (username, role) pairs."""
    logins = []
    for username, role, display_name, unit_codes in DEMO_USERS:
        user, _created = User.objects.get_or_create(username=username)
        user.first_name = display_name
        user.is_staff = True
        user.is_active = True
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get_or_create(name=role)[0]])
        profile, _created = Profile.objects.get_or_create(user=user)
        profile.units.set(AdminUnit.objects.filter(code__in=unit_codes))
        logins.append((username, role))
    return logins
