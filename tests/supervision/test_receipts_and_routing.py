"""Receipt codes are stored only hashed; reports go where nobody they name handles them."""

import uuid

import pytest
from django.core.exceptions import ValidationError
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


@pytest.mark.parametrize("phone", ["1380000", "abc<script>", "12345678901", "0577"])
def test_a_contact_phone_that_is_no_phone_is_refused(report, phone):
    with pytest.raises(ValidationError) as refused:
        report(identity=Case.Identity.CONFIDENTIAL, contact={"phone": phone})
    assert "phone" in refused.value.message_dict


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("138 1234 5678", "13812345678"),
        ("+86 139-1234-5678", "+8613912345678"),
        ("0577-6589 1234", "057765891234"),
        ("(0577)65891234", "057765891234"),
        ("１３８１２３４５６７８", "13812345678"),
    ],
)
def test_a_contact_phone_is_read_however_it_is_typed(report, typed, kept):
    case = report(identity=Case.Identity.CONFIDENTIAL, contact={"phone": typed}).case
    assert case.contact.phone == kept


def test_published_text_hides_landlines_mobiles_and_id_numbers(report, demo_user):
    case = report().case
    services.publish(
        case,
        public_text="王家电话0577-65891234，手机13912345678，身份证330381199001011234。",
        outcome="请拨打(0577)6589 1235了解。",
        actor=demo_user("supervisor"),
    )
    case.refresh_from_db()
    for number in ("65891234", "13912345678", "330381199001011234", "6589 1235"):
        assert number not in case.public_text + case.outcome
    assert services.LANDLINE_MASK in case.public_text and services.LANDLINE_MASK in case.outcome


def test_a_merge_needs_a_reason(report, demo_user):
    first, second = report().case, report(text="同一处路面开裂，再次反映。").case
    with pytest.raises(ValidationError) as refused:
        services.merge(second, into=first, actor=demo_user("supervisor"), reason=" ")
    assert "reason" in refused.value.message_dict


def test_a_reporter_may_correct_a_contact_without_becoming_more_anonymous(report):
    case = report(identity=Case.Identity.CONFIDENTIAL, contact={"phone": "13912345678"}).case
    assert services.disclosures_open(case) == ["confidential", "named"]
    services.reporter_disclose(case, identity="confidential", contact={"phone": "13812345678"})
    case.refresh_from_db()
    assert (case.identity, case.contact.phone) == ("confidential", "13812345678")
