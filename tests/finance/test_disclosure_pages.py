"""The public pages of the monthly disclosure: a village's month with its amendments and the
questions on its lines, the index, a village's months, the Atom feed, a villager's question
through the form, staff amending; and every bad address answered with its reason."""

import datetime as dt
import uuid
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from finance import disclosures, questions
from finance.models import DisclosureQuestion, MonthlyDisclosure
from supervision.models import Case, ReporterContact
from tests.conftest import DEMO_PASSWORD
from tests.finance.test_disclosures import LAST, in_month, pay

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ATOM = "{http://www.w3.org/2005/Atom}"
MONTH = f"{LAST:%Y-%m}"


@pytest.fixture
def published(village, make_draft, demo_user):
    pay(make_draft, demo_user, "23456.78", on=in_month(6), reference="RCB-PAGE-0001")
    return disclosures.publish_month(village, LAST, actor=demo_user("township"))


def month_url(village, **query) -> str:
    url = reverse("finance:disclosure", args=[village.code, MONTH])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def question_post(disclosure, line: str, **fields) -> dict:
    return {
        "line": line,
        "text": "这笔付款的合同在哪里可以看到？",
        "identity": "anonymous",
        "client_uuid": str(uuid.uuid4()),
        **fields,
    }


def test_month_page_shows_totals_payments_grouped_and_the_hash(client, published, village):
    response = client.get(month_url(village), **EN)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{village.name} {LAST.year}/{LAST.month} monthly disclosure" in page
    assert "23,456.78" in page and "RCB-PAGE-0001" in page
    assert published.sha256 in page
    assert "瑞安市曹村建筑工程有限公司" in page  # a company is named in full
    assert "6228" not in page  # never an account number
    assert "public" in response["Cache-Control"]
    line = next(p for p in published.content["payments"] if p["bank_reference"] == "RCB-PAGE-0001")
    ask = reverse("finance:disclosure-question", args=[village.code, MONTH])
    assert f"{ask}?line={line['key'].replace(':', '%3A')}" in page


def test_amendment_is_marked_with_reason_and_date_and_the_original_stays_readable(
    client, published, village, make_draft, demo_user
):
    pay(make_draft, demo_user, "111.00", on=in_month(7), reference="RCB-PAGE-0002")
    amendment = disclosures.amend(published, actor=demo_user("township"), reason="补录一笔付款")
    page = client.get(month_url(village), **EN).content.decode()
    assert "Amendment 1, published" in page and "补录一笔付款" in page
    assert published.sha256 in page and amendment.sha256 in page
    assert "RCB-PAGE-0002" in page
    original = client.get(month_url(village, v=0), **EN).content.decode()
    assert (
        "You are reading the original" in original
        and "RCB-PAGE-0002" not in original.split('id="versions"')[0]
    )


def test_a_question_appears_on_its_line_linked_to_the_public_case(client, published, village):
    line = published.content["payments"][0]["key"]
    asked = questions.ask(
        published,
        line=line,
        text="这笔钱付给谁了？为什么？",
        identity="anonymous",
        client_uuid=uuid.uuid4(),
    )
    page = client.get(month_url(village), **EN).content.decode()
    assert "1 question" in page
    assert reverse("supervision:case-detail", args=[asked.submitted.case.pk]) in page
    assert asked.submitted.case.reference in page


def test_question_form_sends_a_money_report_and_shows_the_receipt(client, published, village):
    url = reverse("finance:disclosure-question", args=[village.code, MONTH])
    line = published.content["payments"][0]["key"]
    form = client.get(f"{url}?line={line}", **EN)
    assert form.status_code == 200 and f'value="{line}" selected' in form.content.decode()
    data = question_post(published, line, name="王五", phone="13900001111")
    response = client.post(url, data, **EN)
    assert response.status_code == 200
    assert "Your receipt code" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    case = DisclosureQuestion.objects.get(disclosure=published, line=line).case
    assert case.category.code == "money" and case.identity == Case.Identity.ANONYMOUS
    assert not ReporterContact.objects.filter(case=case).exists()
    again = client.post(url, data, **EN)  # the same form sent again
    assert again.status_code == 200
    assert DisclosureQuestion.objects.count() == 1 and Case.objects.filter(pk=case.pk).exists()


