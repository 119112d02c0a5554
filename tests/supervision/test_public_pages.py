"""The public pages of supervision: following a report with its receipt, stations, public cases."""

import re

import pytest

from registry.models import AdminUnit, Profile
from registry.roles import Role
from supervision import receipts, selectors, services
from supervision.models import Case, CaseMessage, State, Station
from tests.supervision.conftest import DONGAO, XUAO

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def without_csrf(response) -> bytes:
    return CSRF.sub("", response.content.decode()).encode()


def mistyped(code: str) -> str:
    """One character changed to another of the alphabet (not a forgiven look-alike)."""
    last = code[-1]
    other = next(c for c in "23456789ABCDEFGHJKMNPQRSTWXYZ" if c != last)
    return code[:-1] + other


def test_a_receipt_opens_its_case_and_a_wrong_one_says_nothing_more(client, report):
    submitted = report()
    found = client.post("/supervision/receipt/", {"receipt": submitted.receipt.lower()})
    assert found.status_code == 200
    assert "no-store" in found["Cache-Control"]
    html = found.content.decode()
    assert submitted.case.category.name in html
    assert str(State.RECEIVED.label) in html

    unknown = client.post("/supervision/receipt/", {"receipt": "2345-6789-ABCD"})
    typo = client.post("/supervision/receipt/", {"receipt": mistyped(submitted.receipt)})
    empty = client.post("/supervision/receipt/", {"receipt": ""})
    assert unknown.status_code == typo.status_code == empty.status_code == 404
    assert without_csrf(unknown) == without_csrf(typo) == without_csrf(empty)
    assert "no-store" in typo["Cache-Control"]


def test_the_receipt_page_shows_the_history_and_the_staffs_question(client, report):
    submitted = report()
    services.move(submitted.case, to=State.ACCEPTED, actor=None)
    services.ask_reporter(submitted.case, text="请问具体是哪一段路？", actor=None)
    html = client.post("/supervision/receipt/", {"receipt": submitted.receipt}).content.decode()
    assert str(State.ACCEPTED.label) in html
    assert "请问具体是哪一段路" in html
    assert 'name="receipt" value="' + submitted.receipt + '"' in html


def test_the_reporter_answers_and_adds_information_with_the_receipt(client, report):
    submitted = report()
    response = client.post(
        "/supervision/receipt/",
        {"receipt": submitted.receipt, "action": "message", "text": "裂缝在村口到桥头这一段。"},
    )
    assert response.status_code == 200
    assert "裂缝在村口到桥头这一段。" in response.content.decode()
    assert CaseMessage.objects.filter(case=submitted.case, kind="added").count() == 1

    short = client.post(
        "/supervision/receipt/", {"receipt": submitted.receipt, "action": "message", "text": "x"}
    )
    assert short.status_code == 400
    assert CaseMessage.objects.filter(case=submitted.case).count() == 1


def test_the_reporter_asks_to_reopen_a_closed_case_and_only_a_closed_one(client, case_in, report):
    open_case = report()
    page = client.post("/supervision/receipt/", {"receipt": open_case.receipt})
    assert 'value="reopen"' not in page.content.decode()
    refused = client.post(
        "/supervision/receipt/",
        {"receipt": open_case.receipt, "action": "reopen", "reason": "还是没有修好，请再看看。"},
    )
    assert refused.status_code == 400
    open_case.case.refresh_from_db()
    assert open_case.case.state == State.RECEIVED

    submitted = report()
    Case.objects.filter(pk=submitted.case.pk).update(state=State.CLOSED)
    page = client.post("/supervision/receipt/", {"receipt": submitted.receipt})
    assert 'value="reopen"' in page.content.decode()
    response = client.post(
        "/supervision/receipt/",
        {"receipt": submitted.receipt, "action": "reopen", "reason": "还是没有修好，请再看看。"},
    )
    assert response.status_code == 200
    submitted.case.refresh_from_db()
    assert submitted.case.state == State.REOPEN_ASKED
    assert submitted.case.states.last().by_reporter


