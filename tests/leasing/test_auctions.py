import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation

from leasing import auctions
from leasing.models import Lease
from leasing.models.auctions import Auction, Bid
from leasing.models.leases import add_months
from registry.models import Asset
from trail.models import Event

pytestmark = pytest.mark.django_db
BUDGETS = json.loads((Path(__file__).parents[1] / "query_counts.json").read_text())
TODAY = timezone.localdate


@pytest.fixture
def demo_auctions():
    """The demo's auctions of fixtures/auctions.json (the warning rules' demo plants more)."""
    steps = json.loads((settings.BASE_DIR / "fixtures" / "auctions.json").read_text())
    titles = [step["title"] for step in steps if step["do"] == "announce_auction"]
    assert Auction.objects.filter(title__startswith="白岩桥").exists()
    return Auction.objects.filter(title__in=titles)


def free_asset(village: str = "东岙村") -> Asset:
    return (
        Asset.objects.filter(village__name=village, kind="building", leases__isnull=True)
        .exclude(status=Asset.Status.RETIRED)
        .exclude(auctions__status=Auction.Status.ANNOUNCED)
        .order_by("pk")
        .first()
    )


def announce(asset: Asset | None = None, actor=None, **fields) -> Auction:
    """An auction of a Caocun building held today, so bids can be taken now. Announced five
    days ago, which only the system (actor=None, as for historical records) may record; a
    person announces today (see `announce_today`)."""
    today = TODAY()
    values = {
        "title": "测试仓库租赁权公开拍租",
        "announced_on": today - dt.timedelta(days=5),
        "held_on": today,
        "place": "村委会会议室",
        "reserve_price": Decimal("10000"),
        "increment": Decimal("500"),
        "deposit": Decimal("2000"),
        "lease_start_on": today + dt.timedelta(days=30),
        "lease_end_on": today + dt.timedelta(days=30 + 3 * 365),
        "conditions": "仅限仓储使用。",
    }
    return auctions.announce_auction(asset or free_asset(), actor=actor, **(values | fields))


def announce_today(actor, asset: Asset | None = None, **fields) -> Auction:
    """An auction announced by a person: dated today and held after the notice period."""
    today = TODAY()
    return announce(
        asset, actor=actor, announced_on=today, held_on=today + dt.timedelta(days=5), **fields
    )


def bid(auction: Auction, amount: str, paddle: int = 1, name: str = "王小明", **fields) -> Bid:
    return auctions.record_bid(
        auction,
        actor=None,
        paddle=paddle,
        bidder_name=name,
        bidder_contact="13812345678",
        amount=Decimal(amount),
        **fields,
    )


def events_of(record) -> list[Event]:
    subject_type = ContentType.objects.get_for_model(record)
    return list(Event.objects.filter(subject_type=subject_type, subject_id=record.pk))


def test_announcement_shows_on_the_public_list_and_on_the_asset_page(client, demo_user):
    auction = announce_today(demo_user("township"))
    assert [e.action for e in events_of(auction)] == [Event.Action.ANNOUNCE]

    listing = client.get(reverse("auctions:list")).content.decode()
    assert auction.title in listing
    assert reverse("auctions:detail", args=[auction.pk]) in listing
    page = client.get(reverse("portal:asset-detail", args=[auction.asset_id])).content.decode()
    assert auction.title in page
    assert "仅限仓储使用" in page
    assert "10,000" in page or "10000" in page


def test_the_list_puts_upcoming_auctions_first_and_filters_by_township(client, demo_auctions):
    upcoming = demo_auctions.get(status=Auction.Status.ANNOUNCED)
    awarded = demo_auctions.get(status=Auction.Status.AWARDED)
    html = client.get(reverse("auctions:list")).content.decode()
    assert html.index(upcoming.title) < html.index(awarded.title)
    anyang = awarded.asset.village.parent.code
    filtered = client.get(reverse("auctions:list"), {"township": anyang}).content.decode()
    assert awarded.title in filtered
    assert upcoming.title not in filtered
    failed = client.get(reverse("auctions:list"), {"status": "failed"}).content.decode()
    expected = [
        (reverse("auctions:detail", args=[a.pk]), a.title, "failed")
        for a in Auction.objects.filter(status=Auction.Status.FAILED).order_by("-held_on", "-pk")
    ]
    assert expected
    assert result_rows(failed) == expected
    assert awarded.title not in failed
    assert upcoming.title not in failed


