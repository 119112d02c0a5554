"""The demo's village money: payees (companies, cooperatives, persons), money received, and
payment requests in every state of their life, with the bank payments of the demo's projects.

- The two villages of the demo logins (东岙村, 许岙村) have requests in every state, taken
  through `finance.services` as their staff would: a draft, requests waiting at each step of the
  chain (the village supervision committee, the village head, the township's rural finance
  office, the township leader: the demo users of those roles find them waiting), one approved,
  one refused with its reason and its corrected version paid, one approved and then corrected
  (superseded, the new version waiting), one withdrawn, and paid ones over the last months; and
  money received.
- Every demo project's "paid so far" is the sum of its requests paid by bank transfer
  (`PROJECT_PAYMENTS`, which replace the figures the data files used to type): a progress payment
  during the works and the balance after the settlement audit, to the project's contractor.
- Planted cases for the warnings W12 (approved, not paid), W13 (split under an approval
  threshold) and W14 (above the project's settlement), with their near misses, in 南堡村 and
  曹东村 of the same township and in 北麂村 (`PLANTED`, `NEAR_MISSES`).

The projects' payments (the history, back to 2025) and the planted cases are entered whole, with
their chain's decisions, as the records of the former 三资 platform are imported
(`Run.enter`: one public-log entry each), the way the warnings' demo enters its old projects: a
request through the services costs some 250 queries (each approval about 40), and the demo must
load in seconds.

Who acts. A request records who drafted it, and each step of its chain a person holding the
step's role who did not draft it (`finance.services.may_decide`); the demo's own role logins are
made only after the demo is loaded (`load_demo` with DEBUG, and the tests). So the demo's history
is written by one demo account per role (`demo-history-<role>`: the bookkeeper drafts, attaches
the vouchers, submits, records the money received and the bank payments; one account per
approving role decides the steps), each named 演示 in the public log, covering the city, without
a usable password, and deactivated once the history is written: they can never log in nor act
again. Payees are the system's (actor=None), as the rest of the demo's records are.

When. Requests are dated back from the day the demo is loaded (`today`), so the warnings that
depend on the date (W12) and the dashboard's last twelve months look the same whenever it is
loaded; the projects' payments are dated by the projects' own history in the data files (around
`demo.loader.DEMO_TODAY`). The services stamp what they write with the moment they run; the
demo then moves a request's draft, submission, decisions and payment to its dated history (the
public log keeps the moment each entry was written, as for the rest of the demo).
"""

import datetime as dt
import hashlib
import string
from dataclasses import dataclass
from decimal import Decimal

from django.apps import AppConfig
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from demo.loader import demo_pdf
from finance import chains, money, services
from finance.models import ApprovalStep, Payee, PaymentRequest, PowerItem, Receipt, Voucher
from projects.models import Project, Stage
from registry import services as registry_services
from registry.models import AdminUnit, Profile
from registry.roles import Role, Task
from registry.signals import demo_loaded

State = PaymentRequest.State
DONGAO, XUAO, NANBAO, CAODONG = "330381102201", "330381102202", "330381102203", "330381102204"
CITY = "330381"
ACCOUNT_NAMES = {
    Role.BOOKKEEPER: "村报账员（演示）",
    Role.SUPERVISOR: "村务监督委员会（演示）",
    Role.VILLAGE_HEAD: "村委会主任（演示）",
    Role.FINANCE_OFFICE: "乡镇经管办（演示）",
    Role.TOWNSHIP_LEADER: "乡镇分管领导（演示）",
    Role.TOWNSHIP: "乡镇工作人员（演示）",
    Role.CITY: "市级工作人员（演示）",
}
ACCOUNT_PREFIX = "demo-history-"
SAMPLE_ITEM = 98  # the power-list item used when the list has none for payments yet
BANK = "瑞安农商银行曹村支行"


# ---------------------------------------------------------------- numbers that pass the checks


def _seed(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16)


def credit_code(name: str, kind: str = "91") -> str:
    """A made-up unified social credit code of 瑞安 with a right check character (`kind` 91 a
    company, 92 a sole trader, 93 a farmers' cooperative)."""
    body = f"{kind}{CITY}{_seed(name) % 10**9:09d}"
    alphabet = string.digits + string.ascii_uppercase
    return next(body + ch for ch in alphabet if money.credit_code_valid(body + ch))


def id_number(born: str, serial: int) -> str:
    """A made-up resident ID number of 瑞安 (born YYYYMMDD) with a right check character."""
    body = f"{CITY}{born}{serial:03d}"
    return next(body + ch for ch in "0123456789X" if money.id_number_valid(body + ch))


