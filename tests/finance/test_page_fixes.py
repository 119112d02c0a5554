"""What a first-time user of village money found wrong on its pages, each pinned down: a stale
approval page, drafts on the public page, links to a payment's public page, the power-list item
on public record pages, publishing twice, vouchers photographed without a title, the request's
edit and correction, the poster's bank references, headings and warnings, the question form,
and the wording of a month not yet published."""

import re

import pypdfium2 as pdfium
import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone, translation

from finance import disclosures, poster, services
from finance.models import ApprovalStep, MonthlyDisclosure, PaymentRequest
from leasing.models import Auction, Lease
from projects.models import Project
from registry.models import AdminUnit, Asset, Profile
from registry.roles import Role
from tests.finance import test_payment_pages
from tests.finance.test_disclosures import LAST, in_month, pay
from tests.finance.test_payment_pages import (
    DONGAO,
    NEW,
    approved,
    form_data,
    jpeg,
    photo,
    post,
    rows,
    text,
)
from tests.finance.test_poster import pages_text

pytestmark = pytest.mark.django_db
State = PaymentRequest.State
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
MONTH = f"{LAST:%Y-%m}"


as_user = test_payment_pages.as_user  # the fixture: a client of a user, reading English


def two_hats() -> User:
    """A member of 东岙村's supervision committee who is also its village head."""
    user = User.objects.create_user("two-hats", first_name="两职干部", is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=[Role.SUPERVISOR, Role.VILLAGE_HEAD]))
    Profile.objects.create(user=user).units.add(AdminUnit.objects.get(code=DONGAO))
    return user


def pending(make_draft, demo_user) -> PaymentRequest:
    return services.submit(make_draft(), actor=demo_user("bookkeeper"))


# 1. A stale approval page ------------------------------------------------------------------


def test_the_approve_and_refuse_forms_send_the_step_the_approver_sees(
    as_user, make_draft, demo_user
):
    request = pending(make_draft, demo_user)
    page = as_user("supervisor").get(request.get_absolute_url()).content.decode()
    forms = re.findall(r'<form method="post" action="(/finance/[^"]+)"', page)
    assert len(forms) == 2
    for action in ("approve", "refuse"):
        form = re.search(
            rf'action="{reverse(f"finance:request-{action}", args=[request.pk])}".*?</form>',
            page,
            re.S,
        ).group(0)
        assert '<input type="hidden" name="step" value="1">' in form


@pytest.mark.parametrize("action", ["approve", "refuse"])
def test_a_stale_tap_does_not_land_on_the_next_step(as_user, make_draft, demo_user, action):
    """Someone who holds both roles opens the page at the committee's step; meanwhile the
    committee countersigns; their tap must not decide the head's step."""
    request = pending(make_draft, demo_user)
    client = as_user(two_hats())
    client.get(request.get_absolute_url())
    services.approve(request, actor=demo_user("supervisor"))
    before = rows()
    response = post(client, request.pk, action, step="1", reason="发票不符")
    assert response.status_code == 403
    assert "That step has been decided already; the request is now at" in text(response)
    assert "村委会主任审批" in text(response)
    assert rows() == before
    head_step = request.steps.get(position=2)
    assert head_step.decision == ApprovalStep.Decision.PENDING
    # The page shown with the refusal offers the step it is at now.
    assert '<input type="hidden" name="step" value="2">' in response.content.decode()


def test_the_step_seen_decides_that_step(as_user, make_draft, demo_user):
    request = pending(make_draft, demo_user)
    assert post(as_user("supervisor"), request.pk, "approve", step="1").status_code == 302
    assert post(as_user("head"), request.pk, "approve", step="2").status_code == 302
    request.refresh_from_db()
    assert request.state == State.APPROVED


@pytest.mark.parametrize("step", ["abc", "0", "1.0", "-1", "１", "9" * 5000])
def test_a_step_that_is_not_a_position_is_a_400(as_user, make_draft, demo_user, step):
    request = pending(make_draft, demo_user)
    before = rows()
    response = post(as_user("supervisor"), request.pk, "approve", step=step)
    assert response.status_code == 400
    assert "names no step of the chain" in text(response)
    assert rows() == before


# 2. The public page of a draft ---------------------------------------------------------------


def test_a_draft_has_no_public_page_yet(client, make_draft):
    draft = make_draft(purpose="尚未提交的草稿用途")
    response = client.get(reverse("finance:payment", args=[draft.pk]), **EN)
    assert response.status_code == 404
    page = text(response)
    assert "still a draft; it is made public once it is sent for approval" in page
    assert "尚未提交的草稿用途" not in page and draft.payee.name not in page


