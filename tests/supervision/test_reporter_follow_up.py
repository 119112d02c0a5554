"""What the reporter does later with the receipt: answer, disclose more (never less), and the
question two weeks after closing."""

import datetime as dt
import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from supervision import services
from supervision.models import Case, CaseMessage, ReporterContact, State

RECEIPT = "/supervision/receipt/"


def test_an_anonymous_reporter_may_give_a_contact_but_never_take_it_back(client, report):
    submitted = report()
    answer = client.post(
        RECEIPT,
        {
            "receipt": submitted.receipt,
            "action": "disclose",
            "identity": "confidential",
            "phone": "13912345678",
        },
    )
    assert answer.status_code == 200
    case = Case.objects.get(pk=submitted.case.pk)
    assert case.identity == "confidential"
    assert ReporterContact.objects.get(case=case).phone == "13912345678"
    back = client.post(
        RECEIPT, {"receipt": submitted.receipt, "action": "disclose", "identity": "anonymous"}
    )
    assert back.status_code == 400
    assert Case.objects.get(pk=case.pk).identity == "confidential"
    with pytest.raises(ValidationError) as refused:
        services.reporter_disclose(case, identity="anonymous", contact={})
    assert "identity" in refused.value.message_dict


def test_a_resent_answer_is_stored_once(client, report):
    submitted = report()
    form = {
        "receipt": submitted.receipt,
        "action": "message",
        "text": "裂缝在村口往东二十米。",
        "client_uuid": str(uuid.uuid4()),
    }
    assert client.post(RECEIPT, form).status_code == 200
    assert client.post(RECEIPT, form).status_code == 200
    assert CaseMessage.objects.filter(case=submitted.case).count() == 1


def test_a_resent_reopen_request_is_not_refused(client, case_in, report):
    case = case_in(State.CLOSED)
    # The receipt of a case made by `case_in` is unknown; make one whose receipt we hold.
    submitted = report()
    Case.objects.filter(pk=submitted.case.pk).update(state=State.CLOSED)
    form = {"receipt": submitted.receipt, "action": "reopen", "reason": "问题还在，没有整改。"}
    assert client.post(RECEIPT, form).status_code == 200
    assert client.post(RECEIPT, form).status_code == 200
    assert Case.objects.get(pk=submitted.case.pk).state == State.REOPEN_ASKED
    assert case.state == State.CLOSED


def test_two_weeks_after_closing_the_reporter_is_asked_once_if_it_stayed_fixed(case_in):
    case = case_in(State.CLOSED)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - dt.timedelta(days=15))
    services.ask_if_fixed()
    services.ask_if_fixed()
    questions = CaseMessage.objects.filter(case=case, kind=CaseMessage.Kind.QUESTION)
    assert [q.text for q in questions] == [services.fixed_question()]
    recent = case_in(State.CLOSED)
    Case.objects.filter(pk=recent.pk).update(closed_at=timezone.now() - dt.timedelta(days=3))
    services.ask_if_fixed()
    assert not CaseMessage.objects.filter(case=recent).exists()


def test_the_report_form_shows_what_is_already_being_handled_there(client, report):
    report(text="村口路灯坏了三个多月。")
    page = client.get("/supervision/report/?village=330381102201").content.decode()
    assert "sv-nearby" in page
    assert "/supervision/cases/" in page


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_public_case_download_has_no_report_text_or_reporter(client, report, fmt):
    secret = "只有监察站能看到的原文：张三家门口。"
    contact = {"name": "李四邻居", "phone": "13912345678"}
    case = report(text=secret, identity=Case.Identity.NAMED, contact=contact).case
    answer = client.get(f"/supervision/cases.{fmt}", {"village": "330381102201"})
    assert answer.status_code == 200
    body = b"".join(answer.streaming_content) if answer.streaming else answer.content
    if fmt == "xlsx":
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(body)).active
        body = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row).encode()
    text = body.decode("utf-8-sig")
    assert case.reference in text
    for private in (secret, "李四邻居", "13912345678", "张三"):
        assert private not in text


def test_the_limit_page_gives_the_stations_phone(client, settings, db):
    from django.core.cache import cache

    from supervision.models import Station

    cache.clear()
    settings.REPORT_LIMIT_PER_HOUR = 0
    answer = client.post(
        "/supervision/report/?village=330381102201",
        {"text": "路灯坏了好几个月。", "identity": "anonymous", "client_uuid": str(uuid.uuid4())},
    )
    assert answer.status_code == 429
    phone = Station.objects.get(village__code="330381102201").office_phone
    assert f'href="tel:{phone}"' in answer.content.decode()
    cache.clear()


def test_no_text_box_cuts_a_paste_short_in_the_browser(client, demo_user, report):
    """Over-long text is refused by the server with its length; a `maxlength` would cut it."""
    pages = [client.get("/supervision/report/?village=330381102201").content.decode()]
    submitted = report()
    pages.append(client.post(RECEIPT, {"receipt": submitted.receipt}).content.decode())
    client.force_login(demo_user("supervisor"))
    pages.append(client.get(f"/field/cases/{submitted.case.pk}/").content.decode())
    for page in pages:
        for box in re.findall(r"<textarea[^>]*>", page):
            assert "maxlength" not in box, box