def account_number(name: str, prefix: str = "6228") -> str:
    """A made-up 19-digit bank card number whose last digit is its Luhn check digit."""
    body = f"{prefix}{_seed(name) % 10**14:014d}"
    total = 0
    for i, digit in enumerate(reversed(body)):
        n = int(digit) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return f"{body}{(10 - total % 10) % 10}"


# ---------------------------------------------------------------- what the demo holds


@dataclass(frozen=True)
class PayeeSpec:
    village: str
    kind: str
    name: str
    bank: str = BANK
    born: str = ""  # a person's birthday and serial, for the ID number
    serial: int = 0
    code: str = "91"  # the kind of credit code: 91 a company, 92 a sole trader (93 cooperative)


PAYEES = (
    PayeeSpec(DONGAO, Payee.Kind.COMPANY, "瑞安市曹村宏达水电安装有限公司"),
    PayeeSpec(DONGAO, Payee.Kind.COMPANY, "瑞安市洁美保洁服务有限公司", "中国农业银行瑞安曹村支行"),
    PayeeSpec(DONGAO, Payee.Kind.COMPANY, "瑞安市文华办公家具有限公司", "中国工商银行瑞安支行"),
    PayeeSpec(DONGAO, Payee.Kind.COOPERATIVE, "瑞安市东岙果蔬专业合作社"),
    PayeeSpec(DONGAO, Payee.Kind.PERSON, "王建国", born="19650512", serial=911),
    PayeeSpec(DONGAO, Payee.Kind.PERSON, "李秀英", born="19720308", serial=922),
    PayeeSpec(XUAO, Payee.Kind.COMPANY, "瑞安市许岙园林绿化工程有限公司"),
    PayeeSpec(XUAO, Payee.Kind.COMPANY, "瑞安市清源河道保洁有限公司", "中国建设银行瑞安支行"),
    PayeeSpec(XUAO, Payee.Kind.COMPANY, "浙江瑞丰茶机制造有限公司", "中国银行瑞安支行"),
    PayeeSpec(XUAO, Payee.Kind.COOPERATIVE, "瑞安市许岙茶叶专业合作社"),
    PayeeSpec(XUAO, Payee.Kind.PERSON, "陈志明", born="19680921", serial=933),
    PayeeSpec(XUAO, Payee.Kind.PERSON, "林美华", born="19780614", serial=944),
    PayeeSpec(NANBAO, Payee.Kind.COMPANY, "瑞安市光明电器安装有限公司"),
    PayeeSpec(NANBAO, Payee.Kind.COMPANY, "瑞安市南堡园林工程有限公司"),
    PayeeSpec(NANBAO, Payee.Kind.COMPANY, "瑞安市南堡保洁服务有限公司"),
    PayeeSpec(CAODONG, Payee.Kind.COMPANY, "瑞安市曹东环卫服务有限公司"),
    PayeeSpec(CAODONG, Payee.Kind.COMPANY, "瑞安市曹东建材经营部", code="92"),
    PayeeSpec(CAODONG, Payee.Kind.COMPANY, "瑞安市曹东水电安装部", code="92"),
    PayeeSpec(CAODONG, Payee.Kind.COMPANY, "瑞安市曹东五金店", code="92"),
    PayeeSpec(CAODONG, Payee.Kind.COMPANY, "瑞安市曹东建筑劳务有限公司"),
)

DRAFT, PENDING, APPROVED, REFUSED, WITHDRAWN, PAID = (
    State.DRAFT,
    State.PENDING,
    State.APPROVED,
    State.REFUSED,
    State.WITHDRAWN,
    State.PAID,
)


@dataclass(frozen=True)
class Spec:
    """A payment request and how far it goes: submitted `submitted` days before the load day
    (drafted an hour or two before); `decisions` steps of its chain decided (the last one refused
    for REFUSED, with `reason`; every step for APPROVED and PAID); then paid, or withdrawn.
    `correction`, for an approved or refused request, is its corrected version (a new draft
    with these fields, which goes its own way). `purpose` names it: it is unique."""

    purpose: str
    village: str
    payee: str
    amount: str
    category: str
    submitted: int
    end: str = PAID
    decisions: int = 0
    reason: str = ""
    correction: "Spec | None" = None