def result_rows(html: str) -> list[tuple[str, str, str]]:
    """The Results list of the auctions page: (link, title, status) of each row."""
    results = html.split('id="result-rows"', 1)[1]
    return re.findall(
        r'<li><a href="([^"]+)">([^<]+)</a>\s*<span class="muted">[^<]*'
        r'<span class="auction-status auction-(\w+)">',
        results,
    )


def test_the_demo_tells_the_baiyanqiao_auction_story(client, demo_auctions):
    awarded = demo_auctions.get(title__startswith="白岩桥")
    assert awarded.asset.village.name == "白岩桥村"
    assert awarded.status == Auction.Status.AWARDED
    bids = list(awarded.bids.order_by("placed_at"))
    assert len(bids) >= 5
    assert awarded.winning_amount == max(b.amount for b in bids) > awarded.reserve_price
    assert awarded.lease.awarded_by == Lease.Award.AUCTION
    assert awarded.lease.annual_rent == awarded.winning_amount
    assert demo_auctions.filter(status=Auction.Status.FAILED).exists()
    assert Lease.objects.filter(awarded_by=Lease.Award.RENEWAL, renews__isnull=False).exists()

    html = client.get(reverse("auctions:detail", args=[awarded.pk])).content.decode()
    assert awarded.winner_public_name in html
    for placed in bids:
        assert placed.bidder_public_name in html
        assert placed.bidder_contact not in html
        if placed.bidder_kind == "person":
            assert placed.bidder_name not in html


def test_bids_on_the_day_are_recorded_and_logged_with_masked_names_only():
    auction = announce()
    first = bid(auction, "10000")
    second = bid(auction, "10500", paddle=2, name="李四海")
    assert [b.pk for b in auction.bids.order_by("placed_at")] == [first.pk, second.pk]
    event = events_of(second)[0]
    assert event.action == Event.Action.BID
    assert event.changes["bidder_public_name"] == "李**"
    text = json.dumps(event.changes, ensure_ascii=False)
    assert "李四海" not in text
    assert "13812345678" not in text


def test_a_bid_below_the_reserve_is_a_400_naming_the_rule_and_nothing_is_saved(client, demo_user):
    auction = announce()
    client.force_login(demo_user("township"))
    events_before = Event.objects.count()
    with translation.override("en"):
        response = client.post(
            f"/api/auctions/{auction.pk}/bids/",
            {"paddle": 1, "bidder_name": "王小明", "amount": "9999"},
            content_type="application/json",
            headers={"accept-language": "en"},
        )
    assert response.status_code == 400
    assert "reserve price" in json.dumps(response.json())
    assert not auction.bids.exists()
    assert Event.objects.count() == events_before


def test_a_raise_below_the_minimum_increment_is_refused():
    auction = announce()
    bid(auction, "10000")
    with translation.override("en"), pytest.raises(ValidationError, match="minimum raise"):
        bid(auction, "10400", paddle=2)
    bid(auction, "10500", paddle=2)
    assert auction.bids.count() == 2


def test_a_bid_not_on_the_auction_day_is_refused():
    tomorrow = announce(held_on=TODAY() + dt.timedelta(days=1))
    with translation.override("en"), pytest.raises(ValidationError, match="auction day"):
        bid(tomorrow, "20000")
    auction = announce(asset=free_asset("许岙村"))
    yesterday = timezone.now() - dt.timedelta(days=1)
    with translation.override("en"), pytest.raises(ValidationError, match="auction day"):
        bid(auction, "20000", placed_at=yesterday)
    assert not Bid.objects.filter(auction__in=[tomorrow, auction]).exists()


def test_announcement_rules_are_refused_by_name():
    today = TODAY()
    with translation.override("en"):
        with pytest.raises(ValidationError, match="at least 5 days"):
            announce(announced_on=today - dt.timedelta(days=2))
        with pytest.raises(ValidationError, match="future"):
            announce(
                announced_on=today + dt.timedelta(days=1), held_on=today + dt.timedelta(days=9)
            )
        with pytest.raises(ValidationError, match="more than zero"):
            announce(reserve_price=Decimal("0"))
        first = announce()
        with pytest.raises(ValidationError, match="already has an open auction"):
            announce(asset=first.asset)


def test_an_overlong_term_is_flagged_not_refused():
    today = TODAY()
    auction = announce(lease_end_on=today + dt.timedelta(days=30 + 10 * 365))
    with translation.override("en"):
        assert any("longer than the rules allow" in flag for flag in auction.flags())