def test_staff_are_sent_from_a_drafts_public_address_to_its_staff_page(as_user, make_draft):
    draft = make_draft()
    response = as_user("bookkeeper").get(reverse("finance:payment", args=[draft.pk]))
    assert response.status_code == 404
    assert f'href="{draft.get_absolute_url()}"' in response.content.decode()


# 3. Links to a payment's public page --------------------------------------------------------


def test_each_payment_of_a_month_links_to_its_public_page(client, village, make_draft, demo_user):
    paid = pay(make_draft, demo_user, "321.00", on=in_month(5), reference="RCB-LINK-0001")
    disclosures.publish_month(village, LAST, actor=demo_user("township"))
    page = client.get(reverse("finance:disclosure", args=[village.code, MONTH]), **EN)
    html = page.content.decode()
    assert f'href="{paid.get_public_url()}"' in html
    link = re.search(rf'<a href="{paid.get_public_url()}"[^>]*>([^<]+)</a>', html).group(1)
    assert link == paid.reference


def test_a_projects_payments_link_to_their_public_pages(client, make_draft, demo_user):
    project = Project.objects.filter(village__code=DONGAO, contract_amount__isnull=False).first()
    paid = pay(
        make_draft,
        demo_user,
        "10.00",
        on=timezone.localdate(),
        reference="RCB-LINK-0002",
        project=project,
    )
    html = client.get(project.get_absolute_url(), **EN).content.decode()
    assert f'href="{paid.get_public_url()}"' in html


def test_the_power_item_page_links_the_payments_that_follow_it(
    client, make_draft, demo_user, power_item
):
    paid = pay(make_draft, demo_user, "66.00", on=timezone.localdate(), reference="RCB-LINK-0003")
    url = reverse("finance:power-item", args=[power_item.number])
    html = client.get(f"{url}?village={DONGAO}", **EN).content.decode()
    assert f'href="{paid.get_public_url()}"' in html


# 4. The power-list item on the public record pages ----------------------------------------


def test_the_project_page_shows_its_item_payments_and_paid_so_far(client, make_draft, demo_user):
    project = Project.objects.filter(village__code=DONGAO, contract_amount__isnull=False).first()
    pay(
        make_draft,
        demo_user,
        "1234.50",
        on=timezone.localdate(),
        reference="RCB-PANEL-01",
        project=project,
    )
    page = text(client.get(project.get_absolute_url(), **EN))
    assert "Operated by the list: item" in page
    assert "Payments by bank transfer" in page and "RCB-PANEL-01" in page
    assert "¥1,234.50" in page


def test_the_plaque_page_shows_the_panel_once(client):
    from qr.models import ElectronicId

    eid = ElectronicId.objects.filter(prefix="P").order_by("code").first()
    html = client.get(f"/e/{eid.code}", **EN).content.decode()
    assert html.count('id="power-list"') == 1


def test_the_asset_page_shows_the_item_its_lease_follows(client):
    today = timezone.localdate()
    lease = Lease.objects.filter(start_on__lte=today, end_on__gt=today).first()
    page = text(client.get(reverse("portal:asset-detail", args=[lease.asset_id]), **EN))
    assert re.search(r"Current lease Operated by the list: item \d+", page)


def test_the_auction_page_shows_the_item_it_follows(client):
    auction = Auction.objects.first()
    page = text(client.get(reverse("auctions:detail", args=[auction.pk]), **EN))
    assert "Operated by the list: item" in page


def test_an_asset_without_a_lease_or_auction_shows_no_item(client):
    asset = Asset.objects.filter(leases__isnull=True, auctions__isnull=True).first()
    html = client.get(reverse("portal:asset-detail", args=[asset.pk]), **EN).content.decode()
    assert 'id="power-list"' not in html


# 5. Publishing a month twice ----------------------------------------------------------------


def test_publishing_a_published_month_again_goes_to_its_page_with_a_message(client, village):
    client.force_login(User.objects.get(username="township"))
    publish = reverse("finance:disclosure-publish", args=[village.code, MONTH])
    month_page = reverse("finance:disclosure", args=[village.code, MONTH])
    assert client.post(publish, **EN)["Location"] == month_page
    before = MonthlyDisclosure.objects.count()
    again = client.post(publish, follow=True, **EN)
    assert again.redirect_chain == [(month_page, 302)]
    assert again.status_code == 200
    assert "is published already" in text(again)
    assert "Not published" not in text(again)
    assert MonthlyDisclosure.objects.count() == before


# 6. Vouchers photographed without a title ---------------------------------------------------


def test_photos_without_a_title_are_named_after_their_kind(as_user, payee, power_item):
    data = form_data(payee, power_item, voucher_title="  ")
    data["voucher_files"] = [photo("a.jpg"), photo("b.jpg", body=jpeg((12, 34, 56)))]
    response = as_user("bookkeeper").post(NEW, data)
    assert response.status_code == 302
    made = PaymentRequest.objects.get(client_uuid=data["client_uuid"])
    assert sorted(made.vouchers.values_list("title", flat=True)) == ["Invoice 1", "Invoice 2"]