def test_the_receipt_never_travels_in_a_url(client, report):
    submitted = report()
    html = client.post("/supervision/receipt/", {"receipt": submitted.receipt}).content.decode()
    for action in re.findall(r'<form[^>]*action="([^"]*)"', html):
        assert receipts.compact(submitted.receipt) not in receipts.compact(action)
    assert 'method="get"' not in html.split("<main")[1]


def demo_cases_without_public_text() -> list[Case]:
    cases = list(Case.objects.filter(public_text=""))
    assert cases
    return cases


def test_public_case_pages_never_show_the_report_as_sent_or_the_reporter(client):
    listing = client.get("/supervision/cases/").content.decode()
    index = client.get("/supervision/").content.decode()
    for case in demo_cases_without_public_text():
        page = client.get(f"/supervision/cases/{case.pk}/")
        assert page.status_code == 200
        html = page.content.decode()
        assert case.category.name in html
        for text in (html, listing, index):
            assert case.text not in text
    named = Case.objects.filter(contact__isnull=False)
    assert named.exists()
    for case in named:
        html = client.get(f"/supervision/cases/{case.pk}/").content.decode()
        for secret in (case.contact.name, case.contact.phone):
            assert secret not in html
            assert secret not in listing


def test_a_published_case_shows_its_redacted_text_and_outcome(client):
    case = Case.objects.exclude(public_text="").first()
    html = client.get(f"/supervision/cases/{case.pk}/").content.decode()
    assert case.public_text in html
    assert case.outcome in html


def test_the_case_list_filters_by_township_village_state_and_category(client):
    received = Case.objects.filter(state=State.RECEIVED, village__code=DONGAO).count()
    html = client.get(
        "/supervision/cases/", {"village": DONGAO, "state": "received"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert f"{received} case" in html
    xuao = AdminUnit.objects.get(code=XUAO)
    html = client.get("/supervision/cases/", {"township": xuao.parent.code}).content.decode()
    assert xuao.name in html
    assert client.get("/supervision/cases/", {"category": "quality"}).status_code == 200


def test_the_counts_follow_the_source_reports_definitions(client):
    village = AdminUnit.objects.get(code=XUAO)
    counts = selectors.unit_counts(village)
    cases = Case.objects.filter(village=village).exclude(state=State.MERGED)
    assert counts.clues == cases.count()
    assert counts.found == cases.filter(states__state=State.FOUND).distinct().count()
    assert counts.rectified == cases.filter(states__state=State.RECTIFIED).distinct().count()
    assert counts.found >= counts.rectified > 0
    dongao = AdminUnit.objects.get(code=DONGAO)
    merged = Case.objects.filter(village=dongao, state=State.MERGED).count()
    assert merged and selectors.unit_counts(dongao).clues == (
        Case.objects.filter(village=dongao).count() - merged
    )
    per_township = selectors.counts_by("township")
    assert per_township[village.parent_id].clues == (
        Case.objects.filter(village__parent=village.parent).exclude(state=State.MERGED).count()
    )


def test_the_station_page_shows_the_office_phone_but_never_a_members_own(client, demo_user):
    supervisor = demo_user("supervisor")
    Profile.objects.filter(user=supervisor).update(phone="13955550001")
    station = Station.objects.select_related("village").get(village__code=DONGAO)
    response = client.get(f"/supervision/stations/{DONGAO}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="tel:{station.office_phone}"' in html
    assert station.place in html and station.office_hours in html
    assert "13955550001" not in html
    assert not re.search(rf">\s*{supervisor.username}\s*<", html)
    if supervisor.first_name:
        assert supervisor.first_name in html
    assert f"/supervision/report/?village={DONGAO}" in html
    assert supervisor.groups.filter(name=Role.SUPERVISOR).exists()


def test_a_village_without_a_station_and_an_unknown_case_are_404(client):
    assert client.get("/supervision/stations/999999999999/").status_code == 404
    assert client.get("/supervision/cases/99999999/").status_code == 404


def test_pages_render_within_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    case = Case.objects.first()
    for url, budget in [
        ("/supervision/", 10),
        ("/supervision/cases/", 12),
        (f"/supervision/cases/{case.pk}/", 8),
        (f"/supervision/stations/{DONGAO}/", 8),
    ]:
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200