def test_the_result_creates_the_lease_at_the_winning_bid_and_is_logged(client):
    auction = announce()
    bid(auction, "10000", paddle=1, name="王小明")
    bid(auction, "12000", paddle=2, name="瑞安市测试贸易有限公司", bidder_kind="organisation")
    bid(auction, "12500", paddle=1, name="王小明")
    auction = auctions.publish_result(auction, actor=None)

    assert auction.status == Auction.Status.AWARDED
    assert auction.winning_amount == Decimal("12500")
    assert auction.winner_public_name == "王**"
    lease = auction.lease
    assert lease.awarded_by == Lease.Award.AUCTION
    assert lease.annual_rent == Decimal("12500")
    assert lease.tenant_name == "王小明"
    assert lease.valuation == auction.reserve_price
    assert (lease.start_on, lease.end_on) == (auction.lease_start_on, auction.lease_end_on)
    assert [e.action for e in events_of(auction)] == [Event.Action.ANNOUNCE, Event.Action.AWARD]
    assert events_of(lease)[0].action == Event.Action.CREATE

    html = client.get(reverse("auctions:detail", args=[auction.pk])).content.decode()
    assert "王**" in html and "王小明" not in html
    with translation.override("en"), pytest.raises(ValidationError, match="closed"):
        bid(auction, "20000", paddle=3)


def test_an_auction_without_bids_fails(client):
    auction = auctions.publish_result(announce(), actor=None)
    assert auction.status == Auction.Status.FAILED
    assert auction.lease is None
    assert not Lease.objects.filter(asset=auction.asset).exists()
    assert "流拍" in client.get(reverse("auctions:detail", args=[auction.pk])).content.decode()


def test_a_result_before_the_auction_day_is_refused():
    auction = announce(held_on=TODAY() + dt.timedelta(days=2))
    with translation.override("en"), pytest.raises(ValidationError, match="on or after"):
        auctions.publish_result(auction, actor=None)


def test_cancelling_needs_a_reason_that_is_then_public(client):
    auction = announce()
    with translation.override("en"), pytest.raises(ValidationError, match="reason"):
        auctions.cancel_auction(auction, actor=None, reason="  ")
    auctions.cancel_auction(auction, actor=None, reason="资产需检修")
    html = client.get(reverse("auctions:detail", args=[auction.pk])).content.decode()
    assert "资产需检修" in html


def test_anonymous_users_read_but_cannot_write(client):
    auction = announce()
    assert client.get("/api/auctions/").status_code == 200
    body = client.get(f"/api/auctions/{auction.pk}/").json()
    assert body["title"] == auction.title
    response = client.post(
        f"/api/auctions/{auction.pk}/bids/",
        {"paddle": 1, "bidder_name": "王小明", "amount": "10000"},
        content_type="application/json",
    )
    assert response.status_code in (401, 403)
    assert not auction.bids.exists()


