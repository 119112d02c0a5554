"""Planted leasing cases for the demo: leases, payments and auctions that trip W01-W04 and W10,
and near misses beside them that must not.

They are made through the leasing services with actor=None, as the demo loader makes the rest of
the demo, on assets of the demo that were never leased nor auctioned, in villages the rest of the
demo leaves quiet (岩头村, 南堡村, 平阳坑村, 曹东村, 湖岭村). Their dates are reckoned back
from the day the demo is loaded, so each shows its level that day; afterwards the calendar goes on
as it does for the real record (an unpaid rent turns from yellow to red).

Every planted record is named in PLANTED by its tenant (a lease) or its title (an auction), with
the level its rule gives it, None for a near miss; tests/alerts/test_rules_leasing.py checks them.
The demo's own records add cases of their own (a 30-year negotiated lease of a building, favour
rents, renewals whose first lease is not on the register).
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from leasing import auctions
from leasing import services as lease_services
from leasing.models import Auction, Lease, add_months
from registry.models import Asset


@dataclass(frozen=True)
class Planted:
    code: str
    level: str | None  # "yellow" or "red"; None for a near miss
    tenant: str = ""  # the lease's tenant (its renewal when `renewal`) ...
    auction: str = ""  # ... or the auction's title
    renewal: bool = False


PLANTED = (
    Planted("W01", "red", tenant="瑞安市岩头五金加工厂"),
    Planted("W01", "yellow", tenant="周丽华"),
    Planted("W01", None, tenant="瑞安市岩头农家乐有限公司"),  # due 15 days ago
    Planted("W01", None, tenant="郑国强"),  # paid up
    Planted("W02", "yellow", tenant="瑞安市南堡竹木制品厂"),  # a building for 8 years
    Planted("W02", None, tenant="郑国强"),  # a building for exactly 5 years
    Planted("W03", "yellow", tenant="瑞安市平阳坑蓝夹缬工坊"),  # 30 % below the valuation
    Planted("W03", None, tenant="潘美玲"),  # exactly 20 % below
    Planted("W04", "red", tenant="瑞安市曹东农产品贸易有限公司"),  # negotiated, 68,000 a year
    Planted("W04", None, tenant="吴建新"),  # negotiated, 30,000 a year for 3 years
    Planted("W04", "red", tenant="吴建新", renewal=True),  # ... renewed: 6 years uncompeted
    Planted("W04", None, tenant="瑞安市湖岭茶叶专业合作社", renewal=True),  # renews an auction
    Planted("W10", "yellow", auction="湖岭村老茶厂仓库租赁权公开拍租"),  # one bidder
    Planted("W10", None, auction="湖岭村村口店面租赁权公开拍租"),  # two bidders
    Planted("W10", "red", auction="湖岭村旧碾米厂租赁权公开拍租"),  # 流拍, negotiated 60 days on
    Planted("W10", None, auction="湖岭村旧仓库租赁权公开拍租"),  # 流拍, negotiated 210 days on
)


def free_assets(village: str) -> Iterator[Asset]:
    """The village's buildings never leased nor auctioned, idle ones first."""
    assets = (
        Asset.objects.filter(village__name=village, kind=Asset.Kind.BUILDING, leases__isnull=True)
        .filter(auctions__isnull=True)
        .exclude(status=Asset.Status.RETIRED)
        .order_by("pk")
    )
    yield from sorted(assets, key=lambda asset: asset.status != Asset.Status.IDLE)
    raise LookupError(f"the demo has no more free buildings in {village}")


def kind_of(name: str) -> str:
    if name.endswith(("公司", "厂", "合作社", "工坊", "商店")):
        return Lease.TenantKind.ORGANISATION
    return Lease.TenantKind.PERSON


