"""Receipt codes are stored only hashed; reports go where nobody they name handles them."""

import uuid

import pytest
from django.db import connection

from registry.models import AdminUnit
from supervision import receipts, services
from supervision.models import Case, Category, Station
from tests.supervision.conftest import XUAO


def test_the_receipt_is_stored_only_as_a_keyed_hash(report):
    submitted = report()
    code = submitted.receipt
    assert len(code) == 14 and code.count("-") == 2
    compact = code.replace("-", "")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM supervision_case t WHERE t::text LIKE %s OR t::text LIKE %s",
            [f"%{code}%", f"%{compact}%"],
        )
        assert cursor.fetchone()[0] == 0
    assert submitted.case.receipt_hash == receipts.receipt_hash(code)


def test_a_receipt_is_read_however_it_is_typed(report):
    submitted = report()
    code = submitted.receipt
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in code)
    for variant in (code, typed, full_width, f"【{code}】"):
        assert services.case_for_receipt(variant) == submitted.case


def test_an_unknown_receipt_opens_nothing(report):
    report()
    assert services.case_for_receipt("0000-0000-0000") is None
    assert services.case_for_receipt("") is None


def test_a_resent_form_finds_its_case_and_shows_the_same_receipt(report):
    submission = uuid.uuid4()
    first = report(client_uuid=submission)
    again = report(client_uuid=submission, text="another text entirely, sent again")
    assert (again.case, again.receipt, again.created) == (first.case, first.receipt, False)
    assert Case.objects.filter(pk=first.case.pk).count() == 1


def test_a_report_goes_to_the_villages_station(report):
    assert report().case.route == Case.Route.STATION


def test_a_report_naming_a_station_member_goes_to_the_township(report, demo_user):
    supervisor = demo_user("supervisor")
    case = report(about_member=supervisor).case
    assert case.route == Case.Route.TOWNSHIP
    assert not services.may_handle(supervisor, case)
    assert services.may_handle(demo_user("discipline"), case)


def test_a_report_about_a_cadre_goes_to_the_township(report, demo_user):
    case = report(about_cadre=True).case
    assert case.route == Case.Route.TOWNSHIP
    assert not services.may_handle(demo_user("supervisor"), case)


def test_a_category_for_the_township_goes_there(report):
    assert report(category=Category.objects.get(code="cadre")).case.route == "township"


def test_a_village_without_a_station_sends_its_reports_to_the_township(report):
    Station.objects.filter(village__code=XUAO).delete()
    case = report(village=AdminUnit.objects.get(code=XUAO)).case
    assert case.route == Case.Route.TOWNSHIP


def test_a_named_member_must_belong_to_the_villages_station(report, demo_user):
    with pytest.raises(Exception, match="member"):
        report(about_member=demo_user("city"))


def test_contacts_named_and_confidential(report, demo_user):
    contact = {"name": "王村民", "phone": "13912345678"}
    named = report(identity=Case.Identity.NAMED, contact=contact).case
    confidential = report(identity=Case.Identity.CONFIDENTIAL, contact=contact).case
    supervisor, discipline = demo_user("supervisor"), demo_user("discipline")
    assert services.may_see_contact(supervisor, named)
    assert services.may_see_contact(discipline, confidential)
    station = Station.objects.get(village=confidential.village)
    assert station.head == supervisor  # the demo's supervisor heads its stations
    assert services.may_see_contact(supervisor, confidential)
    Station.objects.filter(pk=station.pk).update(head=None)
    assert not services.may_see_contact(supervisor, Case.objects.get(pk=confidential.pk))


@pytest.mark.parametrize(
    ("identity", "contact", "field"),
    [
        ("named", {"phone": "13912345678"}, "name"),
        ("confidential", {}, "phone"),
        ("shouted", {}, "identity"),
    ],
)
def test_an_identity_without_what_it_needs_is_refused(report, identity, contact, field):
    with pytest.raises(Exception) as refused:
        report(identity=identity, contact=contact)
    assert field in refused.value.message_dict


def test_an_anonymous_report_keeps_no_contact_even_if_one_was_typed(report):
    case = report(contact={"name": "王村民", "phone": "13912345678"}).case
    assert not hasattr(case, "contact") or not Case.objects.filter(contact__case=case).exists()