def test_staff_outside_the_assets_units_or_roles_are_refused(client, demo_user):
    baiyanqiao = announce(asset=free_asset("白岩桥村"))
    client.force_login(demo_user("township"))  # Caocun staff; Baiyanqiao is in Anyang
    response = client.post(
        f"/api/auctions/{baiyanqiao.pk}/bids/",
        {"paddle": 1, "bidder_name": "王小明", "amount": "10000"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert client.get(reverse("auctions:day", args=[baiyanqiao.pk])).status_code == 403
    caocun = announce()
    with pytest.raises(PermissionDenied):
        auctions.record_bid(
            caocun,
            actor=demo_user("supervisor"),
            paddle=1,
            bidder_name="王小明",
            amount=Decimal("10000"),
        )
    assert not Bid.objects.filter(auction__in=[baiyanqiao, caocun]).exists()


def the_auction_day_comes(pk: int, days: int) -> None:
    """Move an auction's dates `days` back, as if that many days had passed since."""
    shift = dt.timedelta(days=days)
    Auction.objects.filter(pk=pk).update(
        announced_on=F("announced_on") - shift,
        held_on=F("held_on") - shift,
        lease_start_on=F("lease_start_on") - shift,
        lease_end_on=F("lease_end_on") - shift,
    )


def test_staff_announce_bid_and_publish_through_the_api(client, demo_user):
    client.force_login(demo_user("township"))
    today = TODAY()
    payload = {
        "asset": free_asset().pk,
        "title": "API拍租",
        "announced_on": str(today),
        "held_on": str(today + dt.timedelta(days=6)),
        "place": "村委会",
        "reserve_price": "8000",
        "increment": "200",
        "lease_start_on": str(today + dt.timedelta(days=16)),
        "lease_end_on": str(today + dt.timedelta(days=806)),
    }
    created = client.post("/api/auctions/", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    the_auction_day_comes(pk, days=6)
    placed = client.post(
        f"/api/auctions/{pk}/bids/",
        {"paddle": 7, "bidder_name": "赵大勇", "bidder_contact": "13912345678", "amount": "8000"},
        content_type="application/json",
    )
    assert placed.status_code == 201
    assert placed.json()["bidder_public_name"] == "赵**"
    assert "13912345678" not in placed.content.decode()
    result = client.post(f"/api/auctions/{pk}/result/", {}, content_type="application/json")
    assert result.status_code == 200
    assert result.json()["status"] == "awarded"
    assert Lease.objects.get(pk=result.json()["lease"]).annual_rent == Decimal("8000")


def test_the_staff_screen_records_bids_with_htmx_and_publishes(client, demo_user):
    auction = announce()
    client.cookies["django_language"] = "en"
    url = reverse("auctions:day", args=[auction.pk])
    assert client.get(url).status_code == 302  # login first
    client.force_login(demo_user("township"))
    assert client.get(url).status_code == 200
    form = {
        "action": "bid",
        "bid-paddle": 3,
        "bid-bidder_name": "周明",
        "bid-bidder_kind": "person",
    }
    with translation.override("en"):
        low = client.post(url, form | {"bid-amount": "900"}, headers={"hx-request": "true"})
    assert low.status_code == 400
    assert "reserve price" in low.content.decode()
    assert 'id="panel"' in low.content.decode()
    assert "<html" not in low.content.decode()
    ok = client.post(url, form | {"bid-amount": "10000"}, headers={"hx-request": "true"})
    assert ok.status_code == 200
    assert "周*" in ok.content.decode()
    assert auction.bids.count() == 1
    published = client.post(url, {"action": "publish"})
    assert published.status_code == 302
    auction.refresh_from_db()
    assert auction.status == Auction.Status.AWARDED
    assert auction.lease.annual_rent == Decimal("10000")


@pytest.mark.parametrize("page", ["auctions:list", "auctions:detail"])
def test_auction_pages_stay_within_their_query_budget(
    client, django_assert_max_num_queries, demo_auctions, page
):
    awarded = demo_auctions.get(title__startswith="白岩桥")
    url = reverse(page, args=[awarded.pk] if page == "auctions:detail" else [])
    with django_assert_max_num_queries(BUDGETS[page]):
        response = client.get(url)
    assert response.status_code == 200


def test_the_asset_page_stays_within_its_budget_with_auctions_and_sublets(
    client, django_assert_max_num_queries, demo_auctions
):
    awarded = demo_auctions.get(title__startswith="白岩桥")
    with django_assert_max_num_queries(BUDGETS["portal:asset-detail"]):
        response = client.get(reverse("portal:asset-detail", args=[awarded.asset_id]))
    assert awarded.title in response.content.decode()


def test_the_admin_announces_through_the_service_and_shows_its_refusals(client, demo_user):
    client.force_login(demo_user("township"))
    today = TODAY()
    asset = free_asset()
    form = {
        "asset": asset.pk,
        "title": "后台拍租",
        "announced_on": str(today - dt.timedelta(days=1)),
        "held_on": str(today),
        "place": "村委会",
        "reserve_price": "6000",
        "increment": "100",
        "deposit": "0",
        "lease_start_on": str(today + dt.timedelta(days=5)),
        "lease_end_on": str(today + dt.timedelta(days=400)),
        "payment_schedule": "annual",
        "conditions": "",
        "bids-TOTAL_FORMS": "0",
        "bids-INITIAL_FORMS": "0",
    }
    url = reverse("admin:leasing_auction_add")
    client.cookies["django_language"] = "en"
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "at least 5 days" in refused.content.decode()
    assert "public only from the day it is recorded" in refused.content.decode()
    assert not Auction.objects.filter(title="后台拍租").exists()
    form["announced_on"] = str(today - dt.timedelta(days=5))  # backdated: still refused
    assert client.post(url, form).status_code == 200
    assert not Auction.objects.filter(title="后台拍租").exists()
    form["announced_on"] = str(today)
    form["held_on"] = str(today + dt.timedelta(days=5))
    assert client.post(url, form).status_code == 302
    auction = Auction.objects.get(title="后台拍租")
    assert [e.action for e in events_of(auction)] == [Event.Action.ANNOUNCE]
    change = client.get(reverse("admin:leasing_auction_change", args=[auction.pk]))
    assert change.status_code == 200
    assert reverse("auctions:day", args=[auction.pk]) in change.content.decode()
    assert client.get(reverse("admin:leasing_sublet_add")).status_code == 200
    assert client.get(reverse("admin:leasing_auction_changelist")).status_code == 200


def test_a_person_cannot_backdate_an_announcement_to_cut_the_notice_short(demo_user):
    township = demo_user("township")
    today = TODAY()
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            announce(actor=township)  # dated five days ago, held today
        assert "public only from the day it is recorded" in str(refused.value)
        assert "at least 5 days" in str(refused.value)
        with pytest.raises(ValidationError, match="at least 5 days"):
            announce(actor=township, announced_on=today, held_on=today + dt.timedelta(days=4))
    assert not Auction.objects.filter(title="测试仓库租赁权公开拍租").exists()
    auction = announce_today(township)
    assert auction.held_on == today + dt.timedelta(days=5)
    # The system may record an auction announced in the past (the demo, historical imports).
    assert announce(asset=free_asset("许岙村")).announced_on == today - dt.timedelta(days=5)


def test_far_future_lease_dates_are_refused_before_anything_is_saved(client, demo_user):
    client.force_login(demo_user("township"))
    today = TODAY()
    asset = free_asset()
    payload = {
        "asset": asset.pk,
        "title": "远期拍租",
        "announced_on": str(today),
        "held_on": str(today + dt.timedelta(days=5)),
        "place": "村委会",
        "reserve_price": "8000",
        "lease_start_on": "9998-01-01",
        "lease_end_on": "9999-12-31",
    }
    events_before = Event.objects.count()
    client.cookies["django_language"] = "en"
    response = client.post("/api/auctions/", payload, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "within 2 years of the auction day" in json.dumps(response.json())
    assert not Auction.objects.filter(title="远期拍租").exists()
    assert Event.objects.count() == events_before
    assert client.get("/api/auctions/").status_code == 200
    assert client.get(reverse("portal:asset-detail", args=[asset.pk])).status_code == 200


def test_auction_dates_stay_close_to_the_announcement():
    today = TODAY()
    held = today + dt.timedelta(days=10)
    with translation.override("en"):
        with pytest.raises(ValidationError, match="within a year of its announcement"):
            announce(held_on=today + dt.timedelta(days=400))
        with pytest.raises(ValidationError, match="within 2 years of the auction day"):
            announce(held_on=held, lease_start_on=held + dt.timedelta(days=800))
        with pytest.raises(ValidationError, match="at most 30 years"):
            announce(held_on=held, lease_start_on=held, lease_end_on=add_months(held, 12 * 31))
        with pytest.raises(ValidationError) as refused:
            announce(
                announced_on=dt.date(9999, 12, 1),
                held_on=dt.date(9999, 12, 20),
                lease_start_on=dt.date(9999, 12, 25),
                lease_end_on=dt.date(9999, 12, 31),
            )
    assert "future" in str(refused.value)
    assert not Auction.objects.filter(title="测试仓库租赁权公开拍租").exists()
    longest = announce(held_on=held, lease_start_on=held, lease_end_on=add_months(held, 360))
    with translation.override("en"):
        assert longest.flags()  # allowed, but longer than the rules for a building: flagged


def test_terms_near_the_end_of_the_calendar_are_flagged_not_a_500():
    asset = free_asset()
    start, end = dt.date(9998, 1, 1), dt.date(9999, 12, 31)
    far = Auction(asset=asset, lease_start_on=start, lease_end_on=end)
    with translation.override("en"):
        assert far.flags() == [
            "The lease term is longer than the rules allow for this kind of asset."
        ]
    assert Lease(asset=asset, start_on=start, end_on=end).flags()
    assert add_months(dt.date(9999, 12, 15), 1) == dt.date.max
    near = Lease(asset=asset, start_on=dt.date(9990, 1, 1), end_on=dt.date(9992, 1, 1))
    assert not near.is_overlong