def lease(asset: Asset, tenant: str, start_on: dt.date, years: int, rent: int, **fields) -> Lease:
    values = {
        "tenant_name": tenant,
        "tenant_kind": kind_of(tenant),
        "annual_rent": Decimal(rent),
        "valuation": Decimal(rent),
        "payment_schedule": Lease.Schedule.ANNUAL,
        "deposit": Decimal(rent // 4),
        "awarded_by": Lease.Award.TENDER,
    }
    return lease_services.create_lease(
        actor=None,
        asset=asset,
        start_on=start_on,
        end_on=add_months(start_on, 12 * years),
        **(values | fields),
    )


def pay(lease: Lease, *on: dt.date) -> None:
    for day in on:
        lease_services.record_lease_payment(
            lease,
            actor=None,
            paid_on=day,
            amount=lease.annual_rent,
            bank_reference=f"RNSB{day:%Y%m%d}{lease.pk:05d}",
        )


def auction(asset: Asset, title: str, held_on: dt.date, lease_start_on: dt.date) -> Auction:
    return auctions.announce_auction(
        asset,
        actor=None,
        title=title,
        announced_on=held_on - dt.timedelta(days=10),
        held_on=held_on,
        place="湖岭镇湖岭村村委会会议室",
        reserve_price=Decimal("20000"),
        increment=Decimal("500"),
        deposit=Decimal("5000"),
        lease_start_on=lease_start_on,
        lease_end_on=add_months(lease_start_on, 36),
        conditions="拍租全程由村监察工作联络站现场监督。",
    )


def bid(auction: Auction, paddle: int, bidder: str, amount: int, minute: int) -> None:
    placed_at = timezone.make_aware(dt.datetime.combine(auction.held_on, dt.time(9, minute)))
    auctions.record_bid(
        auction,
        actor=None,
        paddle=paddle,
        bidder_name=bidder,
        bidder_kind=kind_of(bidder),
        amount=Decimal(amount),
        placed_at=placed_at,
    )


def plant() -> None:
    """Leases and auctions that trip W01-W04 and W10, and near misses that must not."""
    today = timezone.localdate()
    soon = today + dt.timedelta(days=30)  # leases not yet running owe no rent yet

    # W01: annual rent paid for the first year only, the second year due 75, 45 and 15 days
    # ago; and a lease paid up (also a building let for exactly the 5 years W02 allows).
    yantou = free_assets("岩头村")
    arrears = (("瑞安市岩头五金加工厂", 75), ("周丽华", 45), ("瑞安市岩头农家乐有限公司", 15))
    for tenant, days in arrears:
        start_on = add_months(today - dt.timedelta(days=days), -12)
        pay(lease(next(yantou), tenant, start_on, 3, 24000), start_on)
    start_on = add_months(today, -14)
    pay(lease(next(yantou), "郑国强", start_on, 5, 18000), start_on, add_months(start_on, 12))

    # W02: a building let for 8 years (the limit is 5).
    lease(next(free_assets("南堡村")), "瑞安市南堡竹木制品厂", soon, 8, 30000)

    # W03: rents 30 % and exactly 20 % below the assessed 40,000 yuan.
    pingyangkeng = free_assets("平阳坑村")
    for tenant, rent in (("瑞安市平阳坑蓝夹缬工坊", 28000), ("潘美玲", 32000)):
        lease(next(pingyangkeng), tenant, soon, 3, rent, valuation=Decimal("40000"))

    # W04: negotiated leases over and under 50,000 yuan a year; the one under renewed for
    # another 3 years, so the tenancy runs 6 years without public bidding.
    caodong = free_assets("曹东村")
    negotiated = {"awarded_by": Lease.Award.NEGOTIATION}
    lease(next(caodong), "瑞安市曹东农产品贸易有限公司", soon, 3, 68000, **negotiated)
    short = lease(next(caodong), "吴建新", soon, 3, 30000, **negotiated)
    lease_services.renew_lease(
        short, actor=None, end_on=add_months(short.end_on, 36), annual_rent=Decimal("30000")
    )

    # W10: an auction with one bidder (its lease renewed: not a W04, it was competed for) and
    # one with two; two auctions with no bid, each followed by a negotiated lease, 60 days and
    # 210 days after the auction day.
    huling = free_assets("湖岭村")
    held_on = today - dt.timedelta(days=40)
    single = auction(next(huling), "湖岭村老茶厂仓库租赁权公开拍租", held_on, soon)
    bid(single, 1, "瑞安市湖岭茶叶专业合作社", 20000, 30)
    single = auctions.publish_result(single, actor=None, published_on=held_on)
    lease_services.renew_lease(
        single.lease,
        actor=None,
        end_on=add_months(single.lease.end_on, 36),
        annual_rent=Decimal("21000"),
    )
    two = auction(next(huling), "湖岭村村口店面租赁权公开拍租", held_on, soon)
    bid(two, 1, "林海燕", 20000, 30)
    bid(two, 2, "瑞安市湖岭百货商店", 20500, 32)
    auctions.publish_result(two, actor=None, published_on=held_on)
    for title, held_days, relet_days in (
        ("湖岭村旧碾米厂租赁权公开拍租", 120, 60),
        ("湖岭村旧仓库租赁权公开拍租", 300, 210),
    ):
        held_on = today - dt.timedelta(days=held_days)
        asset = next(huling)
        failed = auction(asset, title, held_on, held_on + dt.timedelta(days=15))
        auctions.publish_result(failed, actor=None, published_on=held_on)
        start_on = held_on + dt.timedelta(days=relet_days)
        tenant = "瑞安市湖岭米业有限公司" if relet_days < 183 else "陈志华"
        pay(lease(asset, tenant, start_on, 3, 15000, **negotiated), start_on)