def test_a_voucher_added_without_a_title_takes_the_next_number_of_its_kind(as_user, make_draft):
    draft = make_draft()  # with one invoice already
    url = reverse("finance:request-voucher", args=[draft.pk])
    client = as_user("bookkeeper")
    assert client.post(url, {"kind": "invoice", "title": "", "files": photo()}).status_code == 302
    receipt = {"kind": "receipt", "title": "", "files": photo(body=jpeg((12, 34, 56)))}
    assert client.post(url, receipt).status_code == 302
    assert list(draft.vouchers.order_by("pk").values_list("title", flat=True))[1:] == [
        "Invoice 2",
        "Receipt 1",
    ]


def test_the_forms_mark_what_is_required(as_user, make_draft):
    client = as_user("bookkeeper")
    form = client.get(NEW).content.decode()
    for name in ("amount", "purpose", "payee", "category", "power_item", "village"):
        assert re.search(rf'<(input|select)[^>]*name="{name}"[^>]*required', form), name
    assert not re.search(r'<input[^>]*name="voucher_title"[^>]*required', form)
    assert form.count('class="pay-required"') >= 6
    draft_page = client.get(make_draft().get_absolute_url()).content.decode()
    assert not re.search(r'<input[^>]*name="title"[^>]*required', draft_page)


# 7. The request's page: edit, correct, the refusal --------------------------------------------


@pytest.mark.parametrize("state", ["pending", "approved"])
def test_a_request_that_is_no_draft_offers_no_edit_form(as_user, make_draft, demo_user, state):
    request = (
        pending(make_draft, demo_user) if state == "pending" else approved(make_draft, demo_user)
    )
    client = as_user("bookkeeper")
    url = reverse("finance:request-edit", args=[request.pk])
    page = client.get(request.get_absolute_url()).content.decode()
    assert url not in page
    before = rows()
    data = {
        "payee": request.payee_id,
        "amount": "9999",
        "purpose": "改金额",
        "category": "purchases",
        "power_item": request.power_item_id,
    }
    response = client.post(url, data, follow=True)
    assert response.redirect_chain == [(request.get_absolute_url(), 302)]
    assert 'name="amount"' not in response.content.decode()
    assert rows() == before


def test_correcting_an_approved_request_asks_first(as_user, make_draft, demo_user):
    request = approved(make_draft, demo_user)
    client = as_user("bookkeeper")
    page = client.get(request.get_absolute_url()).content.decode()
    assert "hx-confirm=" in page and """hx-vals='{"confirm": "yes"}\'""" in page
    before = rows()
    asked = post(client, request.pk, "revise")
    assert asked.status_code == 200
    assert "will no longer be payable" in text(asked)
    assert '<input type="hidden" name="confirm" value="yes">' in asked.content.decode()
    assert rows() == before
    done = post(client, request.pk, "revise", confirm="yes")
    newer = PaymentRequest.objects.get(supersedes=request)
    assert done["Location"] == newer.get_absolute_url()
    request.refresh_from_db()
    assert request.state == State.SUPERSEDED


def test_a_refused_request_is_corrected_without_asking(as_user, make_draft, demo_user):
    request = services.refuse(
        pending(make_draft, demo_user), actor=demo_user("supervisor"), reason="发票不符"
    )
    response = post(as_user("bookkeeper"), request.pk, "revise")
    assert response["Location"] == PaymentRequest.objects.get(supersedes=request).get_absolute_url()


def test_the_refusal_reason_is_shown_beside_the_state(as_user, make_draft, demo_user):
    request = services.refuse(
        pending(make_draft, demo_user), actor=demo_user("supervisor"), reason="发票抬头不符"
    )
    panel = as_user("bookkeeper").get(request.get_absolute_url()).content.decode()
    summary = panel.split('class="pay-summary"')[1].split("</div>")[0]
    assert "Refused at “村务监督委员会会签”:" in summary and "发票抬头不符" in summary


# 8. The poster ------------------------------------------------------------------------------


def unsaved(village, content: dict) -> MonthlyDisclosure:
    """A month as the poster reads it, without publishing (and logging) it."""
    return MonthlyDisclosure(
        village=village,
        month=LAST,
        number=0,
        content=content,
        sha256=disclosures.content_hash(content),
        published_at=timezone.now(),
    )


