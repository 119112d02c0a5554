"""The staff pages of village money through HTTP, with the demo users: drafting a request with a
voucher photo, the chain edge by edge per role, bank-only payment, payees and receipts; every
bad input says why and writes nothing; each role sees only its units."""

import datetime as dt
import hashlib
import html
import io
import re
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from finance import services
from finance.models import ApprovalStep, Payee, PaymentRequest, PowerItem, Receipt, Voucher
from projects.models import Project
from registry.models import AdminUnit, Profile
from registry.roles import Role
from trail.models import Event

pytestmark = pytest.mark.django_db
State = PaymentRequest.State

DONGAO = "330381102201"  # the demo bookkeeper's, supervisor's and head's villages
XUAO = "330381102202"
NANBAO = "330381102203"  # Caocun township too, but none of the village users'
BAIYANQIAO = "330381001201"  # another township (Anyang)
LIST = reverse("finance:request-list")
NEW = reverse("finance:request-new")
TODAY = timezone.localdate


def jpeg(color=(200, 80, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, "JPEG")
    return buffer.getvalue()


def photo(name="invoice.jpg", body=None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body or jpeg(), content_type="image/jpeg")


@pytest.fixture
def as_user():
    """A fresh test client logged in as `user` (a demo login name or a User), reading English."""

    def log_in(user: User | str) -> Client:
        if isinstance(user, str):
            user = User.objects.get(username=user)
        client = Client(headers={"accept-language": "en"})
        client.force_login(user)
        return client

    return log_in


def rows() -> tuple:
    """What a refused page must not have written."""
    return (
        PaymentRequest.objects.count(),
        Voucher.objects.count(),
        ApprovalStep.objects.filter(decided_by__isnull=False).count(),
        Payee.objects.count(),
        Receipt.objects.count(),
        Event.objects.count(),
        list(
            PaymentRequest.objects.order_by("pk").values_list("state", "amount", "bank_reference")
        ),
    )


def text(response) -> str:
    """The page's words, tags stripped and spaces folded."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(body).split())


def form_data(payee, power_item, **overrides) -> dict:
    data = {
        "village": DONGAO,
        "payee": payee.pk,
        "amount": "2,000.00",
        "purpose": "村道路灯维修材料费",
        "category": "purchases",
        "power_item": power_item.pk,
        "project": "",
        "project_stage": "",
        "lease": "",
        "voucher_kind": "invoice",
        "voucher_title": "发票 No.20260301",
        "client_uuid": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def approved(make_draft, demo_user, amount="2000"):
    request = services.submit(make_draft(amount), actor=demo_user("bookkeeper"))
    for name in ("supervisor", "head"):
        request = services.approve(request, actor=demo_user(name))
    return request


def post(client, pk, action, **data):
    return client.post(reverse(f"finance:request-{action}", args=[pk]), data)


def staff_of(code: str, role: str, username: str) -> User:
    user = User.objects.create_user(username, first_name="外镇干部", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    Profile.objects.create(user=user).units.add(AdminUnit.objects.get(code=code))
    return user


def request_in(code: str, power_item) -> PaymentRequest:
    """A draft in the village of `code`, by the township's finance office or city staff."""
    village = AdminUnit.objects.get(code=code)
    actor = User.objects.get(username="finance" if code.startswith("330381102") else "city")
    payee = services.save_payee(
        Payee(
            village=village,
            kind=Payee.Kind.PERSON,
            name="李四光",
            id_number="11010519491231002X",
            bank_name="瑞安农商银行",
            account_number=f"62170000{village.pk:010d}",
        ),
        actor=None,
    )
    request, _created = services.draft_request(
        actor=actor,
        village=village,
        payee=payee,
        amount="880",
        purpose=f"{village.name}保洁劳务费",
        category="wages",
        power_item=power_item,
    )
    return request


# Who may open the pages ----------------------------------------------------------------------


PAGES = [LIST, NEW, "/finance/requests/1/", "/finance/payees/", "/finance/payees/new/"]
PAGES += ["/finance/receipts/new/", "/finance/vouchers/1/file/"]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_discipline_office_reads_requests_and_vouchers_but_drafts_nothing(as_user, make_draft):
    draft = make_draft()
    client = as_user("discipline")
    for url in (LIST, draft.get_absolute_url()):
        assert client.get(url).status_code == 200
    voucher = draft.vouchers.get()
    assert client.get(reverse("finance:voucher-file", args=[voucher.pk])).status_code == 200
    assert client.get(NEW).status_code == 403


@pytest.mark.parametrize("name", ["inspector"])
def test_a_user_without_money_tasks_gets_403_saying_who_does(as_user, name, make_draft):
    draft = make_draft()
    client = as_user(name)
    for url in (LIST, draft.get_absolute_url(), "/finance/payees/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Only the village bookkeeper" in text(response)
        assert "Only the approvers" in text(response)
    response = client.get(NEW)
    assert response.status_code == 403
    assert "keep the village's books" in text(response)


@pytest.mark.parametrize("name", ["supervisor", "head", "leader"])
def test_approvers_may_read_but_not_draft(as_user, name):
    client = as_user(name)
    assert client.get(LIST).status_code == 200
    for url in (NEW, "/finance/payees/new/", "/finance/receipts/new/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Only the village bookkeeper" in text(response)


def test_the_staff_header_links_to_village_funds(as_user):
    page = as_user("bookkeeper").get(reverse("portal:home")).content.decode()
    assert f'href="{LIST}"' in page


# Drafting --------------------------------------------------------------------------------------


def test_the_new_form_preselects_the_payment_item_and_carries_a_fresh_submission_id(
    as_user, power_item
):
    client = as_user("bookkeeper")
    first, second = client.get(NEW), client.get(NEW)
    assert first.status_code == 200
    form = first.context["form"]
    item = PowerItem.objects.filter(applies_to=PowerItem.AppliesTo.PAYMENT).first()
    assert form.initial["power_item"] == item.pk
    assert form["client_uuid"].value() != second.context["form"]["client_uuid"].value()
    page = first.content.decode()
    assert 'accept="application/pdf,image/*"' in page
    assert 'capture="environment"' in page
    assert 'enctype="multipart/form-data"' in page
    # two villages: the bookkeeper chooses; the village's payees are offered
    assert [v.code for v in form.fields["village"].queryset] == [DONGAO, XUAO]
    assert 'value="cash"' not in page.lower()


def test_one_village_in_scope_is_preselected(as_user):
    user = staff_of(DONGAO, Role.BOOKKEEPER, "dongao-books")
    form = as_user(user).get(NEW).context["form"]
    assert form.initial["village"] == DONGAO


def test_the_bookkeeper_drafts_a_request_with_a_voucher_photo(as_user, payee, power_item):
    body = jpeg()
    data = form_data(payee, power_item)
    data["voucher_files"] = photo(body=body)
    response = as_user("bookkeeper").post(NEW, data)
    made = PaymentRequest.objects.get(client_uuid=data["client_uuid"])
    assert response.status_code == 302 and response["Location"] == made.get_absolute_url()
    assert made.state == State.DRAFT and made.amount == Decimal("2000.00")
    assert made.drafted_by.username == "bookkeeper"
    voucher = made.vouchers.get()
    assert voucher.sha256 == hashlib.sha256(body).hexdigest()
    assert voucher.content_type == "image/jpeg" and voucher.title == "发票 No.20260301"
    logged = Event.objects.filter(action=Event.Action.ATTACH).order_by("-seq").first()
    assert logged.changes["sha256"] == voucher.sha256


def test_several_files_become_numbered_vouchers(as_user, payee, power_item):
    data = form_data(payee, power_item)
    data["voucher_files"] = [photo("a.jpg", jpeg((1, 2, 3))), photo("b.jpg", jpeg((9, 9, 9)))]
    as_user("bookkeeper").post(NEW, data)
    made = PaymentRequest.objects.get(client_uuid=data["client_uuid"])
    assert sorted(made.vouchers.values_list("title", flat=True)) == [
        "发票 No.20260301 (1/2)",
        "发票 No.20260301 (2/2)",
    ]


def test_save_and_submit_sends_it_along_the_chain(as_user, payee, power_item):
    data = form_data(payee, power_item, submit="1")
    data["voucher_files"] = photo()
    response = as_user("bookkeeper").post(NEW, data, follow=True)
    made = PaymentRequest.objects.get(client_uuid=data["client_uuid"])
    assert made.state == State.PENDING
    assert [s.role for s in made.steps.all()] == [Role.SUPERVISOR, Role.VILLAGE_HEAD]
    assert "sent for approval" in text(response)


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("12.345", "at most two decimals"),
        ("-5", "more than zero"),
        ("abc", "is not an amount in yuan"),
        ("", "Give the amount in yuan"),
    ],
)
def test_a_bad_amount_is_refused_on_its_field_and_writes_nothing(
    as_user, payee, power_item, amount, reason
):
    before = rows()
    data = form_data(payee, power_item, amount=amount, submit="1")
    data["voucher_files"] = photo()
    response = as_user("bookkeeper").post(NEW, data)
    assert response.status_code == 400
    assert reason in " ".join(response.context["form"].errors["amount"])
    assert reason in text(response)
    assert rows() == before


def test_a_text_file_named_png_is_refused_and_nothing_is_kept(as_user, payee, power_item, settings):
    before = rows()
    stored = sorted(p.name for p in settings.PRIVATE_MEDIA_ROOT.rglob("*") if p.is_file())
    data = form_data(payee, power_item)
    data["voucher_files"] = SimpleUploadedFile("invoice.png", b"just some text", "image/png")
    response = as_user("bookkeeper").post(NEW, data)
    assert response.status_code == 400
    assert (
        "Only PDF, JPEG and PNG documents are accepted."
        in response.context["form"].errors["voucher_files"]
    )
    assert rows() == before
    assert sorted(p.name for p in settings.PRIVATE_MEDIA_ROOT.rglob("*") if p.is_file()) == stored


def test_a_second_file_refused_takes_the_first_one_with_it(as_user, payee, power_item, settings):
    before = rows()
    stored = sorted(p.name for p in settings.PRIVATE_MEDIA_ROOT.rglob("*") if p.is_file())
    data = form_data(payee, power_item)
    data["voucher_files"] = [photo(), SimpleUploadedFile("b.pdf", b"%PDX not a pdf", "text/plain")]
    assert as_user("bookkeeper").post(NEW, data).status_code == 400
    assert rows() == before
    assert sorted(p.name for p in settings.PRIVATE_MEDIA_ROOT.rglob("*") if p.is_file()) == stored


def test_save_and_submit_without_a_voucher_says_why_and_writes_nothing(as_user, payee, power_item):
    before = rows()
    response = as_user("bookkeeper").post(NEW, form_data(payee, power_item, submit="1"))
    assert response.status_code == 400
    assert "Attach at least one voucher" in " ".join(
        response.context["form"].errors["voucher_files"]
    )
    assert rows() == before


def test_files_without_a_title_are_named_after_their_kind(as_user, payee, power_item):
    data = form_data(payee, power_item, voucher_title="  ")
    data["voucher_files"] = photo()
    response = as_user("bookkeeper").post(NEW, data)
    assert response.status_code == 302
    made = PaymentRequest.objects.get(client_uuid=data["client_uuid"])
    assert made.vouchers.get().title == "Invoice 1"


def test_a_payee_of_another_village_is_refused(as_user, payee, power_item):
    before = rows()
    response = as_user("bookkeeper").post(NEW, form_data(payee, power_item, village=XUAO))
    assert response.status_code == 400
    assert "not one of this village's payees" in " ".join(response.context["form"].errors["payee"])
    assert rows() == before


def test_a_village_outside_the_users_units_cannot_be_chosen(as_user, payee, power_item):
    before = rows()
    response = as_user("bookkeeper").post(NEW, form_data(payee, power_item, village=NANBAO))
    assert response.status_code == 400 and "village" in response.context["form"].errors
    assert rows() == before


def test_a_resent_draft_form_makes_one_request(as_user, payee, power_item):
    client = as_user("bookkeeper")
    data = form_data(payee, power_item)
    first = client.post(NEW, {**data, "voucher_files": photo()})
    count = PaymentRequest.objects.count(), Voucher.objects.count(), Event.objects.count()
    second = client.post(NEW, {**data, "voucher_files": photo()}, follow=True)
    assert (PaymentRequest.objects.count(), Voucher.objects.count(), Event.objects.count()) == (
        count
    )
    assert second.redirect_chain[0][0] == first["Location"]
    assert "already saved" in text(second)


def test_a_resent_save_and_submit_form_submits_once(as_user, payee, power_item):
    client = as_user("bookkeeper")
    data = form_data(payee, power_item, submit="1")
    client.post(NEW, {**data, "voucher_files": photo()})
    steps = ApprovalStep.objects.count()
    client.post(NEW, {**data, "voucher_files": photo()})
    assert PaymentRequest.objects.filter(client_uuid=data["client_uuid"]).count() == 1
    assert ApprovalStep.objects.count() == steps


def test_the_bookkeeper_edits_a_draft(as_user, make_draft):
    draft = make_draft("100")
    client = as_user("bookkeeper")
    page = client.get(reverse("finance:request-edit", args=[draft.pk]))
    assert page.status_code == 200 and page.context["form"]["amount"].value() == "100.00"
    response = client.post(
        reverse("finance:request-edit", args=[draft.pk]),
        {
            "payee": draft.payee_id,
            "amount": "150.5",
            "purpose": "改：路灯灯泡",
            "category": "purchases",
            "power_item": draft.power_item_id,
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.amount == Decimal("150.50") and draft.purpose == "改：路灯灯泡"


def test_editing_an_approved_request_is_refused_and_writes_nothing(as_user, make_draft, demo_user):
    request = approved(make_draft, demo_user)
    client = as_user("bookkeeper")
    url = reverse("finance:request-edit", args=[request.pk])
    shown = client.get(url, follow=True)
    assert shown.redirect_chain[0][0] == request.get_absolute_url()
    assert "locked; a correction is a new version" in text(shown)
    before = rows()
    response = client.post(
        url,
        {
            "payee": request.payee_id,
            "amount": "9999",
            "purpose": "改金额",
            "category": "purchases",
            "power_item": request.power_item_id,
        },
        follow=True,
    )
    assert response.redirect_chain == [(request.get_absolute_url(), 302)]
    assert "locked; a correction is a new version" in text(response)
    assert rows() == before


# One request and its chain ---------------------------------------------------------------------


def test_the_detail_page_shows_money_chain_vouchers_and_history(as_user, make_draft, demo_user):
    request = services.submit(make_draft("12345.6"), actor=demo_user("bookkeeper"))
    services.approve(request, actor=demo_user("supervisor"), reason="已核对发票")
    response = as_user("head").get(request.get_absolute_url())
    assert response.status_code == 200
    page = text(response)
    assert "¥12,345.60" in page
    assert request.payee.account_number in page  # staff of the village's units
    assert "已核对发票" in page and "Approved" in page and "Waiting" in page
    assert "村监察员（演示）" in page  # who approved, by their public display name
    voucher = request.vouchers.get()
    assert voucher.sha256 in page
    assert reverse("finance:voucher-file", args=[voucher.pk]) in response.content.decode()
    assert "Submitted for approval" in page  # the public log
    assert response.context["forms"].keys() == {"approve", "refuse"}


def test_actions_are_shown_only_to_who_may_do_them(as_user, make_draft, demo_user):
    draft = make_draft()
    assert set(as_user("bookkeeper").get(draft.get_absolute_url()).context["forms"]) == {
        "voucher",
        "submit",
        "withdraw",
    }
    assert as_user("supervisor").get(draft.get_absolute_url()).context["forms"] == {}
    pending = services.submit(draft, actor=demo_user("bookkeeper"))
    assert set(as_user("supervisor").get(pending.get_absolute_url()).context["forms"]) == {
        "approve",
        "refuse",
    }
    head = as_user("head").get(pending.get_absolute_url())
    assert head.context["forms"] == {}
    assert "This step is for the Village supervisor" in text(head)
    assert set(as_user("bookkeeper").get(pending.get_absolute_url()).context["forms"]) == {
        "withdraw"
    }
    done = approved(make_draft, demo_user)
    assert set(as_user("bookkeeper").get(done.get_absolute_url()).context["forms"]) == {
        "pay",
        "revise",
    }
    page = as_user("bookkeeper").get(done.get_absolute_url()).content.decode()
    assert "cash" not in page.lower()


def test_a_voucher_is_added_to_a_draft(as_user, make_draft):
    draft = make_draft(voucher=False)
    body = jpeg((10, 20, 30))
    response = as_user("bookkeeper").post(
        reverse("finance:request-voucher", args=[draft.pk]),
        {"kind": "receipt", "title": "收据 001", "files": photo(body=body)},
    )
    assert response.status_code == 302
    assert draft.vouchers.get().sha256 == hashlib.sha256(body).hexdigest()


def test_a_voucher_file_is_streamed_inline_to_staff_of_its_units_only(
    as_user, make_draft, power_item
):
    draft = make_draft()
    voucher = draft.vouchers.get()
    url = reverse("finance:voucher-file", args=[voucher.pk])
    response = as_user("head").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == voucher.sha256
    assert as_user("inspector").get(url).status_code == 403
    outsider = staff_of("330381001", Role.TOWNSHIP, "anyang")
    assert as_user(outsider).get(url).status_code == 404


def test_submitting_without_a_voucher_says_why_and_writes_nothing(as_user, make_draft):
    draft = make_draft(voucher=False)
    before = rows()
    response = post(as_user("bookkeeper"), draft.pk, "submit")
    assert response.status_code == 400
    assert "Attach at least one voucher" in text(response)
    assert rows() == before


def test_refusing_without_a_reason_is_refused_and_writes_nothing(as_user, make_draft, demo_user):
    pending = services.submit(make_draft(), actor=demo_user("bookkeeper"))
    before = rows()
    response = post(as_user("supervisor"), pending.pk, "refuse", reason="   ")
    assert response.status_code == 400
    assert "Say why the request is refused." in text(response)
    assert rows() == before


def test_a_reason_too_long_is_refused_with_its_length(as_user, make_draft, demo_user):
    pending = services.submit(make_draft(), actor=demo_user("bookkeeper"))
    before = rows()
    response = post(as_user("supervisor"), pending.pk, "refuse", reason="长" * 501)
    assert response.status_code == 400 and "501" in text(response)
    assert rows() == before


def test_the_wrong_role_approving_gets_403_with_the_reason(as_user, make_draft, demo_user):
    pending = services.submit(make_draft(), actor=demo_user("bookkeeper"))
    before = rows()
    response = post(as_user("head"), pending.pk, "approve")
    assert response.status_code == 403
    assert "This step is for the Village supervisor." in text(response)
    response = post(as_user("bookkeeper"), pending.pk, "approve")
    assert response.status_code == 403
    assert "Only the approvers named on a payment request's chain approve it." in text(response)
    assert rows() == before


def test_the_drafter_cannot_approve_their_own_request(as_user, village, payee, power_item):
    finance = User.objects.get(username="finance")  # keeps books and approves
    request, _created = services.draft_request(
        actor=finance,
        village=village,
        payee=payee,
        amount="60000",
        purpose="水渠修缮材料",
        category="works",
        power_item=power_item,
    )
    services.attach_voucher(
        request, actor=finance, kind="invoice", title="发票", upload=photo(body=jpeg((5, 5, 5)))
    )
    services.submit(request, actor=finance)
    before = rows()
    response = post(as_user(finance), request.pk, "approve")
    assert response.status_code == 403
    assert "Nobody approves their own request." in text(response)
    assert rows() == before


def test_marking_paid_without_a_reference_is_refused_and_writes_nothing(
    as_user, make_draft, demo_user
):
    request = approved(make_draft, demo_user)
    before = rows()
    response = post(
        as_user("bookkeeper"), request.pk, "pay", bank_reference="", paid_on=TODAY().isoformat()
    )
    assert response.status_code == 400
    assert "give the bank's transfer reference" in text(response)
    assert rows() == before
    response = post(as_user("bookkeeper"), request.pk, "pay", bank_reference="ICBC20260001")
    assert response.status_code == 400 and "Give the date of the bank transfer." in text(response)
    assert rows() == before


def test_there_is_no_cash_option_when_paying(as_user, make_draft, demo_user):
    request = approved(make_draft, demo_user)
    response = as_user("bookkeeper").get(request.get_absolute_url())
    assert set(response.context["forms"]["pay"].fields) == {"bank_reference", "paid_on"}


def test_a_replayed_approval_is_harmless(as_user, make_draft, demo_user):
    pending = services.submit(make_draft(), actor=demo_user("bookkeeper"))
    client = as_user("supervisor")
    assert post(client, pending.pk, "approve", remark="同意").status_code == 302
    before = rows()
    again = client.post(
        reverse("finance:request-approve", args=[pending.pk]), {"remark": "同意"}, follow=True
    )
    assert again.status_code == 200 and "already approved" in text(again)
    assert rows() == before


def test_a_replayed_payment_is_harmless(as_user, make_draft, demo_user):
    request = approved(make_draft, demo_user)
    client = as_user("bookkeeper")
    data = {"bank_reference": "ICBC 2026 0301 0001", "paid_on": TODAY().isoformat()}
    assert post(client, request.pk, "pay", **data).status_code == 302
    before = rows()
    again = client.post(reverse("finance:request-pay", args=[request.pk]), data, follow=True)
    assert "already recorded" in text(again)
    assert rows() == before


def test_a_stale_page_gets_a_clear_message_not_an_error(as_user, make_draft, demo_user):
    pending = services.submit(make_draft(), actor=demo_user("bookkeeper"))
    supervisor = as_user("supervisor")
    supervisor.get(pending.get_absolute_url())  # the page is open on the phone
    services.withdraw(pending, actor=demo_user("bookkeeper"))  # meanwhile, on another phone
    before = rows()
    response = post(supervisor, pending.pk, "approve")
    assert response.status_code == 403
    assert "is not awaiting approval" in text(response)
    response = post(as_user("bookkeeper"), pending.pk, "submit")
    assert response.status_code == 400 and "only a draft is submitted" in text(response)
    assert rows() == before


def test_an_action_through_htmx_answers_with_the_panel(as_user, make_draft, demo_user):
    pending = services.submit(make_draft(), actor=demo_user("bookkeeper"))
    client = as_user("supervisor")
    url = reverse("finance:request-approve", args=[pending.pk])
    response = client.post(url, {"remark": ""}, headers={"hx-request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="request-panel">') and "<html" not in page
    assert "goes on to the next step" in page
    refused = client.post(
        reverse("finance:request-refuse", args=[pending.pk]),
        {"reason": ""},
        headers={"hx-request": "true"},
    )
    assert refused.status_code == 400 and 'id="request-panel"' in refused.content.decode()


def test_a_correction_through_htmx_opens_the_new_version(as_user, make_draft, demo_user):
    request = approved(make_draft, demo_user)
    response = as_user("bookkeeper").post(
        reverse("finance:request-revise", args=[request.pk]),
        {"confirm": "yes"},  # what the form's confirmation dialog adds (hx-vals)
        headers={"hx-request": "true"},
    )
    newer = PaymentRequest.objects.get(supersedes=request)
    assert response["HX-Redirect"] == newer.get_absolute_url()


# The chain edge by edge, per role, through HTTP ---------------------------------------------


def at_state(state, make_draft, demo_user, amount="2000"):
    """A request in `state`, as the bookkeeper and the demo approvers leave it."""
    bookkeeper = demo_user("bookkeeper")
    if state == "draft":
        return make_draft(amount)
    request = services.submit(make_draft(amount), actor=bookkeeper)
    if state == "pending":
        return request
    if state == "pending-2":  # countersigned, waiting for the village head
        return services.approve(request, actor=demo_user("supervisor"))
    if state == "refused":
        return services.refuse(request, actor=demo_user("supervisor"), reason="发票不符")
    if state == "withdrawn":
        return services.withdraw(request, actor=bookkeeper)
    request = services.approve(request, actor=demo_user("supervisor"))
    request = services.approve(request, actor=demo_user("head"))
    if state == "approved":
        return request
    return services.mark_paid(
        request, actor=bookkeeper, bank_reference="ICBC20260001", paid_on=TODAY()
    )


PAY = {"bank_reference": "ABC-2026-000123"}
EDGES = [
    # (state, action, who, data, HTTP status, state after)
    ("draft", "submit", "bookkeeper", {}, 302, "pending"),
    ("draft", "submit", "finance", {}, 302, "pending"),
    ("draft", "submit", "supervisor", {}, 403, "draft"),
    ("draft", "submit", "head", {}, 403, "draft"),
    ("draft", "withdraw", "bookkeeper", {}, 302, "withdrawn"),
    ("draft", "withdraw", "head", {}, 403, "draft"),
    ("draft", "approve", "supervisor", {}, 403, "draft"),
    ("draft", "pay", "bookkeeper", PAY, 400, "draft"),
    ("draft", "revise", "bookkeeper", {}, 400, "draft"),
    ("pending", "approve", "supervisor", {}, 302, "pending"),
    ("pending", "approve", "head", {}, 403, "pending"),
    ("pending", "approve", "leader", {}, 403, "pending"),
    ("pending", "approve", "bookkeeper", {}, 403, "pending"),
    ("pending", "refuse", "supervisor", {"reason": "发票抬头不符"}, 302, "refused"),
    ("pending", "refuse", "head", {"reason": "发票抬头不符"}, 403, "pending"),
    ("pending", "withdraw", "bookkeeper", {}, 302, "withdrawn"),
    ("pending", "withdraw", "supervisor", {}, 403, "pending"),
    ("pending", "pay", "bookkeeper", PAY, 400, "pending"),
    ("pending", "submit", "bookkeeper", {}, 302, "pending"),  # a resent submit
    ("pending", "revise", "bookkeeper", {}, 400, "pending"),
    ("pending-2", "approve", "head", {}, 302, "approved"),
    ("pending-2", "approve", "supervisor", {}, 302, "pending"),  # sent again: nothing changes
    ("pending-2", "refuse", "head", {"reason": "超出预算"}, 302, "refused"),
    ("approved", "pay", "bookkeeper", PAY, 302, "paid"),
    ("approved", "pay", "finance", PAY, 302, "paid"),
    ("approved", "pay", "head", PAY, 403, "approved"),
    ("approved", "pay", "supervisor", PAY, 403, "approved"),
    ("approved", "withdraw", "bookkeeper", {}, 400, "approved"),
    ("approved", "approve", "head", {}, 302, "approved"),  # the same decision sent again
    ("approved", "revise", "bookkeeper", {"confirm": "yes"}, 302, "superseded"),
    ("approved", "revise", "head", {}, 403, "approved"),
    ("refused", "revise", "bookkeeper", {}, 302, "refused"),
    ("refused", "approve", "head", {}, 403, "refused"),
    ("refused", "submit", "bookkeeper", {}, 400, "refused"),
    ("withdrawn", "submit", "bookkeeper", {}, 400, "withdrawn"),
    ("withdrawn", "withdraw", "bookkeeper", {}, 302, "withdrawn"),
    ("paid", "withdraw", "bookkeeper", {}, 400, "paid"),
    ("paid", "revise", "bookkeeper", {}, 400, "paid"),
    ("paid", "pay", "bookkeeper", {"bank_reference": "OTHER-000999"}, 400, "paid"),
    ("paid", "approve", "head", {}, 302, "paid"),  # the head's approval sent again
    ("paid", "refuse", "supervisor", {"reason": "晚了"}, 403, "paid"),
]


@pytest.mark.parametrize(("state", "action", "who", "data", "status", "after"), EDGES)
def test_the_chain_edge_by_edge_per_role(
    as_user, make_draft, demo_user, state, action, who, data, status, after
):
    request = at_state(state, make_draft, demo_user)
    if action == "pay":
        data = {**data, "paid_on": TODAY().isoformat()}
    before = rows()
    response = post(as_user(who), request.pk, action, **data)
    assert response.status_code == status, text(response)[:600]
    request.refresh_from_db()
    assert request.state == after
    if status != 302:
        assert rows() == before
        assert response.context["errors"]  # the reason is on the page


def test_the_corrected_version_runs_the_chain_again(as_user, make_draft, demo_user):
    request = approved(make_draft, demo_user)
    response = post(as_user("bookkeeper"), request.pk, "revise", confirm="yes")
    newer = PaymentRequest.objects.get(supersedes=request)
    assert response["Location"] == newer.get_absolute_url()
    assert (newer.number, newer.version, newer.state) == (request.number, 2, State.DRAFT)
    assert newer.vouchers.count() == 1
    client = as_user("bookkeeper")
    assert post(client, newer.pk, "submit").status_code == 302
    for name in ("supervisor", "head"):
        assert post(as_user(name), newer.pk, "approve").status_code == 302
    data = {"bank_reference": "ICBC20260002", "paid_on": TODAY().isoformat()}
    assert post(client, newer.pk, "pay", **data).status_code == 302
    newer.refresh_from_db()
    assert newer.state == State.PAID and newer.reference.endswith("v2")


def test_a_large_request_goes_to_the_township_too(as_user, make_draft, demo_user):
    request = services.submit(make_draft("120000"), actor=demo_user("bookkeeper"))
    order = ["supervisor", "head", "finance", "leader"]
    for i, name in enumerate(order):
        for other in order[i + 1 :]:
            assert post(as_user(other), request.pk, "approve").status_code == 403
        assert post(as_user(name), request.pk, "approve").status_code == 302
    request.refresh_from_db()
    assert request.state == State.APPROVED


def contracted_project() -> tuple[Project, Decimal]:
    """A project of Dong'ao with a contract, and what is left of it to pay."""
    for project in Project.objects.filter(village__code=DONGAO, contract_amount__isnull=False):
        left = services.project_cap(project) - services.project_committed(project)
        if left > 1000:
            return project, left
    raise AssertionError("the demo has no project of Dong'ao with money left to pay")


def test_a_payment_above_the_project_contract_is_refused_on_the_page(as_user, payee, power_item):
    project, left = contracted_project()
    amount = f"{left + Decimal('0.01'):.2f}"
    data = form_data(payee, power_item, amount=amount, project=project.pk, submit="1")
    data["project_stage"] = "construction"
    data["voucher_files"] = photo()
    before = rows()
    response = as_user("bookkeeper").post(NEW, data)
    assert response.status_code == 400
    assert "remain" in " ".join(response.context["form"].errors["amount"])
    assert rows() == before


def test_a_project_request_shows_what_is_left_to_pay(as_user, payee, power_item):
    project, left = contracted_project()
    data = form_data(payee, power_item, amount="1000", project=project.pk, submit="1")
    data["voucher_files"] = photo()
    assert as_user("bookkeeper").post(NEW, data).status_code == 302
    made = PaymentRequest.objects.get(client_uuid=data["client_uuid"])
    money = as_user("head").get(made.get_absolute_url()).context["project_money"]
    assert money.cap == services.project_cap(project) and money.left == left


# The list --------------------------------------------------------------------------------------


def test_requests_waiting_for_the_user_come_first(as_user, make_draft, demo_user):
    older = make_draft("100")
    pending = services.submit(make_draft("2000"), actor=demo_user("bookkeeper"))
    newest = make_draft("300")

    def listed(name):
        response = as_user(name).get(LIST)
        waiting = {r.pk for r in response.context["waiting"]}
        return response, waiting, {r.pk for r in response.context["page"]}

    response, waiting, others = listed("supervisor")
    assert pending.pk in waiting and pending.pk not in others
    assert {older.pk, newest.pk} <= others and not {older.pk, newest.pk} & waiting
    page = response.content.decode()
    assert page.index(pending.reference) < page.index(newest.reference)
    assert pending.pk not in listed("head")[1]
    services.approve(pending, actor=demo_user("supervisor"))
    assert pending.pk in listed("head")[1]
    assert pending.pk not in listed("supervisor")[1]
    assert listed("bookkeeper")[1] == set()  # the bookkeeper decides no step


def test_a_card_shows_reference_payee_amount_purpose_state_and_step(as_user, make_draft, demo_user):
    pending = services.submit(make_draft("12345.6"), actor=demo_user("bookkeeper"))
    page = text(as_user("bookkeeper").get(LIST))
    for words in (
        pending.reference,
        pending.payee.public_name,
        "¥12,345.60",
        pending.purpose,
        "Awaiting approval",
        "村务监督委员会会签",
    ):
        assert words in page


def test_the_list_filters_by_state_village_and_month(as_user, make_draft, demo_user):
    draft = make_draft("100")
    paid = at_state("paid", make_draft, demo_user)
    client = as_user("bookkeeper")

    def listed(query):
        response = client.get(f"{LIST}?{query}")
        return response, {r.pk for r in [*response.context["waiting"], *response.context["page"]]}

    assert paid.pk in listed("state=paid")[1] and draft.pk not in listed("state=paid")[1]
    assert all(r.state == State.PAID for r in listed("state=paid")[0].context["page"])
    assert draft.pk in listed(f"village={DONGAO}")[1]
    assert not {draft.pk, paid.pk} & listed(f"village={XUAO}")[1]
    month = timezone.localtime(draft.created).strftime("%Y-%m")
    assert {draft.pk, paid.pk} <= listed(f"month={month}")[1]
    assert listed("month=2001-01")[1] == set()
    response, found = listed("month=2026-13")
    assert response.status_code == 400 and found == set()
    assert "YYYY-MM" in text(response)


def test_each_role_sees_only_its_units(as_user, make_draft, power_item):
    dongao = make_draft()
    nanbao = request_in(NANBAO, power_item)
    baiyanqiao = request_in(BAIYANQIAO, power_item)
    seen = {}
    for name in ("bookkeeper", "supervisor", "head", "finance", "leader", "township", "city"):
        response = as_user(name).get(LIST)
        seen[name] = {r.pk for r in [*response.context["waiting"], *response.context["page"]]}
    for name in ("bookkeeper", "supervisor", "head"):
        assert dongao.pk in seen[name] and not {nanbao.pk, baiyanqiao.pk} & seen[name]
        assert as_user(name).get(nanbao.get_absolute_url()).status_code == 404
    for name in ("finance", "leader", "township"):
        assert {dongao.pk, nanbao.pk} <= seen[name] and baiyanqiao.pk not in seen[name]
        assert as_user(name).get(baiyanqiao.get_absolute_url()).status_code == 404
    assert {dongao.pk, nanbao.pk, baiyanqiao.pk} <= seen["city"]
    outsider = staff_of("330381001", Role.BOOKKEEPER, "anyang-books")
    response = as_user(outsider).get(LIST)
    assert baiyanqiao.pk in {r.pk for r in response.context["page"]}
    assert all(r.village.code.startswith("330381001") for r in response.context["page"])
    assert as_user(outsider).get(dongao.get_absolute_url()).status_code == 404
    before = rows()
    assert post(as_user(outsider), dongao.pk, "submit").status_code == 404
    assert rows() == before


def test_the_list_makes_as_many_queries_for_many_requests_as_for_few(
    as_user, make_draft, demo_user, django_assert_max_num_queries
):
    for amount in ("100", "200"):
        services.submit(make_draft(amount), actor=demo_user("bookkeeper"))
    client = as_user("bookkeeper")
    with django_assert_max_num_queries(30) as few:
        client.get(LIST)
    for amount in range(300, 1500, 100):
        services.submit(make_draft(str(amount)), actor=demo_user("bookkeeper"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST)


def test_the_detail_page_makes_as_many_queries_for_a_long_history(
    as_user, make_draft, demo_user, django_assert_max_num_queries
):
    short = services.submit(make_draft(), actor=demo_user("bookkeeper"))
    services.approve(short, actor=demo_user("supervisor"))
    long = make_draft("120000")
    for kind in ("receipt", "contract", "other"):
        services.attach_voucher(
            long,
            actor=demo_user("bookkeeper"),
            kind=kind,
            title=kind,
            upload=photo(body=jpeg((len(kind), 1, 2))),
        )
    services.submit(long, actor=demo_user("bookkeeper"))
    for name in ("supervisor", "head", "finance"):
        services.approve(long, actor=demo_user(name), reason="同意")
    client = as_user("city")
    with django_assert_max_num_queries(40) as few:
        client.get(short.get_absolute_url())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(long.get_absolute_url())


# Payees and receipts ---------------------------------------------------------------------------


def test_a_payee_without_a_bank_account_is_refused_with_the_reason(as_user):
    before = rows()
    response = as_user("bookkeeper").post(
        reverse("finance:payee-new"),
        {"village": DONGAO, "kind": "company", "name": "曹村五金店", "bank_name": "农商银行"},
    )
    assert response.status_code == 400
    assert "A payee needs a bank account" in " ".join(
        response.context["form"].errors["account_number"]
    )
    assert rows() == before


def test_a_payee_is_saved_and_offered_on_the_request_form(as_user):
    client = as_user("bookkeeper")
    response = client.post(
        reverse("finance:payee-new") + "?next=request",
        {
            "village": XUAO,
            "kind": "person",
            "name": "王小明",
            "id_number": "11010519491231002X",
            "bank_name": "农业银行",
            "account_number": "6228 4800 0000 1111",
        },
    )
    payee = Payee.objects.get(name="王小明")
    assert response.status_code == 302
    assert response["Location"] == f"{NEW}?village={XUAO}&payee={payee.pk}"
    form = client.get(response["Location"]).context["form"]
    assert form.initial["payee"] == str(payee.pk) and form.initial["village"] == XUAO


def test_payees_show_id_and_account_to_staff_of_their_units_only(as_user, power_item):
    request_in(NANBAO, power_item)
    xuao = services.save_payee(
        Payee(
            village=AdminUnit.objects.get(code=XUAO),
            kind=Payee.Kind.PERSON,
            name="赵六",
            id_number="11010519491231002X",
            bank_name="农业银行",
            account_number="6228480000002222",
        ),
        actor=None,
    )
    page = text(as_user("head").get(reverse("finance:payee-list")))
    assert "赵六" in page and xuao.account_number in page and xuao.id_number in page
    assert "62170000" not in page  # 南堡村's payee: not the head's village
    township = text(as_user("township").get(reverse("finance:payee-list")))
    assert "李四光" in township


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("amount", "12.345", "at most two decimals"),
        ("bank_reference", "", "bank's transfer reference"),
        ("banked_on", "2001-01-01", "cannot be banked before"),
    ],
)
def test_a_bad_receipt_is_refused_and_writes_nothing(as_user, field, value, reason):
    data = {
        "village": DONGAO,
        "category": "subsidy",
        "payer": "测试：市农业农村局补助",
        "amount": "50000",
        "received_on": (TODAY() - dt.timedelta(days=1)).isoformat(),
        "banked_on": TODAY().isoformat(),
        "bank_reference": "ABC-2026-7788",
        field: value,
    }
    before = rows()
    response = as_user("bookkeeper").post(reverse("finance:receipt-new"), data)
    assert response.status_code == 400 and reason in text(response)
    assert rows() == before


def test_money_received_is_recorded(as_user):
    response = as_user("bookkeeper").post(
        reverse("finance:receipt-new"),
        {
            "village": DONGAO,
            "category": "subsidy",
            "payer": "测试：市农业农村局补助",
            "amount": "50,000",
            "received_on": TODAY().isoformat(),
            "banked_on": TODAY().isoformat(),
            "bank_reference": "abc 2026 7788",
        },
        follow=True,
    )
    receipt = Receipt.objects.get(payer="测试：市农业农村局补助")
    assert receipt.amount == Decimal("50000.00") and receipt.bank_reference == "ABC20267788"
    assert "¥50,000.00" in text(response)