# The demo villages' paid requests of the last months, entered whole.
HISTORY = (
    Spec(
        "村道路灯更换LED灯具", DONGAO, "瑞安市曹村宏达水电安装有限公司", "3560.00", "purchases", 150
    ),
    Spec(
        "2026年下半年村级保洁服务费",
        DONGAO,
        "瑞安市洁美保洁服务有限公司",
        "12000",
        "purchases",
        120,
    ),
    Spec("村干部误工补贴（8月）", DONGAO, "王建国", "4800", "wages", 95),
    Spec("村文化礼堂桌椅采购", DONGAO, "瑞安市文华办公家具有限公司", "28600", "purchases", 60),
    Spec("村监委会办公用品", DONGAO, "瑞安市文华办公家具有限公司", "1980", "administration", 35),
    Spec("茶园机耕路杂草清理", XUAO, "陈志明", "6200", "welfare", 80),
    Spec(
        "村级河道保洁服务费（第三季度）",
        XUAO,
        "瑞安市清源河道保洁有限公司",
        "15500",
        "purchases",
        45,
    ),
    Spec("重阳节老年人慰问", XUAO, "瑞安市许岙茶叶专业合作社", "2400", "welfare", 38),
)
# Through the services: 东岙村's refused and corrected, waiting at steps 1 and 3, a draft;
# 许岙村's waiting at steps 2 and 4, approved (two days ago: no warning yet), withdrawn, approved
# and then corrected.
REQUESTS = (
    Spec(
        "村口绿化苗木采购",
        DONGAO,
        "瑞安市东岙果蔬专业合作社",
        "9800",
        "welfare",
        42,
        end=REFUSED,
        decisions=2,
        reason="发票抬头不是东岙股份经济合作社，请重新开具发票后再报。",
        correction=Spec(
            "村口绿化苗木采购（重开发票）",
            DONGAO,
            "瑞安市东岙果蔬专业合作社",
            "9800",
            "welfare",
            37,
        ),
    ),
    Spec(
        "村级公益性岗位补贴（10月）", DONGAO, "李秀英", "3600", "wages", 2, end=PENDING, decisions=0
    ),
    Spec(
        "村民公共服务中心空调及设备采购",
        DONGAO,
        "瑞安市曹村宏达水电安装有限公司",
        "68000",
        "purchases",
        6,
        end=PENDING,
        decisions=2,
    ),
    Spec(
        "村委会打印机维修", DONGAO, "瑞安市文华办公家具有限公司", "1850", "administration", 0, DRAFT
    ),
    Spec(
        "村卫生室屋顶防水维修材料",
        XUAO,
        "瑞安市许岙园林绿化工程有限公司",
        "12800",
        "purchases",
        3,
        end=PENDING,
        decisions=1,
    ),
    Spec(
        "村集体茶叶加工厂设备更新",
        XUAO,
        "浙江瑞丰茶机制造有限公司",
        "126000",
        "purchases",
        9,
        end=PENDING,
        decisions=3,
    ),
    Spec("村民小组长误工补贴（10月）", XUAO, "林美华", "6500", "wages", 3, end=APPROVED),
    Spec(
        "村务公开栏更换展板",
        XUAO,
        "瑞安市许岙园林绿化工程有限公司",
        "2300",
        "administration",
        20,
        WITHDRAWN,
    ),
    Spec(
        "村内排水沟清淤",
        XUAO,
        "瑞安市许岙园林绿化工程有限公司",
        "8600",
        "welfare",
        6,
        end=APPROVED,
        correction=Spec(
            "村内排水沟清淤（发票金额更正）",
            XUAO,
            "瑞安市许岙园林绿化工程有限公司",
            "8960",
            "welfare",
            2,
            end=PENDING,
        ),
    ),
)

# W12: approved and not paid, 12 days (red) and 5 days (yellow) after the approval; the near
# miss is 许岙村's request approved two days before (in REQUESTS).
W12_UNPAID = (
    Spec(
        "南堡村路灯线路改造材料款",
        NANBAO,
        "瑞安市光明电器安装有限公司",
        "22000",
        "purchases",
        13,
        APPROVED,
    ),
    Spec(
        "曹东村垃圾清运服务费（9月）",
        CAODONG,
        "瑞安市曹东环卫服务有限公司",
        "7400",
        "purchases",
        6,
        APPROVED,
    ),
)
W12_NEAR = ("村民小组长误工补贴（10月）",)

