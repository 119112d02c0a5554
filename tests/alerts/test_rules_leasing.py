"""The leasing rules W01-W04 and W10 on their planted cases and near misses, with their
parameters from settings and from the admin, in a bounded number of queries; and the demo's
planted cases (alerts/demo_leasing.py), which load_demo evaluates when the test database is made.

Records are made through the leasing services with actor=None, as the demo loader makes them.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from alerts import demo_leasing, engine
from alerts.models import ACTIVE_STATES, Alert, Level, RuleSetting
from alerts.rules import Context, get_rule
from leasing import auctions
from leasing import services as lease_services
from leasing.models import Auction, Lease, add_months
from registry.models import AdminUnit, Asset

pytestmark = pytest.mark.django_db

CODES = ("W01", "W02", "W03", "W04", "W10")


def today() -> dt.date:
    return timezone.localdate()


def many(n: int, kind: str = Asset.Kind.BUILDING) -> list[Asset]:
    """`n` assets of `kind` never leased nor auctioned."""
    return list(
        Asset.objects.filter(kind=kind, leases__isnull=True, auctions__isnull=True)
        .exclude(status=Asset.Status.RETIRED)
        .order_by("pk")[:n]
    )


def free(kind: str = Asset.Kind.BUILDING) -> Asset:
    return many(1, kind)[0]


def make_lease(
    start_on: dt.date,
    end_on: dt.date,
    rent: str = "12000",
    *,
    asset: Asset | None = None,
    **fields,
) -> Lease:
    values = {
        "tenant_name": "测试租户",
        "annual_rent": Decimal(rent),
        "payment_schedule": Lease.Schedule.ANNUAL,
        "awarded_by": Lease.Award.TENDER,
    }
    return lease_services.create_lease(
        actor=None,
        asset=asset or free(),
        start_on=start_on,
        end_on=end_on,
        **(values | fields),
    )


def pay(lease: Lease, paid_on: dt.date, amount: str) -> None:
    lease_services.record_lease_payment(lease, actor=None, paid_on=paid_on, amount=Decimal(amount))


def alert_on(code: str, key: str, on: dt.date | None = None, **kwargs) -> Alert | None:
    """Evaluate the rule `on` the day and return its alert under `key` if the condition holds
    (an alert that has been red stays, yellow, after its condition is gone: not this one)."""
    engine.evaluate(get_rule(code), today=on or today(), **kwargs)
    return Alert.objects.filter(rule=code, key=key, state__in=ACTIVE_STATES, holds=True).first()


def level_on(code: str, key: str, on: dt.date | None = None, **kwargs) -> str | None:
    alert = alert_on(code, key, on, **kwargs)
    return alert.level if alert else None


# W01 rent arrears -------------------------------------------------------------------------------


@pytest.fixture
def second_year_unpaid() -> tuple[Lease, dt.date]:
    """A 3-year lease at 12,000 yuan a year paid in advance; the first year paid, the second due
    on the returned day."""
    start_on = add_months(today(), -18)
    lease = make_lease(start_on, add_months(start_on, 36))
    pay(lease, start_on, "12000")
    return lease, add_months(start_on, 12)


def test_arrears_are_yellow_from_30_days_and_red_from_60(second_year_unpaid):
    lease, due_on = second_year_unpaid
    key = f"lease:{lease.pk}"
    assert level_on("W01", key, due_on + dt.timedelta(days=29)) is None
    assert level_on("W01", key, due_on + dt.timedelta(days=30)) == Level.YELLOW
    assert level_on("W01", key, due_on + dt.timedelta(days=59)) == Level.YELLOW
    alert = alert_on("W01", key, due_on + dt.timedelta(days=60))
    assert alert.level == Level.RED
    assert alert.unit_id == lease.asset.village_id and alert.subject == lease
    assert alert.numbers == {"arrears": "12,000.00", "days": 60, "due_on": due_on.isoformat()}
    assert [item["model"] for item in alert.evidence] == ["leasing.lease", "leasing.leasepayment"]
    assert "12,000.00" in alert.explanation() and due_on.isoformat() in alert.explanation()


def test_a_lease_paid_in_full_raises_nothing(second_year_unpaid):
    lease, due_on = second_year_unpaid
    pay(lease, due_on, "12000")
    assert level_on("W01", f"lease:{lease.pk}", due_on + dt.timedelta(days=200)) is None


def test_payments_cover_the_oldest_period_first_so_a_part_paid_period_is_the_one_in_arrears():
    start_on = add_months(today(), -12)
    lease = make_lease(
        start_on, add_months(start_on, 24), payment_schedule=Lease.Schedule.QUARTERLY
    )
    pay(lease, start_on, "4500")  # the first quarter (3,000) and half the second
    second_quarter = add_months(start_on, 3)
    alert = alert_on("W01", f"lease:{lease.pk}", second_quarter + dt.timedelta(days=45))
    assert alert.level == Level.YELLOW
    assert alert.numbers == {
        "arrears": "1,500.00",
        "days": 45,
        "due_on": second_quarter.isoformat(),
    }


def test_a_monthly_rent_paid_to_the_cent_each_month_is_not_in_arrears():
    start_on = dt.date(2026, 7, 1)  # the fourth month, October, has 31 days
    lease = make_lease(
        start_on, add_months(start_on, 36), "110500", payment_schedule=Lease.Schedule.MONTHLY
    )
    for month in range(4):  # 110,500 / 12 = 9,208.33 a month
        pay(lease, add_months(start_on, month), "9208.33")
    on = dt.date(2026, 10, 31)  # 30 days after the fourth month fell due, the day before the fifth
    assert lease.amount_due(on) - Decimal("36833.32") == Decimal("0.01")  # the exact sum
    assert level_on("W01", f"lease:{lease.pk}", on) is None


def test_an_ended_lease_still_owing_stays_a_warning_until_paid():
    start_on = add_months(today(), -30)
    lease = make_lease(start_on, add_months(start_on, 12), "10000")
    key = f"lease:{lease.pk}"
    alert = alert_on("W01", key)
    assert alert.level == Level.RED and alert.numbers["arrears"] == "10,000.00"
    pay(lease, today(), "10000")
    engine.evaluate(get_rule("W01"), today=today())
    alert.refresh_from_db()
    assert not alert.holds


def test_arrears_parameters_come_from_settings_and_from_the_admin(second_year_unpaid):
    lease, due_on = second_year_unpaid
    key = f"lease:{lease.pk}"
    with override_settings(ALERT_RULES={"W01": {"yellow_days": 10, "red_days": 20}}):
        assert level_on("W01", key, due_on + dt.timedelta(days=9)) is None
        assert level_on("W01", key, due_on + dt.timedelta(days=10)) == Level.YELLOW
        assert level_on("W01", key, due_on + dt.timedelta(days=20)) == Level.RED
    RuleSetting.objects.create(rule="W01", params={"red_days": 40})
    assert level_on("W01", key, due_on + dt.timedelta(days=45)) == Level.RED
    RuleSetting.objects.filter(rule="W01").update(params={"min_amount": "12000.01"})
    assert level_on("W01", key, due_on + dt.timedelta(days=90)) is None


def test_arrears_are_found_only_in_the_villages_asked_about(second_year_unpaid):
    lease, due_on = second_year_unpaid
    key, on = f"lease:{lease.pk}", due_on + dt.timedelta(days=40)
    other = AdminUnit.objects.filter(level="village").exclude(pk=lease.asset.village_id).first()
    assert level_on("W01", key, on, villages=frozenset({other.pk})) is None
    assert level_on("W01", key, on, villages=frozenset({lease.asset.village_id})) == Level.YELLOW


# W02 lease term too long ------------------------------------------------------------------------


def years_from(start_on: dt.date, years: int, kind: str = Asset.Kind.BUILDING, **fields):
    return make_lease(start_on, add_months(start_on, 12 * years), asset=free(kind), **fields)


def test_a_building_let_past_5_years_is_yellow_and_past_10_red():
    start_on = today() + dt.timedelta(days=10)
    five, six, ten, eleven = (years_from(start_on, years) for years in (5, 6, 10, 11))
    assert level_on("W02", f"lease:{five.pk}") is None
    assert level_on("W02", f"lease:{six.pk}") == Level.YELLOW
    assert level_on("W02", f"lease:{ten.pk}") == Level.YELLOW
    alert = alert_on("W02", f"lease:{eleven.pk}")
    assert alert.level == Level.RED
    assert alert.numbers["max_years"] == 5 and alert.numbers["years"] == "11.0"
    with translation.override("en"):
        assert "is 5 years" in alert.explanation() and "(Building)" in alert.explanation()


def test_land_may_be_let_for_15_years_and_an_ended_long_lease_is_history():
    start_on = today() - dt.timedelta(days=10)
    fifteen = years_from(start_on, 15, Asset.Kind.PARCEL)
    sixteen = years_from(start_on, 16, Asset.Kind.PARCEL)
    past = years_from(add_months(today(), -12 * 9), 8)
    assert level_on("W02", f"lease:{fifteen.pk}") is None
    assert level_on("W02", f"lease:{sixteen.pk}") == Level.YELLOW
    assert level_on("W02", f"lease:{past.pk}") is None


def test_the_longest_terms_come_from_settings_and_red_from_the_admin(settings):
    eight = years_from(today(), 8)
    key = f"lease:{eight.pk}"
    assert level_on("W02", key) == Level.YELLOW
    settings.LEASE_MAX_YEARS = {"building": 10, "facility": 5, "parcel": 15}
    assert level_on("W02", key) is None
    settings.LEASE_MAX_YEARS = {"building": 5, "facility": 5, "parcel": 15}
    RuleSetting.objects.create(rule="W02", params={"red_times": 1})
    assert level_on("W02", key) == Level.RED


# W03 favour rent -------------------------------------------------------------------------------


def assessed(rent: str, valuation: str = "40000", start_on: dt.date | None = None) -> str:
    start_on = start_on or today()
    lease = make_lease(
        start_on, add_months(start_on, 36), rent, asset=free(), valuation=Decimal(valuation)
    )
    return f"lease:{lease.pk}"


def test_a_rent_more_than_20_percent_below_the_valuation_is_yellow_and_40_red():
    at_limit, under, at_red, under_red = (
        assessed(rent) for rent in ("32000", "31999.99", "24000", "23999.99")
    )
    assert level_on("W03", at_limit) is None
    assert level_on("W03", under) == Level.YELLOW
    assert level_on("W03", at_red) == Level.YELLOW
    alert = alert_on("W03", under_red)
    assert alert.level == Level.RED
    assert alert.numbers == {
        "rent": "23,999.99",
        "valuation": "40,000.00",
        "below_percent": "40.0",
        "allowed": "20",
    }


def test_a_favour_rent_that_has_ended_or_has_no_valuation_is_not_a_warning():
    ended = assessed("10000", start_on=add_months(today(), -48))
    start_on = today()
    none = make_lease(start_on, add_months(start_on, 12), "10", asset=free())
    assert level_on("W03", ended) is None
    assert level_on("W03", f"lease:{none.pk}") is None


def test_favour_rent_percentages_come_from_settings_and_from_the_admin():
    key = assessed("34000")  # 15 % below
    assert level_on("W03", key) is None
    with override_settings(ALERT_RULES={"W03": {"percent": "10"}}):
        assert level_on("W03", key) == Level.YELLOW
    RuleSetting.objects.create(rule="W03", params={"percent": "10", "red_percent": "12"})
    assert level_on("W03", key) == Level.RED


# W04 lease without public bidding --------------------------------------------------------------


def negotiated(rent: str, years: int, start_on: dt.date | None = None, **fields) -> Lease:
    start_on = start_on or today() + dt.timedelta(days=10)
    fields = {"awarded_by": Lease.Award.NEGOTIATION} | fields
    return make_lease(start_on, add_months(start_on, 12 * years), rent, asset=free(), **fields)


def renew(lease: Lease, years: int) -> Lease:
    return lease_services.renew_lease(
        lease,
        actor=None,
        end_on=add_months(lease.end_on, 12 * years),
        annual_rent=lease.annual_rent,
    )


def test_a_negotiated_lease_at_50000_yuan_or_for_5_years_is_red_and_under_both_nothing():
    at_rent = negotiated("50000", 3)
    under = negotiated("49999.99", 4)
    long = negotiated("20000", 5)
    tendered = negotiated("90000", 5, awarded_by=Lease.Award.TENDER)
    past = negotiated("90000", 3, start_on=add_months(today(), -48))
    alert = alert_on("W04", f"lease:{at_rent.pk}")
    assert alert.level == Level.RED
    assert alert.numbers["award"] == "negotiation" and alert.numbers["rent"] == "50,000.00"
    assert level_on("W04", f"lease:{long.pk}") == Level.RED
    for quiet in (under, tendered, past):
        assert level_on("W04", f"lease:{quiet.pk}") is None


def test_a_renewal_is_judged_by_the_lease_its_chain_began_with():
    competed = negotiated("90000", 3, awarded_by=Lease.Award.AUCTION)
    short = negotiated("30000", 3)
    competed_renewal, short_renewal = renew(competed, 3), renew(short, 3)
    assert level_on("W04", f"lease:{short.pk}") is None
    alert = alert_on("W04", f"lease:{short_renewal.pk}")
    assert alert.level == Level.RED  # 6 years held without public bidding
    assert alert.numbers["since"] == short.start_on.isoformat() and alert.numbers["years"] == "6.0"
    assert [item["id"] for item in alert.evidence] == [short.pk, short_renewal.pk]
    assert level_on("W04", f"lease:{competed_renewal.pk}") is None


def test_a_renewal_without_its_first_lease_on_the_register_is_yellow():
    start_on = today() + dt.timedelta(days=10)
    asset = free()
    previous = make_lease(start_on, add_months(start_on, 12), "60000", asset=asset)
    unlinked = negotiated("60000", 2, awarded_by=Lease.Award.RENEWAL)
    follows = make_lease(
        previous.end_on,
        add_months(previous.end_on, 24),
        "60000",
        asset=asset,
        awarded_by=Lease.Award.RENEWAL,
    )
    assert level_on("W04", f"lease:{unlinked.pk}") == Level.YELLOW
    assert level_on("W04", f"lease:{follows.pk}") is None  # continues a tendered lease
    RuleSetting.objects.create(rule="W04", params={"unrecorded_renewals": 0})
    assert level_on("W04", f"lease:{unlinked.pk}") is None


def test_the_bidding_thresholds_come_from_settings_and_from_the_admin():
    key = f"lease:{negotiated('60000', 3).pk}"
    with override_settings(ALERT_RULES={"W04": {"auction_min_annual_rent": "100000"}}):
        assert level_on("W04", key) is None
    RuleSetting.objects.create(
        rule="W04", params={"auction_min_annual_rent": "100000", "auction_min_years": 3}
    )
    assert level_on("W04", key) == Level.RED


# W10 auction without competition --------------------------------------------------------------


def held_auction(held_days_ago: int, bids=()) -> Auction:
    """An auction held `held_days_ago` days ago, its lease starting in 30 days (or, when it
    fails, 15 days after the auction), with `bids` as (paddle, bidder, amount), then its result."""
    held_on = today() - dt.timedelta(days=held_days_ago)
    lease_start_on = today() + dt.timedelta(days=30) if bids else held_on + dt.timedelta(days=15)
    auction = auctions.announce_auction(
        free(),
        actor=None,
        title="测试租赁权公开拍租",
        announced_on=held_on - dt.timedelta(days=10),
        held_on=held_on,
        place="村委会会议室",
        reserve_price=Decimal("20000"),
        increment=Decimal("500"),
        lease_start_on=lease_start_on,
        lease_end_on=add_months(lease_start_on, 36),
    )
    for minute, (paddle, bidder, amount) in enumerate(bids):
        auctions.record_bid(
            auction,
            actor=None,
            paddle=paddle,
            bidder_name=bidder,
            amount=Decimal(amount),
            placed_at=timezone.make_aware(dt.datetime.combine(held_on, dt.time(10, minute))),
        )
    return auctions.publish_result(auction, actor=None, published_on=held_on)


def test_an_auction_won_by_its_only_bidder_is_yellow():
    one_bid = held_auction(20, [(1, "张三", "20000")])
    raised_alone = held_auction(20, [(1, "张三", "20000"), (1, "张三", "21000")])
    renamed = held_auction(20, [(1, "张三", "20000"), (2, "张三", "21000")])
    contested = held_auction(20, [(1, "张三", "20000"), (2, "李四", "20500")])
    alert = alert_on("W10", f"auction:{one_bid.pk}:single")
    assert alert.level == Level.YELLOW and alert.subject == one_bid
    assert alert.numbers["rent"] == "20,000.00" and alert.numbers["kind"] == "single"
    assert {item["model"] for item in alert.evidence} == {"leasing.auction", "leasing.lease"}
    assert level_on("W10", f"auction:{raised_alone.pk}:single") == Level.YELLOW
    assert level_on("W10", f"auction:{renamed.pk}:single") == Level.YELLOW
    assert level_on("W10", f"auction:{contested.pk}:single") is None


def test_a_failed_auction_then_a_direct_lease_within_six_months_is_red():
    def relet(days_after: int, **fields) -> Auction:
        failed = held_auction(300)
        assert failed.status == Auction.Status.FAILED
        start_on = failed.held_on + dt.timedelta(days=days_after)
        fields = {"awarded_by": Lease.Award.NEGOTIATION} | fields
        make_lease(start_on, add_months(start_on, 36), asset=failed.asset, **fields)
        return failed

    soon, late = relet(60), relet(200)
    at_edge, tendered = relet(183), relet(60, awarded_by=Lease.Award.TENDER)
    alert = alert_on("W10", f"auction:{soon.pk}:relet")
    assert alert.level == Level.RED
    assert alert.numbers["days"] == 60 and alert.numbers["kind"] == "relet"
    with translation.override("en"):
        assert "60 days later" in alert.explanation()
    assert [item["model"] for item in alert.evidence] == ["leasing.auction", "leasing.lease"]
    assert level_on("W10", f"auction:{at_edge.pk}:relet") == Level.RED
    assert level_on("W10", f"auction:{late.pk}:relet") is None
    assert level_on("W10", f"auction:{tendered.pk}:relet") is None
    with override_settings(ALERT_RULES={"W10": {"relet_days": 30}}):
        assert level_on("W10", f"auction:{soon.pk}:relet") is None
    RuleSetting.objects.create(rule="W10", params={"relet_days": 365})
    assert level_on("W10", f"auction:{late.pk}:relet") == Level.RED


# All five --------------------------------------------------------------------------------------


def test_the_demo_plants_a_warning_for_every_leasing_rule_and_near_misses_that_stay_quiet():
    """load_demo planted these and evaluated every rule (alerts.demo) when the test database
    was made, on the same day."""
    seen = {}
    for planted in demo_leasing.PLANTED:
        if planted.auction:
            auction = Auction.objects.get(title=planted.auction)
            keys = [f"auction:{auction.pk}:single", f"auction:{auction.pk}:relet"]
        else:
            leases = Lease.objects.filter(tenant_name=planted.tenant)
            if planted.renewal:
                leases = leases.filter(awarded_by=Lease.Award.RENEWAL)
            else:
                leases = leases.exclude(awarded_by=Lease.Award.RENEWAL)
            keys = [f"lease:{leases.get().pk}"]
        levels = list(
            Alert.objects.filter(
                rule=planted.code, key__in=keys, state__in=ACTIVE_STATES
            ).values_list("level", flat=True)
        )
        seen[planted] = levels
        assert levels == ([planted.level] if planted.level else []), planted
    assert {p.code for p, levels in seen.items() if levels} == set(CODES)


def owing(n: int) -> None:
    """`n` leases that ended a year ago with half their rent unpaid."""
    start_on = add_months(today(), -24)
    for asset in many(n):
        pay(make_lease(start_on, add_months(start_on, 12), "1000", asset=asset), start_on, "500")


def uncompeted(n: int) -> None:
    """`n` single-bid auctions, and `n` failed ones followed by a negotiated lease."""
    for _ in range(n):
        held_auction(20, [(1, "张三", "20000")])
        failed = held_auction(300)
        start_on = failed.held_on + dt.timedelta(days=60)
        make_lease(
            start_on,
            add_months(start_on, 36),
            asset=failed.asset,
            awarded_by=Lease.Award.NEGOTIATION,
        )


MAKERS = {
    "W01": owing,
    "W02": lambda n: [years_from(today(), 7) for _ in range(n)],
    "W03": lambda n: [assessed("10000") for _ in range(n)],
    "W04": lambda n: [renew(negotiated("60000", 1), 1) for _ in range(n)],
    "W10": uncompeted,
}


def run(code: str) -> int:
    """What the engine does with a rule's findings that reads the database: the findings, their
    evidence as JSON and their subjects' names. The number of findings."""
    rule = get_rule(code)
    findings = list(rule.find(Context(today=today(), params=rule.parameters())))
    for finding in findings:
        [item.as_json() for item in finding.evidence]
        str(finding.subject)
    return len(findings)


@pytest.mark.parametrize("code", CODES)
def test_a_rule_reads_as_many_queries_for_20_leases_as_for_2(code, django_assert_max_num_queries):
    MAKERS[code](2)
    with CaptureQueriesContext(connection) as two:
        found = run(code)
    MAKERS[code](18)
    with django_assert_max_num_queries(len(two.captured_queries)):
        assert run(code) >= found + 18
