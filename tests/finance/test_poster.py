"""The notice-board poster of a monthly disclosure: Chinese text that a PDF reader extracts,
the amounts, the masked names, the fingerprint, and a QR code that decodes to the online page;
A4 or A3, long lists continued on more pages."""

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from finance import disclosures, poster
from tests.finance.test_disclosures import LAST, in_month, pay, person_payee  # noqa: F401

pytestmark = pytest.mark.django_db
MONTH = f"{LAST:%Y-%m}"


def pages_text(pdf: pdfium.PdfDocument) -> list[str]:
    return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]


def decoded(page: pdfium.PdfPage) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(page.render(scale=1.5).to_pil())]


@pytest.fixture
def published(village, make_draft, demo_user, person_payee):  # noqa: F811
    pay(make_draft, demo_user, "23456.78", on=in_month(6), reference="RCB-POSTER-01")
    pay(
        make_draft,
        demo_user,
        "800.00",
        on=in_month(7),
        reference="RCB-POSTER-02",
        payee=person_payee,
        category="wages",
        purpose="清扫劳务费",
    )
    return disclosures.publish_month(village, LAST)


def test_poster_has_the_title_amounts_masked_names_hash_and_a_qr_to_the_page(
    client, published, village
):
    url = reverse("finance:disclosure-poster", args=[village.code, MONTH])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = pdfium.PdfDocument(response.content)
    text = "\n".join(pages_text(pdf))
    assert f"{village.name} {LAST.year}/{LAST.month} monthly disclosure" in text
    assert "23,456.78" in text and "RCB-POSTER-01" in text
    assert "张**" in text and "张大山" not in text
    assert published.sha256 in text
    assert "东岙村" in text and "曹村镇" in text
    online = f"{settings.PUBLIC_BASE_URL}{published.get_absolute_url()}"
    assert decoded(pdf[0]) == [online]
    assert pdf[0].get_size() == pytest.approx((595.3, 841.9), abs=1)


def test_poster_prints_on_a3(client, published, village):
    url = reverse("finance:disclosure-poster", args=[village.code, MONTH])
    pdf = pdfium.PdfDocument(client.get(f"{url}?size=a3").content)
    assert pdf[0].get_size() == pytest.approx((841.9, 1190.6), abs=1)
    assert decoded(pdf[0]) == [f"{settings.PUBLIC_BASE_URL}{published.get_absolute_url()}"]


def test_an_amendment_poster_says_so_with_its_reason(published, make_draft, demo_user):
    pay(make_draft, demo_user, "66.00", on=in_month(8), reference="RCB-POSTER-03")
    amendment = disclosures.amend(published, actor=demo_user("township"), reason="补录一笔")
    with translation.override("en"):
        text = "\n".join(pages_text(pdfium.PdfDocument(poster.build(amendment))))
    assert "Amendment 1 of the disclosure: 补录一笔" in text
    assert "RCB-POSTER-03" in text and amendment.sha256 in text


def test_long_lists_continue_on_more_pages(village, make_draft, demo_user):
    references = [f"RCB-LONG-{n:04d}" for n in range(45)]
    for n, reference in enumerate(references):
        pay(make_draft, demo_user, f"{100 + n}.50", on=in_month(1 + n % 27), reference=reference)
    disclosure = disclosures.publish_month(village, LAST)
    with translation.override("en"):
        pdf = pdfium.PdfDocument(poster.build(disclosure))
    texts = pages_text(pdf)
    assert len(texts) >= 2
    everything = "\n".join(texts)
    assert all(reference in everything for reference in references)
    continued = next(t for t in texts[1:] if "RCB-LONG" in t)
    assert "Bank reference" in continued  # the table's header repeats on the next page
    assert all(disclosure.sha256 in t for t in texts)  # every page carries the fingerprint