# W13: three requests just under 50,000 yuan to one payee within a month (red: three, and above
# 100,000 together); two within 16 days (yellow).
W13_RED = (
    Spec("曹东村文化广场铺装材料（一）", CAODONG, "瑞安市曹东建材经营部", "48600", "works", 22),
    Spec("曹东村文化广场铺装材料（二）", CAODONG, "瑞安市曹东建材经营部", "49200", "works", 12),
    Spec(
        "曹东村文化广场铺装材料（三）",
        CAODONG,
        "瑞安市曹东建材经营部",
        "47900",
        "works",
        4,
        end=PENDING,
        decisions=1,
    ),
)
W13_YELLOW = (
    Spec("南堡村游园绿化养护（上）", NANBAO, "瑞安市南堡园林工程有限公司", "46500", "welfare", 26),
    Spec("南堡村游园绿化养护（下）", NANBAO, "瑞安市南堡园林工程有限公司", "48000", "welfare", 10),
)
# Near misses: 32 days apart; one of the two 10.2 % under the threshold; two payees.
W13_NEAR = (
    Spec("曹东村水电线路检修（一）", CAODONG, "瑞安市曹东水电安装部", "47000", "purchases", 68),
    Spec("曹东村水电线路检修（二）", CAODONG, "瑞安市曹东水电安装部", "48500", "purchases", 36),
    Spec(
        "南堡村公共区域保洁（上）", NANBAO, "瑞安市南堡保洁服务有限公司", "44900", "purchases", 30
    ),
    Spec(
        "南堡村公共区域保洁（下）", NANBAO, "瑞安市南堡保洁服务有限公司", "49000", "purchases", 18
    ),
    Spec("曹东村老年活动室五金配件", CAODONG, "瑞安市曹东五金店", "48800", "purchases", 28),
    Spec("曹东村老年活动室修缮人工", CAODONG, "瑞安市曹东建筑劳务有限公司", "49100", "works", 21),
)


@dataclass(frozen=True)
class ProjectPayment:
    """A payment to a project's contractor, submitted on `submitted` (a day of the project's
    history in the data files): a progress payment or the balance after the settlement."""

    project: str
    amount: str
    submitted: dt.date
    stage: str


D = dt.date
PROJECT_PAYMENTS = (
    ProjectPayment("东岙村道路硬化工程", "102900", D(2025, 8, 28), Stage.CONSTRUCTION),
    ProjectPayment("东岙村道路硬化工程", "22500", D(2025, 12, 24), Stage.SETTLEMENT),
    ProjectPayment("东岙村水渠修缮工程", "77400", D(2026, 7, 8), Stage.CONSTRUCTION),
    ProjectPayment("许岙村文化礼堂修缮工程", "44800", D(2026, 10, 2), Stage.CONSTRUCTION),
    ProjectPayment("南堡村污水管网改造", "19100", D(2026, 10, 17), Stage.CONSTRUCTION),
    ProjectPayment("白岩桥村农贸市场雨棚改造工程", "134800", D(2026, 3, 12), Stage.CONSTRUCTION),
    ProjectPayment("白岩桥村农贸市场雨棚改造工程", "25300", D(2026, 6, 24), Stage.SETTLEMENT),
    ProjectPayment("白岩桥村消防通道整治工程", "22300", D(2026, 10, 10), Stage.CONSTRUCTION),
    ProjectPayment("上埠村沿河游步道建设", "108500", D(2026, 5, 21), Stage.CONSTRUCTION),
    ProjectPayment("上埠村公共厕所提升改造", "47100", D(2025, 5, 23), Stage.CONSTRUCTION),
    ProjectPayment("上埠村公共厕所提升改造", "8800", D(2025, 9, 12), Stage.SETTLEMENT),
    ProjectPayment("高岙村监察工作联络站阵地建设", "34200", D(2025, 10, 14), Stage.CONSTRUCTION),
    ProjectPayment("高岙村监察工作联络站阵地建设", "8500", D(2026, 1, 4), Stage.SETTLEMENT),
    ProjectPayment("高岙村机耕路硬化工程", "27100", D(2026, 10, 23), Stage.CONSTRUCTION),
    ProjectPayment("陈岙村“清廉陈岙”三务公开栏建设", "29200", D(2026, 4, 13), Stage.CONSTRUCTION),
    ProjectPayment("陈岙村“清廉陈岙”三务公开栏建设", "6400", D(2026, 8, 18), Stage.SETTLEMENT),
    ProjectPayment("陈岙村村道白改黑工程", "151200", D(2026, 4, 30), Stage.CONSTRUCTION),
    ProjectPayment(
        "镇东村工业区道路硬化工程（一期）", "40400", D(2026, 10, 14), Stage.CONSTRUCTION
    ),
    ProjectPayment(
        "镇东村工业区道路硬化工程（二期）", "100000", D(2026, 10, 16), Stage.CONSTRUCTION
    ),
    ProjectPayment("镇东村污水零直排改造", "121600", D(2026, 5, 24), Stage.CONSTRUCTION),
    ProjectPayment("镇东村污水零直排改造", "43500", D(2026, 8, 21), Stage.SETTLEMENT),
    ProjectPayment("湖岭村孝廉侨乡基地展陈提升", "94400", D(2026, 6, 22), Stage.CONSTRUCTION),
    ProjectPayment("湖岭村溪滩堤防修复工程", "32100", D(2026, 9, 5), Stage.CONSTRUCTION),
    ProjectPayment("岩头村文化礼堂屋面维修", "51000", D(2026, 6, 17), Stage.CONSTRUCTION),
    ProjectPayment("岩头村文化礼堂屋面维修", "12700", D(2026, 9, 22), Stage.SETTLEMENT),
    ProjectPayment("平阳坑村蓝夹缬展示馆修缮", "21200", D(2026, 9, 23), Stage.CONSTRUCTION),
    ProjectPayment("北麂村渔港码头护栏修复", "57200", D(2025, 8, 25), Stage.CONSTRUCTION),
    ProjectPayment("北麂村渔港码头护栏修复", "8300", D(2025, 12, 16), Stage.SETTLEMENT),
    ProjectPayment("北麂村鱼拓廉政馆周边环境整治", "77000", D(2026, 5, 29), Stage.CONSTRUCTION),
)