def test_question_form_explains_what_is_missing(client, published, village):
    url = reverse("finance:disclosure-question", args=[village.code, MONTH])
    response = client.post(url, question_post(published, "nope:1", text="短"), **EN)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose one of the lines of this disclosure." in page
    assert not DisclosureQuestion.objects.exists()


def test_questions_close_ten_days_after_publication(client, published, village):
    eleven_days_ago = timezone.now() - dt.timedelta(days=11)
    # Test data: a disclosure published eleven days ago (the model itself refuses updates).
    MonthlyDisclosure.objects.filter(pk=published.pk).update(published_at=eleven_days_ago)
    url = reverse("finance:disclosure-question", args=[village.code, MONTH])
    form = client.get(url, **EN)
    assert (
        form.status_code == 200
        and "Questions on this disclosure closed on" in form.content.decode()
    )
    assert 'name="text"' not in form.content.decode()
    line = published.content["income"]["lines"][0]["key"]
    refused = client.post(url, question_post(published, line), **EN)
    assert refused.status_code == 403
    assert not DisclosureQuestion.objects.exists()
    assert "Question this" not in client.get(month_url(village), **EN).content.decode()


def test_index_lists_villages_with_their_latest_month(client, published, village):
    page = client.get(reverse("finance:disclosure-index"), **EN).content.decode()
    assert village.name in page and village.parent.name in page
    assert reverse("finance:disclosure", args=[village.code, MONTH]) in page


def test_village_page_lists_months_newest_first(client, village):
    before = disclosures.previous_month(LAST)
    disclosures.publish_month(village, before)
    disclosures.publish_month(village, LAST)
    page = client.get(reverse("finance:disclosure-list", args=[village.code]), **EN)
    text = page.content.decode()
    assert text.index(f">{LAST:%Y-%m}<") < text.index(f">{before:%Y-%m}<")


def test_feed_is_atom_with_one_entry_per_version(client, published, village, make_draft, demo_user):
    pay(make_draft, demo_user, "222.00", on=in_month(8), reference="RCB-PAGE-0003")
    disclosures.amend(published, actor=demo_user("township"), reason="更正")
    response = client.get(reverse("finance:disclosure-feed", args=[village.code]), **EN)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title").text and root.find(f"{ATOM}id").text
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for entry in entries:
        for child in ("title", "id", "updated", "summary"):
            assert entry.find(f"{ATOM}{child}").text, child
        assert entry.find(f"{ATOM}link").get("href").startswith("http")
        assert entry.find(f"{ATOM}id").text.startswith("http")
    links = [entry.find(f"{ATOM}link").get("href") for entry in entries]
    assert links[0].endswith(f"/{MONTH}/?v=1") and links[1].endswith(f"/{MONTH}/")
    assert "Amendment 1" in entries[0].find(f"{ATOM}summary").text


@pytest.mark.parametrize(
    ("path", "status", "reason"),
    [
        ("999999/", 404, "No village has the division code"),
        ("999999/2026-01/", 404, "No village has the division code"),
        ("330381102201/2026-13/", 400, "is not a month"),
        ("330381102201/last-month/", 400, "is not a month"),
        ("330381102/2026-01/", 404, "No village has the division code"),  # a township
        ("999999/feed.atom", 404, "No village has the division code"),
        ("330381102201/2026-01/poster.pdf", 404, "not published yet"),
        ("330381102201/2026-01/question/", 404, "not published yet"),
    ],
)
def test_bad_addresses_say_why(client, path, status, reason):
    response = client.get(f"/disclosure/{path}", **EN)
    assert response.status_code == status
    assert reason in response.content.decode()


