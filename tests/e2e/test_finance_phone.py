"""A 2,000-yuan payment on phones, as the source report tells it: the bookkeeper drafts it with a
photo of the invoice and sends it, the village supervision committee countersigns and the
village head approves on their own phones, the bookkeeper records the bank transfer, and the
payment is on the village's disclosure of that month, published at the start of the next."""

import datetime as dt
import hashlib
import re
from pathlib import Path
from unittest import mock
from uuid import uuid4

import pytest
from django.utils import timezone, translation
from PIL import Image

from finance.models import PaymentRequest
from registry.models import AdminUnit
from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import PHONE, log_in, screenshot, watch_csp

pytestmark = pytest.mark.e2e

DONGAO = "330381102201"
PURPOSE = "村道路灯维修材料费（端到端测试）"
REFERENCE = "ICBC 2026 0415 0001"


def invoice_photo(folder: Path) -> Path:
    """A small real JPEG, as a phone's camera would hand it over."""
    path = folder / "invoice.jpg"
    picture = Image.new("RGB", (320, 240), (245, 245, 240))
    for x in range(40, 280):
        for y in (60, 61, 120, 121, 180, 181):
            picture.putpixel((x, y), (180, 30, 30))
    picture.save(path, "JPEG", quality=85)
    return path


def phone_of(browser, base_url: str, username: str | None):
    """A page in a phone of its own (its own cookies), logged in as `username`."""
    page = browser.new_context(**PHONE).new_page()
    if username:
        log_in(page, base_url, username)
    return page


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def state_on(page, url: str) -> str:
    """The state the request's page shows, read from its state chip."""
    page.goto(url)
    chip = page.locator("#state .pay-state")
    return next(c.removeprefix("pay-state-") for c in chip.get_attribute("class").split()[1:])