# W14: a request approved on the former platform and imported, which takes what is committed
# against 北麂村's pier railing above its audited settlement (67,500 yuan: 65,500 paid, 5,000 more
# approved the day before the load). Its near miss: 东岙村's road, paid exactly its settlement.
W14_IMPORTED = (
    "北麂村渔港码头护栏修复",
    Spec(
        "码头护栏质量保证金返还（原三资平台导入）",
        "330381200201",
        "瑞安市东升建筑装饰工程有限公司",
        "5000",
        "works",
        2,
        APPROVED,
    ),
)
W14_NEAR = ("东岙村道路硬化工程",)

PLANTED = {
    "W12": [spec.purpose for spec in W12_UNPAID],
    "W13": [spec.purpose for spec in W13_RED + W13_YELLOW],
    "W14": [W14_IMPORTED[0]],
}
NEAR_MISSES = {
    "W12": list(W12_NEAR),
    "W13": [spec.purpose for spec in W13_NEAR],
    "W14": list(W14_NEAR),
}

# (village, category, payer, amount, received days ago, banked days ago, note)
RECEIPTS = (
    (DONGAO, "subsidy", "瑞安市农业农村局", "80000", 40, 40, "美丽乡村精品村建设补助"),
    (
        DONGAO,
        "contracting",
        "瑞安市东岙果蔬专业合作社",
        "12000",
        70,
        69,
        "集体土地承包费（2026年度）",
    ),
    (DONGAO, "investment", "瑞安农商银行曹村支行", "1236.58", 62, 62, "第三季度存款利息"),
    (XUAO, "subsidy", "曹村镇人民政府", "30000", 35, 35, "村级组织运转经费补助"),
    (XUAO, "contracting", "瑞安市许岙茶叶专业合作社", "8800", 50, 48, "集体茶山承包费"),
    (XUAO, "other", "瑞安市红十字会", "2000", 33, 33, "重阳节慰问金"),
)


# ---------------------------------------------------------------- who writes the history


def account(role: str) -> User:
    """The demo account that writes the history's part of `role` (made on first use)."""
    user, created = User.objects.get_or_create(
        username=f"{ACCOUNT_PREFIX}{role}", defaults={"first_name": ACCOUNT_NAMES[role]}
    )
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.set([Group.objects.get_or_create(name=role)[0]])
        profile, _created = Profile.objects.get_or_create(user=user)
        profile.units.set(AdminUnit.objects.filter(code=CITY))
    elif not user.is_active:
        User.objects.filter(pk=user.pk).update(is_active=True)
        user.is_active = True
    return user


def retire_accounts() -> None:
    User.objects.filter(username__startswith=ACCOUNT_PREFIX).update(is_active=False)


# ---------------------------------------------------------------- the steps of a request


def power_item(applies_to: str = PowerItem.AppliesTo.PAYMENT) -> PowerItem:
    """The power-list item requests follow: the list's own for `applies_to`, else its item for
    payments, else a marked sample (until the list is filled in)."""
    item = PowerItem.objects.filter(applies_to=applies_to).order_by("number").first()
    item = item or (
        PowerItem.objects.filter(applies_to=PowerItem.AppliesTo.PAYMENT).order_by("number").first()
    )
    if item is None:
        item = registry_services.save_record(
            PowerItem(
                number=SAMPLE_ITEM,
                area=PowerItem.Area.MONEY,
                title="村级财务收支审批（示例）",
                decider="村委会",
                applies_to=PowerItem.AppliesTo.PAYMENT,
                sample=True,
            ),
            actor=None,
            task=Task.EDIT_POWER_LIST,
        )
    return item