def test_a_month_not_over_says_when_it_will_be_published(client, village):
    month = f"{timezone.localdate():%Y-%m}"
    response = client.get(reverse("finance:disclosure", args=[village.code, month]), **EN)
    assert response.status_code == 404
    assert "is not over yet" in response.content.decode()


def test_unknown_version_and_paper_size_say_why(client, published, village):
    assert "has no version 7" in client.get(month_url(village, v=7), **EN).content.decode()
    poster = reverse("finance:disclosure-poster", args=[village.code, MONTH])
    response = client.get(f"{poster}?size=b5", **EN)
    assert response.status_code == 400 and "A4 or A3" in response.content.decode()


def test_staff_publish_a_missing_month_and_amend_with_a_reason(
    client, village, make_draft, demo_user
):
    client.login(username="township", password=DEMO_PASSWORD)
    missing = client.get(month_url(village), **EN)
    assert missing.status_code == 404 and "Publish" in missing.content.decode()
    publish = reverse("finance:disclosure-publish", args=[village.code, MONTH])
    first = client.post(publish, follow=True, **EN)
    assert "Published:" in first.content.decode() and "frozen now" in first.content.decode()
    again = client.post(publish, **EN)  # twice: the month's page says so, nothing written
    assert again.status_code == 302 and again["Location"] == month_url(village)
    assert MonthlyDisclosure.objects.filter(village=village, month=LAST).count() == 1
    amend = reverse("finance:disclosure-amend", args=[village.code, MONTH])
    refused = client.post(amend, {"reason": ""}, **EN)
    assert (
        refused.status_code == 400 and "Say why the month is amended." in refused.content.decode()
    )
    pay(make_draft, demo_user, "333.00", on=in_month(9), reference="RCB-PAGE-0004")
    assert client.post(amend, {"reason": "补录"}, **EN).status_code == 302
    assert MonthlyDisclosure.objects.get(village=village, month=LAST, number=1).reason == "补录"


def test_villagers_and_bookkeepers_cannot_publish_or_amend(client, published, village):
    amend = reverse("finance:disclosure-amend", args=[village.code, MONTH])
    assert client.post(amend, {"reason": "x"}).status_code == 302  # to the log-in page
    client.login(username="bookkeeper", password=DEMO_PASSWORD)
    assert client.post(amend, {"reason": "更正"}, **EN).status_code == 403
    assert MonthlyDisclosure.objects.filter(village=village).count() == 1


def test_a_filled_honeypot_gets_a_receipt_and_stores_nothing(client, published, village):
    url = reverse("finance:disclosure-question", args=[village.code, MONTH])
    line = published.content["income"]["lines"][0]["key"]
    cases = Case.objects.count()
    response = client.post(url, question_post(published, line, website="http://spam"), **EN)
    assert response.status_code == 200 and "Your receipt code" in response.content.decode()
    assert Case.objects.count() == cases and not DisclosureQuestion.objects.exists()


def test_too_many_questions_from_one_connection_wait(client, published, village, settings):
    settings.REPORT_LIMIT_PER_HOUR = 0
    url = reverse("finance:disclosure-question", args=[village.code, MONTH])
    line = published.content["income"]["lines"][0]["key"]
    response = client.post(url, question_post(published, line), **EN)
    assert response.status_code == 429 and response["Retry-After"]
    assert not DisclosureQuestion.objects.exists()


def test_month_page_reads_a_bounded_number_of_rows(
    client, published, village, django_assert_max_num_queries
):
    questions.ask(
        published,
        line=published.content["income"]["lines"][0]["key"],
        text="租金收入为什么这么少？",
        identity="anonymous",
        client_uuid=uuid.uuid4(),
    )
    with django_assert_max_num_queries(8):
        assert client.get(month_url(village), **EN).status_code == 200
