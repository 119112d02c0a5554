import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from leasing import auctions
from registry.models import Asset
from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def auction_today():
    today = timezone.localdate()
    asset = (
        Asset.objects.filter(village__name="东岙村", kind="building", leases__isnull=True)
        .exclude(status=Asset.Status.RETIRED)
        .order_by("pk")
        .first()
    )
    return auctions.announce_auction(
        asset,
        actor=None,
        title="东岙村测试仓库租赁权公开拍租",
        announced_on=today - dt.timedelta(days=7),
        held_on=today,
        place="曹村镇东岙村文化礼堂",
        reserve_price=Decimal("12000"),
        increment=Decimal("500"),
        lease_start_on=today + dt.timedelta(days=30),
        lease_end_on=today + dt.timedelta(days=30 + 3 * 365),
        conditions="仅限仓储使用，不得转租。",
    )


def test_auction_day_on_a_phone_refuses_a_low_bid_and_shows_the_masked_winner(demo_server, phone):
    auction = auction_today()
    failed = []
    phone.on("requestfailed", lambda r: failed.append(r.url))

    phone.goto(f"{demo_server.url}/auctions/")
    assert phone.locator(".auction-card", has_text=auction.title).count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "auctions-390")

    phone.goto(f"{demo_server.url}/staff/auctions/{auction.pk}/")
    phone.wait_for_url("**/accounts/login/**")
    phone.fill("#id_username", "township")
    phone.fill("#id_password", DEMO_PASSWORD)
    phone.locator("button[type=submit].button").click()
    phone.wait_for_url(f"**/staff/auctions/{auction.pk}/")

    phone.fill("#id_bid-paddle", "3")
    phone.fill("#id_bid-bidder_name", "周建华")
    phone.fill("#id_bid-amount", "11000")
    phone.locator("form:has(input[value=bid]) button[type=submit]").click()
    phone.wait_for_selector("#panel .errors")
    assert "12,000.00" in phone.locator("#panel .errors").inner_text()
    assert phone.locator(".bid").count() == 0

    phone.fill("#id_bid-amount", "12500")
    phone.locator("form:has(input[value=bid]) button[type=submit]").click()
    phone.wait_for_selector(".bid .bid-name")
    assert phone.locator(".bid .bid-name").inner_text() == "周**"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "auction-day-390")

    phone.goto(f"{demo_server.url}/auctions/{auction.pk}/")
    assert phone.locator("h1").inner_text() == auction.title
    assert phone.locator(".bid-highest .bid-amount").inner_text() == "¥12,500.00"
    assert "周建华" not in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "auction-detail-390")
    assert not failed