class Clock:
    """The moments of one request's history, from its submission on: a wait of a few hours to
    a few days between steps, varied by the request's place in the demo."""

    STEP_HOURS = (6, 20, 30, 26)

    def __init__(self, submitted: dt.datetime, index: int):
        self.now = submitted
        self.pace = 1 + (index % 4) / 4
        self.index = index
        self.latest = timezone.now() - dt.timedelta(minutes=5)

    def after(self, hours: float) -> dt.datetime:
        self.now = min(self.now + dt.timedelta(hours=hours * self.pace), self.latest)
        return self.now

    def step(self, position: int) -> dt.datetime:
        return self.after(self.STEP_HOURS[(position - 1) % len(self.STEP_HOURS)])

    def payment(self) -> dt.datetime:
        return self.after(16 + 7 * (self.index % 5))


def submitted_at(day: dt.date, index: int) -> dt.datetime:
    zone = timezone.get_current_timezone()
    return dt.datetime.combine(day, dt.time(9, 15 + 7 * (index % 6)), tzinfo=zone)


def _pdf(request: PaymentRequest) -> SimpleUploadedFile:
    data = demo_pdf(
        "Qinglian demo voucher",
        f"Village {request.village.code} request {request.reference}",
        f"Amount {request.amount} CNY",
    )
    return SimpleUploadedFile("voucher.pdf", data, content_type="application/pdf")


def _invoice(serial: int) -> str:
    return f"增值税普通发票 No.{33000000 + serial:08d}"


def _backdate(request: PaymentRequest, clock: Clock, drafted: dt.datetime) -> None:
    """Move what the services stamped to the request's dated history: drafted and submitted,
    each decided step after the one before, the approval or the refusal."""
    PaymentRequest.objects.filter(pk=request.pk).update(created=drafted, submitted_at=clock.now)
    for step in request.steps.exclude(decided_at=None).order_by("position"):
        ApprovalStep.objects.filter(pk=step.pk).update(decided_at=clock.step(step.position))
    if request.state in (State.APPROVED, State.PAID):
        PaymentRequest.objects.filter(pk=request.pk).update(approved_at=clock.now)
    elif request.state in (State.REFUSED, State.WITHDRAWN):
        moment = clock.now if request.state == State.REFUSED else clock.after(20)
        PaymentRequest.objects.filter(pk=request.pk).update(decided_at=moment)


