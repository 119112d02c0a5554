"""Demo auctions, a renewal and a declared sublet, all through the services (actor=None).

The seed's story: Baiyanqiao's cooperative (白岩桥, Anyang) puts the lease right of a collective
property up for public auction after an announcement; several rounds of bids, the highest wins and
its lease is created. Beside it one auction still to come (Dong'ao, Caocun) and one that drew no
bid (流拍, Gao'ao, Maxu). Dates are fixed around the demo's DEMO_TODAY (2026-11-01).
"""

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from registry import auctions, demo, leasing, services
from registry.models import Asset, Lease
from registry.models.leases import add_months

BIDDERS = [
    ("陈建国", Lease.TenantKind.PERSON),
    ("林晓燕", Lease.TenantKind.PERSON),
    ("瑞安市安阳物流有限公司", Lease.TenantKind.ORGANISATION),
    ("黄志明", Lease.TenantKind.PERSON),
]


def _round(value: float, step: int) -> Decimal:
    return (Decimal(value) / step).quantize(Decimal(1), ROUND_HALF_UP) * step


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"


def _free(village: str, kinds: Q) -> Asset:
    """The first asset of the village, of the kinds asked, that has never been leased."""
    return (
        Asset.objects.filter(kinds, village__name=village, leases__isnull=True)
        .exclude(status=Asset.Status.RETIRED)
        .order_by("pk")
        .first()
    )


def baiyanqiao_auction(rng: random.Random) -> None:
    asset = _free("白岩桥村", Q(building_use="warehouse")) or _free("白岩桥村", Q(kind="building"))
    reserve = _round(float(asset.floor_area_m2 or 400) * 160, 1000)
    auction = auctions.announce_auction(
        asset,
        actor=None,
        title=f"白岩桥股份经济合作社{asset.name}租赁权公开拍租",
        announced_on=dt.date(2026, 8, 25),
        held_on=dt.date(2026, 9, 15),
        place="安阳街道白岩桥村委会三楼会议室",
        reserve_price=reserve,
        increment=Decimal("1000"),
        deposit=_round(float(reserve) / 4, 1000),
        lease_start_on=dt.date(2026, 10, 1),
        lease_end_on=dt.date(2029, 10, 1),
        conditions=(
            "竞买人须于拍租日前一日17:00前缴纳竞买保证金，未成交者全额退还；"
            "租赁物仅限仓储使用，未经申报不得转租；租金按年预付；"
            "成交后5个工作日内签订租赁合同，竞买保证金转为履约保证金。"
            "拍租全程由村监察工作联络站现场监督。"
        ),
    )
    amount = reserve
    called_at = timezone.make_aware(dt.datetime(2026, 9, 15, 9, 30))
    bidder = rng.randrange(len(BIDDERS))
    for _round_number in range(8):
        name, kind = BIDDERS[bidder]
        auctions.record_bid(
            auction,
            actor=None,
            paddle=bidder + 1,
            bidder_name=name,
            bidder_kind=kind,
            bidder_contact=_mobile(rng),
            amount=amount,
            placed_at=called_at,
        )
        amount += auction.increment * rng.choice((1, 1, 2, 3))
        called_at += dt.timedelta(seconds=rng.randint(40, 150))
        bidder = rng.choice([i for i in range(len(BIDDERS)) if i != bidder])
    auction = auctions.publish_result(auction, actor=None, published_on=dt.date(2026, 9, 15))
    services.record_lease_payment(
        auction.lease,
        actor=None,
        paid_on=dt.date(2026, 9, 28),
        amount=auction.lease.annual_rent,
        bank_reference=f"RNSB20260928{rng.randint(0, 99999):05d}",
    )


def upcoming_auction() -> None:
    asset = (
        Asset.objects.filter(village__name="东岙村", kind="building", leases__isnull=False)
        .exclude(leases__end_on__gt=demo.DEMO_TODAY)
        .order_by("pk")
        .first()
    ) or _free("东岙村", Q(kind="building"))
    auctions.announce_auction(
        asset,
        actor=None,
        title=f"东岙村{asset.name.removeprefix('东岙村')}租赁权公开拍租",
        announced_on=demo.DEMO_TODAY - dt.timedelta(days=4),
        held_on=dt.date(2026, 12, 8),
        place="曹村镇东岙村文化礼堂",
        reserve_price=_round(float(asset.floor_area_m2 or 150) * 70, 100),
        increment=Decimal("200"),
        deposit=Decimal("2000"),
        lease_start_on=dt.date(2027, 1, 1),
        lease_end_on=dt.date(2030, 1, 1),
        payment_schedule=Lease.Schedule.SEMIANNUAL,
        conditions="竞买人须为本市居民或企业；不得经营高污染行业；租金每半年预付。",
    )


def failed_auction() -> None:
    asset = _free("高岙村", Q(kind="parcel")) or _free("高岙村", Q(kind="building"))
    area_mu = float(asset.area_mu or 10)
    auction = auctions.announce_auction(
        asset,
        actor=None,
        title=f"{asset.name}经营权公开拍租",
        announced_on=dt.date(2026, 9, 1),
        held_on=dt.date(2026, 9, 20),
        place="马屿镇高岙村村委会",
        reserve_price=_round(area_mu * 900, 100),
        increment=Decimal("100"),
        deposit=Decimal("1000"),
        lease_start_on=dt.date(2026, 10, 1),
        lease_end_on=dt.date(2031, 10, 1),
        conditions="土地仅限农业种植，不得改变用途。",
    )
    auctions.publish_result(auction, actor=None, published_on=dt.date(2026, 9, 20))


def renewal_and_sublet() -> None:
    today = demo.DEMO_TODAY
    running = (
        Lease.objects.filter(asset__village__name="白岩桥村", start_on__lte=today, end_on__gt=today)
        .exclude(awarded_by=Lease.Award.NEGOTIATION)
        .select_related("asset")
    )
    shops = running.filter(asset__building_use="shop").annotate(paid=Sum("payments__amount"))
    shop = next(
        lease
        for lease in shops.order_by("end_on", "pk")
        if not lease.arrears(demo.DEMO_TODAY, lease.paid or 0)
    )
    leasing.renew_lease(
        shop,
        actor=None,
        end_on=add_months(shop.end_on, 36),
        annual_rent=_round(float(shop.annual_rent) * 1.05, 100),
    )
    factory = (
        running.filter(asset__building_use="factory", tenant_kind=Lease.TenantKind.ORGANISATION)
        .order_by("pk")
        .first()
    )
    start = demo.DEMO_TODAY.replace(day=1)
    leasing.declare_sublet(
        factory,
        actor=None,
        subtenant_name="瑞安市安阳鞋材加工厂",
        subtenant_kind=Lease.TenantKind.ORGANISATION,
        start_on=start,
        end_on=min(factory.end_on, add_months(start, 24)),
        purpose="厂房二层用于鞋材仓储",
        declared_on=demo.DEMO_TODAY - dt.timedelta(days=20),
    )


def create_auctions(rng: random.Random) -> None:
    baiyanqiao_auction(rng)
    upcoming_auction()
    failed_auction()
    renewal_and_sublet()
