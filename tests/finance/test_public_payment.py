"""The public page of a payment request and its lines in the public log: complete, readable in
the reader's language, and without a private person's name, account or ID number."""

import pytest
from django.urls import reverse
from django.utils import timezone

from finance import services
from finance.models import Payee
from trail.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(village):
    return services.save_payee(
        Payee(
            village=village,
            kind=Payee.Kind.PERSON,
            name="王小明",
            id_number="11010519491231002X",
            bank_name="瑞安农商银行",
            account_number="6228480012345678901",
        ),
        actor=None,
    )


@pytest.fixture
def paid(make_draft, demo_user, person):
    request = make_draft("1200", payee=person, category="wages", purpose="清扫村道劳务费")
    request = services.submit(request, actor=demo_user("bookkeeper"))
    services.approve(request, actor=demo_user("supervisor"))
    request = services.approve(request, actor=demo_user("head"), reason="同意")
    return services.mark_paid(
        request,
        actor=demo_user("bookkeeper"),
        bank_reference="NS20261130778",
        paid_on=timezone.localdate(),
    )


def test_the_public_page_shows_the_whole_chain_and_hides_the_person(client, paid):
    response = client.get(
        reverse("finance:payment", args=[paid.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "清扫村道劳务费" in page and "1,200.00" in page and "NS20261130778" in page
    assert "村务监督委员会会签" in page and "村委会主任审批" in page and "同意" in page
    assert "王**" in page
    for secret in ("王小明", "11010519491231002X", "6228480012345678901", "5678901"):
        assert secret not in page
    assert paid.vouchers.first().sha256 in page


def test_the_public_log_names_the_step_and_the_decision(client, paid):
    response = client.get("/log/?subject=paymentrequest", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Approved" in page and "村委会主任审批" in page
    assert "Paid by bank transfer" in page
    assert reverse("finance:payment", args=[paid.pk]) in page
    assert "王小明" not in page and "6228480012345678901" not in page
    vouchers = Event.objects.filter(action=Event.Action.ATTACH, subject_id=paid.pk)
    assert vouchers.exists()


def test_an_unknown_request_is_a_404(client):
    assert client.get(reverse("finance:payment", args=[999999])).status_code == 404


def test_the_api_lists_submitted_requests_without_private_data(client, paid, make_draft):
    draft = make_draft("10", voucher=False)
    response = client.get("/api/payments/", {"village": "330381102201", "state": "paid"})
    assert response.status_code == 200
    rows = response.json()["results"]
    row = next(r for r in rows if r["id"] == paid.pk)
    assert row["payee"] == "王**" and row["amount"] == 1200.0
    assert row["bank_reference"] == "NS20261130778"
    assert [s["decision"] for s in row["steps"]] == ["approved", "approved"]
    assert "6228480012345678901" not in response.content.decode()
    everything = client.get("/api/payments/?page_size=1000").json()["results"]
    assert draft.pk not in {r["id"] for r in everything}


@pytest.mark.parametrize(
    "query", ["village=33038", "paid_month=2026-13", "paid_month=11-2026", "project=abc"]
)
def test_a_bad_api_filter_is_a_400_naming_it(client, query):
    response = client.get(f"/api/payments/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_a_projects_page_lists_its_payments_by_their_request_numbers(client):
    from finance.models import PaymentRequest

    paid = PaymentRequest.objects.filter(state="paid", project__isnull=False).first()
    page = client.get(paid.project.get_absolute_url()).content.decode()
    assert f">{paid.reference}</span>" in page
    assert f'href="{paid.get_public_url()}"' in page