class Run:
    """Takes the demo's requests through the services (`request`) or enters them whole
    (`enter`), numbering vouchers and transfers."""

    def __init__(self, today: dt.date):
        self.today = today
        self.count = 0
        self.payees: dict[tuple[str, str], Payee] = {}
        self.accounts: dict[str, User] = {}
        self.numbers: dict[tuple[int, int], int] = {}

    def account(self, role: str) -> User:
        if role not in self.accounts:
            self.accounts[role] = account(role)
        return self.accounts[role]

    @property
    def bookkeeper(self) -> User:
        return self.account(Role.BOOKKEEPER)

    def payee(self, village: AdminUnit, name: str) -> Payee:
        key = (village.code, name)
        if key not in self.payees:
            payee = Payee.objects.filter(village=village, name=name).first()
            self.payees[key] = payee or services.save_payee(
                Payee(
                    village=village,
                    kind=Payee.Kind.COMPANY,
                    name=name,
                    credit_code=credit_code(name),
                    bank_name=BANK,
                    account_number=account_number(name, prefix="6217"),
                ),
                actor=None,
            )
        return self.payees[key]

    def make_payees(self) -> None:
        codes = {p.village for p in PAYEES}
        villages = {v.code: v for v in AdminUnit.objects.filter(code__in=codes)}
        for spec in PAYEES:
            person = spec.kind == Payee.Kind.PERSON
            payee = services.save_payee(
                Payee(
                    village=villages[spec.village],
                    kind=spec.kind,
                    name=spec.name,
                    credit_code="" if person else credit_code(spec.name, self._kind_code(spec)),
                    id_number=id_number(spec.born, spec.serial) if person else "",
                    bank_name=spec.bank,
                    account_number=account_number(spec.name),
                ),
                actor=None,
            )
            self.payees[(spec.village, spec.name)] = payee

    @staticmethod
    def _kind_code(spec: PayeeSpec) -> str:
        return "93" if spec.kind == Payee.Kind.COOPERATIVE else spec.code

    def _fields(self, spec: Spec, village: AdminUnit, item: PowerItem, links: dict) -> dict:
        return {
            "payee": self.payee(village, spec.payee),
            "amount": spec.amount,
            "purpose": spec.purpose,
            "category": spec.category,
            "power_item": item,
            **links,
        }

    def request(
        self,
        spec: Spec,
        *,
        village: AdminUnit,
        day: dt.date,
        item: PowerItem,
        draft: PaymentRequest | None = None,
        **links,
    ) -> PaymentRequest:
        """`spec` through the services up to its end, dated from its submission on `day`."""
        self.count += 1
        index = self.count
        fields = self._fields(spec, village, item, links)
        if draft is None:
            request, _created = services.draft_request(
                actor=self.bookkeeper, village=village, **fields
            )
        else:
            request = services.update_draft(draft, actor=self.bookkeeper, **fields)
        services.attach_voucher(
            request,
            actor=self.bookkeeper,
            kind="invoice",
            title=_invoice(index),
            upload=_pdf(request),
        )
        if spec.end == DRAFT:
            return request
        request = services.submit(request, actor=self.bookkeeper)
        steps = list(request.steps.order_by("position"))
        decided = len(steps) if spec.end in (APPROVED, PAID) else spec.decisions
        for step in steps[:decided]:
            who = self.account(step.role)
            if spec.end == REFUSED and step == steps[decided - 1]:
                request = services.refuse(request, actor=who, reason=spec.reason)
            else:
                request = services.approve(request, actor=who)
        if spec.end == WITHDRAWN:
            request = services.withdraw(request, actor=self.bookkeeper)
        clock = Clock(submitted_at(day, index), index)
        drafted = clock.now - dt.timedelta(hours=1 + index % 3)
        _backdate(request, clock, drafted)
        if spec.end == PAID:
            paid = clock.payment()
            request.refresh_from_db()
            request = services.mark_paid(
                request,
                actor=self.bookkeeper,
                bank_reference=self._reference(paid, index),
                paid_on=timezone.localtime(paid).date(),
            )
            PaymentRequest.objects.filter(pk=request.pk).update(
                paid_at=paid, time_to_paid=paid - drafted
            )
        request.refresh_from_db()
        if spec.correction is None:
            return request
        correction = spec.correction
        return self.request(
            correction,
            village=village,
            day=self.today - dt.timedelta(days=correction.submitted),
            item=item,
            draft=services.revise(request, actor=self.bookkeeper),
            **links,
        )

    @staticmethod
    def _reference(paid: dt.datetime, index: int) -> str:
        return f"RCB{timezone.localtime(paid):%Y%m%d}{index:05d}"

    def _number(self, village: AdminUnit, year: int) -> str:
        key = (village.pk, year)
        if key not in self.numbers:
            self.numbers[key] = services.last_serial(village, year)
        self.numbers[key] += 1
        return services.format_number(year, self.numbers[key])

    def enter(
        self, spec: Spec, *, village: AdminUnit, day: dt.date, item: PowerItem, **links
    ) -> PaymentRequest:
        """`spec` saved whole with its chain's decisions and its voucher, as the records of the
        former 三资 platform are imported (`registry.services.save_record`, one public-log entry
        each): for the history before the demo's days and the warnings' planted cases. Nothing
        is checked but the record's own validation (no cap: W14's import is one such record)."""
        self.count += 1
        index = self.count
        fields = self._fields(spec, village, item, links)
        fields["amount"] = Decimal(spec.amount)
        clock = Clock(submitted_at(day, index), index)
        drafted = clock.now - dt.timedelta(hours=1 + index % 3)
        request = PaymentRequest(
            village=village,
            number=self._number(village, day.year),
            state=State.PENDING if spec.end == PENDING else State.APPROVED,
            drafted_by=self.bookkeeper,
            submitted_at=clock.now,
            **fields,
        )
        rules = chains.chain_for(item, request.amount)
        decided = len(rules) if spec.end in (APPROVED, PAID) else spec.decisions
        steps = [
            ApprovalStep(
                position=position,
                role=rule.role,
                label=rule.label,
                decision=ApprovalStep.Decision.APPROVED,
                decided_by=self.account(rule.role),
                decided_at=clock.step(position),
            )
            if position <= decided
            else ApprovalStep(position=position, role=rule.role, label=rule.label)
            for position, rule in enumerate(rules, start=1)
        ]
        if request.state == State.APPROVED:
            request.approved_at = clock.now
        if spec.end == PAID:
            paid = clock.payment()
            request.state, request.paid_at, request.paid_by = State.PAID, paid, self.bookkeeper
            request.paid_on = timezone.localtime(paid).date()
            request.bank_reference = self._reference(paid, index)
            request.time_to_paid = paid - drafted
        registry_services.save_record(request, actor=None, task=Task.KEEP_BOOKS)
        PaymentRequest.objects.filter(pk=request.pk).update(created=drafted)
        for step in steps:
            step.request = request
        ApprovalStep.objects.bulk_create(steps)
        upload = _pdf(request)
        voucher = Voucher(
            request=request,
            kind=Voucher.Kind.INVOICE,
            title=_invoice(index),
            sha256=hashlib.sha256(upload.read()).hexdigest(),
            size=upload.size,
            content_type="application/pdf",
            uploaded_by=self.bookkeeper,
        )
        voucher.file.save("voucher.pdf", upload)
        return request