def payment_line(n: int, reference: str) -> dict:
    return {
        "key": f"payments:{900000 + n}",
        "id": 900000 + n,
        "reference": f"2026-{n:04d}",
        "paid_on": in_month(3).isoformat(),
        "payee": "瑞安市曹村建筑工程有限公司",
        "payee_kind": "company",
        "amount": "1234.56",
        "purpose": "村道路灯维修材料费",
        "category": "purchases",
        "power_item": {"number": 18, "title": "村级财务收支（用款审批）"},
        "project": None,
        "project_stage": "",
        "bank_reference": reference,
    }


@pytest.mark.parametrize("size", ["a4", "a3"])
def test_bank_references_stay_on_one_line(village, size):
    references = ["ICBC202604150001", "RCB2026100400033", "ABC-2026/0415-" + "7" * 26]
    content = disclosures.build_content(village, LAST)
    content["payments"] = [payment_line(n, r) for n, r in enumerate(references)]
    with translation.override("en"):
        pdf = pdfium.PdfDocument(poster.build(unsaved(village, content), size=size))
    lines = {line.strip() for page in pages_text(pdf) for line in page.splitlines()}
    for reference in references:
        assert any(reference in line for line in lines), reference


HEADER_ROWS = {
    "Total Amount",
    "No. and date Payee What for Bank reference Amount",
    "Project Stage Contract Paid so far Progress",
    "Asset Tenant Annual rent Received Arrears",
    "Auction Auction day Status Reserve price Result",
    "Case About Received on Closed on State",
    "Rule Level About Raised on",
}
HEADINGS = {
    "Income and expenditure (yuan)",
    "Payments (by bank transfer)",
    "Projects",
    "Leases: rent received and arrears",
    "Auctions",
    "Villagers' reports (supervision cases)",
    "Open warnings from the data",
}


def test_no_heading_is_left_at_the_foot_of_a_page(village):
    content = disclosures.build_content(village, LAST)
    stranded = []
    for count in range(40):
        content["payments"] = [payment_line(n, f"RCB2026{n:09d}") for n in range(count)]
        with translation.override("en"):
            pdf = pdfium.PdfDocument(poster.build(unsaved(village, content)))
        for number, page in enumerate(pages_text(pdf)[:-1], start=1):
            lines = [line.strip() for line in page.splitlines() if line.strip()]
            if lines[-1] in HEADINGS or (lines[-2] in HEADINGS and lines[-1] in HEADER_ROWS):
                stranded.append((count, number, lines[-2:]))
    assert stranded == []


def test_the_poster_shows_the_open_warnings(village):
    content = disclosures.build_content(village, LAST)
    content["sections"]["warnings"] = [
        {
            "key": "warning:1",
            "rule": "W13",
            "rule_name": "拆分付款规避审批",
            "level": "red",
            "state": "open",
            "about": "瑞安市曹村建筑工程有限公司",
            "raised_on": in_month(20).isoformat(),
        }
    ]
    with translation.override("en"):
        words = "\n".join(pages_text(pdfium.PdfDocument(poster.build(unsaved(village, content)))))
    assert "Open warnings from the data" in words
    assert "W13 拆分付款规避审批" in words and "Red" in words
    assert in_month(20).isoformat() in words


def test_the_poster_says_when_no_warning_was_open(village):
    content = disclosures.build_content(village, LAST)
    content["sections"]["warnings"] = []
    with translation.override("en"):
        words = "\n".join(pages_text(pdfium.PdfDocument(poster.build(unsaved(village, content)))))
    assert "No warning was open when the month was published." in words


# 9. The question form -----------------------------------------------------------------------


def test_the_question_form_shows_the_chosen_line_in_full(client, village, make_draft, demo_user):
    pay(make_draft, demo_user, "28600.00", on=in_month(4), reference="RCB-Q-000001")
    published = disclosures.publish_month(village, LAST, actor=demo_user("township"))
    line = published.content["payments"][0]["key"]
    url = reverse("finance:disclosure-question", args=[village.code, MONTH])
    html = client.get(f"{url}?line={line}", **EN).content.decode()
    chosen = re.search(r"<p class=\"ds-chosen\" data-line-chosen[^>]*>([^<]*)</p>", html)
    assert chosen and "28,600.00" in chosen.group(1) and "2026-" in chosen.group(1)
    empty = client.get(url, **EN).content.decode()
    assert re.search(r"data-line-chosen[^>]*></p>", empty)


# 10. A month not published yet --------------------------------------------------------------


def test_a_month_not_published_says_when_it_was_due(client, village):
    month = disclosures.previous_month(disclosures.previous_month(timezone.localdate()))
    url = reverse("finance:disclosure", args=[village.code, f"{month:%Y-%m}"])
    page = text(client.get(url, **EN))
    assert "Each month is published on the first working day of the next; this month's" in page
    assert re.search(r"this month's was due on \d{4}-\d{2}-\d{2}\.", page)
    assert "for this one" not in page
