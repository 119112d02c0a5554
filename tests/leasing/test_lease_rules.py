import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from leasing.models import Lease
from registry.models import Asset

pytestmark = pytest.mark.django_db


def lease(**fields) -> Lease:
    building = Asset(kind="building")
    defaults = {
        "asset": building,
        "tenant_name": "某公司",
        "start_on": dt.date(2024, 1, 1),
        "end_on": dt.date(2027, 1, 1),
        "annual_rent": Decimal("12000"),
        "payment_schedule": "quarterly",
    }
    return Lease(**(defaults | fields))


def test_arrears_follow_the_schedule_on_known_dates():
    quarterly = lease()
    assert quarterly.amount_due(dt.date(2023, 12, 31)) == Decimal("0")
    assert quarterly.amount_due(dt.date(2024, 1, 1)) == Decimal("3000.00")
    assert quarterly.amount_due(dt.date(2024, 7, 1)) == Decimal("9000.00")
    assert quarterly.arrears(dt.date(2024, 7, 1), Decimal("6000")) == Decimal("3000.00")
    assert quarterly.amount_due(dt.date(2030, 1, 1)) == Decimal("36000.00")


def test_a_term_over_the_limit_for_the_kind_is_flagged(settings):
    settings.LEASE_MAX_YEARS = {"building": 5, "parcel": 15}
    assert not lease(end_on=dt.date(2029, 1, 1)).is_overlong
    assert lease(end_on=dt.date(2030, 1, 1)).is_overlong


def test_rent_far_below_the_valuation_is_a_possible_favour_rent(settings):
    settings.FAVOUR_RENT_PERCENT = 20
    assert not lease(valuation=Decimal("14000")).is_favour_rent
    flagged = lease(valuation=Decimal("16000"))
    assert flagged.is_favour_rent
    with translation.override("en"):
        assert any("favour rent" in flag for flag in flagged.flags())


def test_the_demo_has_a_favour_rent_and_the_public_page_says_so(client):
    today = dt.date.today()
    favoured = [
        x
        for x in Lease.objects.filter(start_on__lte=today, end_on__gt=today).select_related("asset")
        if x.is_favour_rent
    ]
    assert favoured
    html = client.get(reverse("portal:asset-detail", args=[favoured[0].asset_id])).content
    assert "人情租" in html.decode()


def test_the_asset_page_lists_the_lease_terms_and_the_payments_received(client):
    from django.urls import reverse
    from django.utils import timezone

    from leasing.models import Lease

    today = timezone.localdate()
    lease = (
        Lease.objects.filter(start_on__lte=today, end_on__gt=today, payments__isnull=False)
        .order_by("pk")
        .first()
    )
    client.cookies["django_language"] = "en"
    page = client.get(reverse("portal:asset-detail", args=[lease.asset_id])).content.decode()
    assert "Deposit" in page and lease.get_payment_schedule_display() in page
    assert "payments received" in page or "payment received" in page
    last = lease.payments.order_by("-paid_on").first()
    assert last.paid_on.isoformat() in page