def pay_projects(run: Run, payments: list[tuple[Project, ProjectPayment]]) -> None:
    """Each payment to its project's contractor, entered whole; then each project's "paid so
    far" recomputed from its bank payments, as `finance.services.mark_paid` does."""
    works = power_item(PowerItem.AppliesTo.PROJECT)
    for project, payment in payments:
        stage = "结算尾款" if payment.stage == Stage.SETTLEMENT else "进度款"
        spec = Spec(
            purpose=f"{project.name}{stage}",
            village=project.village.code,
            payee=project.contractor,
            amount=payment.amount,
            category=PaymentRequest.Category.WORKS,
            submitted=0,
        )
        run.enter(
            spec,
            village=project.village,
            day=payment.submitted,
            item=works,
            project=project,
            project_stage=payment.stage,
        )
    for project in {project.pk: project for project, _payment in payments}.values():
        project.refresh_from_db()
        project.paid_amount = services.project_paid(project)
        registry_services.save_record(project, actor=None, task=Task.KEEP_BOOKS)


def pay_projects_in_full(projects: list[tuple[Project, dt.date]]) -> None:
    """Enter what each project says it has paid, and its bank payments do not show, as one bank
    payment of the balance submitted on the day given: for projects entered before payments
    were recorded here (the warnings' demo)."""
    run = Run(timezone.localdate())
    run.count = PaymentRequest.objects.count()
    payments = []
    for project, day in projects:
        owed = project.paid_amount - services.project_paid(project)
        if owed > 0:
            payments.append(
                (project, ProjectPayment(project.name, str(owed), day, Stage.SETTLEMENT))
            )
    with transaction.atomic():
        pay_projects(run, payments)
        retire_accounts()


def load(sender=None, **kwargs) -> str:
    """Everything above, once (nothing if the demo already has payment requests)."""
    if PaymentRequest.objects.exists():
        return ""
    today = timezone.localdate()
    run = Run(today)
    villages = {v.code: v for v in AdminUnit.objects.filter(code__in={p.village for p in PAYEES})}
    with transaction.atomic():
        run.make_payees()
        for village, category, payer, amount, received, banked, note in RECEIPTS:
            services.record_receipt(
                actor=run.bookkeeper,
                village=villages[village],
                category=category,
                payer=payer,
                amount=amount,
                received_on=today - dt.timedelta(days=received),
                banked_on=today - dt.timedelta(days=banked),
                bank_reference=f"RCV{_seed(note) % 10**10:010d}",
                note=note,
            )
        projects = {
            p.name: p
            for p in Project.objects.filter(
                name__in={pay.project for pay in PROJECT_PAYMENTS} | {W14_IMPORTED[0]}
            ).select_related("village")
        }
        pay_projects(run, [(projects[pay.project], pay) for pay in PROJECT_PAYMENTS])
        item = power_item()
        for spec in HISTORY + W12_UNPAID + W13_RED + W13_YELLOW + W13_NEAR:
            day = today - dt.timedelta(days=spec.submitted)
            run.enter(spec, village=villages[spec.village], day=day, item=item)
        name, spec = W14_IMPORTED
        run.enter(
            spec,
            village=projects[name].village,
            day=today - dt.timedelta(days=spec.submitted),
            item=power_item(PowerItem.AppliesTo.PROJECT),
            project=projects[name],
            project_stage=Stage.SETTLEMENT,
        )
        for spec in REQUESTS:
            day = today - dt.timedelta(days=spec.submitted)
            run.request(spec, village=villages[spec.village], day=day, item=item)
        retire_accounts()
    return (
        f"  {'village money':<22} {Payee.objects.count()} payees, "
        f"{PaymentRequest.objects.count()} payment requests, {Receipt.objects.count()} receipts"
    )


def connect(app: AppConfig) -> None:
    """Register this module's part when Django starts (see finance.hooks): the demo money is
    made when the demo record is loaded, before the warnings' demo (alerts comes after finance
    in INSTALLED_APPS) evaluates the rules."""
    demo_loaded.connect(load, dispatch_uid="finance-demo")