def test_a_payment_is_drafted_approved_and_paid_on_phones_then_disclosed(
    demo_server, browser, phone, tmp_path
):
    base = demo_server.url
    photo = invoice_photo(tmp_path)
    violations = watch_csp(phone)

    # The bookkeeper logs in on their phone and opens village funds from the header.
    phone.goto(f"{base}/accounts/login/?next=/finance/requests/")
    phone.fill("#id_username", "bookkeeper")
    phone.fill("#id_password", DEMO_PASSWORD)
    phone.locator("main button[type=submit]").click()
    phone.wait_for_url(f"{base}/finance/requests/")
    assert phone.locator('header a[href="/finance/requests/"]').count() == 1
    assert no_sideways_scroll(phone)
    phone.locator('main a[href="/finance/requests/new/"]').click()
    phone.wait_for_url(f"{base}/finance/requests/new/")

    # A payee first, with its bank account; back on the form it is chosen.
    phone.locator('a[href="/finance/payees/new/?next=request"]').click()
    phone.select_option("#id_village", DONGAO)
    phone.select_option("#id_kind", "company")
    phone.fill("#id_name", "瑞安市曹村照明器材商店")
    phone.fill("#id_credit_code", "91330381894900911J")
    phone.fill("#id_bank_name", "瑞安农商银行曹村支行")
    phone.fill("#id_account_number", "6228 4800 5555 6666")
    phone.locator("main button[type=submit]").click()
    phone.wait_for_url(re.compile(r".*/finance/requests/new/\?village=.*"))
    assert phone.locator("#id_village").input_value() == DONGAO
    assert phone.locator("#id_payee option:checked").inner_text().startswith("瑞安市曹村照明")

    # The request, with a photo of the invoice; saved as a draft.
    phone.fill("#id_amount", "2,000.00")
    phone.fill("#id_purpose", PURPOSE)
    phone.select_option("#id_category", "purchases")
    assert phone.locator("#id_power_item").input_value()  # the payment item, preselected
    phone.fill("#id_voucher_title", "发票 No.33010426")
    phone.set_input_files("input[name=voucher_files][multiple]", str(photo))
    assert no_sideways_scroll(phone)
    screenshot(phone, "finance-request-new-390")
    phone.locator("button[name=save]").click()
    phone.wait_for_url(re.compile(r".*/finance/requests/\d+/$"))
    made = PaymentRequest.objects.get(purpose=PURPOSE)
    detail = f"{base}{made.get_absolute_url()}"
    assert phone.url == detail
    assert made.state == "draft"
    voucher = made.vouchers.get()
    assert voucher.sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert voucher.sha256 in phone.inner_text("#request-panel")

    # Sent for approval from the request's page (htmx swaps the panel in place).
    phone.locator("details.pay-submit button[type=submit]").click()
    phone.wait_for_selector("#state .pay-state-pending")
    assert phone.locator(".pay-chain > li").count() == 2
    assert no_sideways_scroll(phone)

    # The supervision committee countersigns on a second phone.
    supervisor = phone_of(browser, base, "supervisor")
    supervisor.goto(f"{base}/finance/requests/")
    supervisor.locator(f'.pay-waiting a[href="{made.get_absolute_url()}"]').click()
    supervisor.wait_for_url(detail)
    supervisor.fill("details.pay-approve textarea[name=remark]", "已核对发票与实物")
    supervisor.locator("details.pay-approve button[type=submit]").click()
    supervisor.wait_for_selector(".pay-chain > li:first-child.pay-dec-approved")
    assert "已核对发票与实物" in supervisor.inner_text(".pay-chain")
    assert state_on(supervisor, detail) == "pending"
    assert no_sideways_scroll(supervisor)
    screenshot(supervisor, "finance-request-countersigned-390")

    # The village head approves on a third phone.
    head = phone_of(browser, base, "head")
    head.goto(detail)
    assert head.locator("details.pay-approve").count() == 1
    head.locator("details.pay-approve button[type=submit]").click()
    head.wait_for_selector("#state .pay-state-approved")
    assert head.locator("details.pay-pay").count() == 0  # the bookkeeper records the payment
    assert state_on(supervisor, detail) == "approved"

    # The bookkeeper records the bank transfer: its reference and date, no cash.
    assert state_on(phone, detail) == "approved"
    assert "cash" not in phone.content().lower()
    phone.fill("details.pay-pay input[name=bank_reference]", REFERENCE)
    assert phone.locator("details.pay-pay input[name=paid_on]").input_value() == str(
        timezone.localdate()
    )
    phone.locator("details.pay-pay button[type=submit]").click()
    phone.wait_for_selector("#state .pay-state-paid")
    assert "ICBC202604150001" in phone.inner_text("#request-panel")
    screenshot(phone, "finance-request-paid-390")
    for page in (phone, supervisor, head):
        assert state_on(page, detail) == "paid"
    made.refresh_from_db()
    assert made.state == "paid" and made.bank_reference == "ICBC202604150001"
    assert made.time_to_paid is not None
    assert violations == []

    # On the first working day of the next month the village's disclosure is published, and
    # the payment is on it, the payee named as the public sees it.
    disclosures = pytest.importorskip(
        "finance.disclosures", reason="the monthly disclosure (finance/disclosures.py) is not built"
    )
    village = AdminUnit.objects.get(code=DONGAO)
    month = made.paid_on.replace(day=1)
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    real_localdate = timezone.localdate

    def in_next_month(value=None, timezone=None):
        return next_month if value is None else real_localdate(value, timezone)

    with mock.patch("django.utils.timezone.localdate", in_next_month):
        disclosures.publish_month(village, month, actor=None)
    villager = phone_of(browser, base, None)
    villager.goto(f"{base}/disclosure/{DONGAO}/{month:%Y-%m}/")
    text = villager.inner_text("main")
    assert made.reference in text and PURPOSE in text
    assert "瑞安市曹村照明器材商店" in text and "2,000.00" in text
    assert "6228480055556666" not in villager.content()  # the account stays with the staff
    assert no_sideways_scroll(villager)
    for page in (supervisor, head, villager):
        page.context.close()


def in_english(page, base_url: str) -> None:
    """Switch the browser's pages to English, as the header's language button does."""
    page.goto(f"{base_url}/")
    with page.expect_navigation():
        page.locator("header .lang-switch button").click()


def inside_the_screen(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and (box["x"] + box["width"] <= width and box["y"] + box["height"] <= height)
    )


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("username", ["township", "bookkeeper"])
def test_the_staff_header_keeps_log_out_and_the_language_switch_on_a_phone(
    demo_server, phone, username, language
):
    base = demo_server.url
    log_in(phone, base, username)
    if language == "en":
        in_english(phone, base)
    phone.goto(f"{base}/finance/requests/")
    assert phone.locator("html").get_attribute("lang") == ("en" if language == "en" else "zh-hans")
    assert inside_the_screen(phone, "header .lang-switch button")
    assert inside_the_screen(phone, "header form[action='/accounts/logout/'] button")
    links = phone.locator("header .site-nav a")
    assert links.count() >= 4
    for n in range(links.count()):
        assert inside_the_screen(phone, f"header .site-nav a >> nth={n}")
    assert no_sideways_scroll(phone)
    screenshot(phone, f"finance-staff-header-{username}-{language}-390")


def test_a_public_payment_page_fits_a_phone_in_english(demo_server, phone):
    """Its vouchers' SHA-256 wrap, and "paid on · reference" stays inside its card."""
    base = demo_server.url
    in_english(phone, base)
    paid = PaymentRequest.objects.filter(state="paid", vouchers__isnull=False).first()
    phone.goto(f"{base}{paid.get_public_url()}")
    assert no_sideways_scroll(phone)
    card = phone.locator(".facts").bounding_box()
    for part in phone.locator(".facts dd").all():
        box = part.bounding_box()
        assert box["x"] + box["width"] <= card["x"] + card["width"]
    for part in phone.locator("code.hash").all():
        box = part.bounding_box()
        assert box["x"] + box["width"] <= 390 - 16  # the page's margin
    screenshot(phone, "finance-public-payment-en-390")


def test_a_questioned_line_and_the_question_form_on_a_phone(demo_server, phone):
    """The count of questions on a line has its words in its middle; the question form shows
    the whole line chosen, amount included, and follows a change of line."""
    from django.urls import reverse

    from finance import disclosures, questions

    base = demo_server.url
    in_english(phone, base)
    village = AdminUnit.objects.get(code=DONGAO)
    published = disclosures.publish_month(village, disclosures.previous_month(timezone.localdate()))
    with translation.override("en"):
        lines = disclosures.lines_of(published.content)
    key, label = next((k, v) for k, v in lines.items() if "," in v)
    for text in ("这一条的依据在哪里可以看到？", "金额与实际是否一致？请公开凭证。"):
        questions.ask(published, line=key, text=text, identity="anonymous", client_uuid=uuid4())
    phone.goto(f"{base}{published.get_absolute_url()}")
    pill = phone.locator(".ds-asked").first
    box = pill.bounding_box()
    words = pill.evaluate(
        """(e) => { const r = document.createRange(); r.selectNodeContents(e);
                    const b = r.getBoundingClientRect(); return [b.top, b.bottom]; }"""
    )
    assert abs((words[0] + words[1]) / 2 - (box["y"] + box["height"] / 2)) <= 1.5
    assert no_sideways_scroll(phone)

    ask = reverse("finance:disclosure-question", args=[DONGAO, f"{published.month:%Y-%m}"])
    phone.goto(f"{base}{ask}?line={key}")
    assert phone.inner_text(".ds-chosen") == label
    other = phone.locator("#id_line option").nth(1)
    phone.select_option("#id_line", other.get_attribute("value"))
    assert phone.inner_text(".ds-chosen") == other.inner_text()
    assert no_sideways_scroll(phone)


def test_the_voucher_boxes_stay_inside_their_card(demo_server, phone):
    log_in(phone, demo_server.url, "bookkeeper")
    phone.goto(f"{demo_server.url}/finance/requests/new/")
    card = phone.locator("fieldset.pay-group").bounding_box()
    boxes = phone.locator("fieldset.pay-group .pay-file").all()
    assert len(boxes) == 2
    for part in boxes:
        box = part.bounding_box()
        assert box["x"] + box["width"] <= card["x"] + card["width"]
    assert no_sideways_scroll(phone)
