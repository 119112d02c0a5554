"""The monthly disclosure (三务公开): built from the record, published once by the monthly task on
China's first working day, frozen, corrected only by amendments; a question on a line becomes a
supervision case."""

import datetime as dt
import hashlib
import json
import uuid
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone, translation
from django_q.models import Schedule

from finance import disclosures, questions, services, tasks
from finance.models import DisclosureQuestion, MonthlyDisclosure, Payee, PaymentRequest
from leasing import services as leasing_services
from leasing.models import Lease
from registry.models import AdminUnit
from supervision.models import Case, ReporterContact
from trail.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """The refusals below are read in English (the catalogue gives them in Chinese)."""
    with translation.override("en"):
        yield


LAST = disclosures.previous_month(timezone.localdate())  # the latest month that may be published


def in_month(day: int, month: dt.date = LAST) -> dt.date:
    return month.replace(day=day)


def pay(make_draft, demo_user, amount: str, *, on: dt.date, reference: str, **fields):
    """A request drafted, approved along its chain and paid by transfer on `on` (a past day:
    the approval is dated that morning, as it was when the month was lived)."""
    request = services.submit(make_draft(amount, **fields), actor=demo_user("bookkeeper"))
    for approver in ("supervisor", "head"):
        request = services.approve(request, actor=demo_user(approver))
    approved = timezone.make_aware(dt.datetime.combine(on, dt.time(9)))
    PaymentRequest.objects.filter(pk=request.pk).update(approved_at=approved)
    request.refresh_from_db()
    return services.mark_paid(
        request, actor=demo_user("bookkeeper"), bank_reference=reference, paid_on=on
    )


@pytest.fixture
def person_payee(village):
    return services.save_payee(
        Payee(
            village=village,
            kind=Payee.Kind.PERSON,
            name="张大山",
            id_number="",
            bank_name="瑞安农商银行",
            account_number="6228 4800 5555 0001",
        ),
        actor=None,
    )


@pytest.fixture
def month_of_money(village, make_draft, demo_user, person_payee):
    """Last month of 东岙村: three payments, two receipts, rent; and, around it, money that
    belongs to no disclosure of that month (another month, another village, not yet paid)."""
    bookkeeper = demo_user("bookkeeper")
    pay(make_draft, demo_user, "2000.00", on=in_month(3), reference="RCB-2026-0001")
    pay(
        make_draft,
        demo_user,
        "12345.67",
        on=in_month(9),
        reference="RCB-2026-0002",
        category="works",
        purpose="村道修补 联系人13812345678",
    )
    pay(
        make_draft,
        demo_user,
        "3600.00",
        on=in_month(20),
        reference="RCB-2026-0003",
        category="wages",
        payee=person_payee,
        purpose="保洁劳务费",
    )
    before = disclosures.previous_month(LAST)
    pay(make_draft, demo_user, "999.00", on=in_month(28, before), reference="RCB-2026-0004")
    services.approve(
        services.approve(
            services.submit(make_draft("450.00"), actor=bookkeeper), actor=demo_user("supervisor")
        ),
        actor=demo_user("head"),
    )  # approved, never paid
    for amount, day, category in (("50000.00", 5, "subsidy"), ("800.50", 25, "investment")):
        services.record_receipt(
            actor=bookkeeper,
            village=village,
            category=category,
            payer="瑞安市财政局",
            amount=amount,
            received_on=in_month(day),
            banked_on=in_month(day),
            bank_reference=f"IN{day:02d}000001",
        )
    services.record_receipt(
        actor=bookkeeper,
        village=village,
        category="subsidy",
        payer="瑞安市财政局",
        amount="7.00",
        received_on=in_month(28, before),
        banked_on=in_month(28, before),
        bank_reference="IN28000002",
    )
    lease = Lease.objects.filter(asset__village=village).order_by("pk").first()
    leasing_services.record_lease_payment(
        lease, actor=None, paid_on=in_month(12), amount=Decimal("1750.00"), bank_reference="R1"
    )
    neighbour = AdminUnit.objects.get(code="330381102202")
    other = Lease.objects.filter(asset__village=neighbour).first()
    leasing_services.record_lease_payment(
        other, actor=None, paid_on=in_month(12), amount=Decimal("99.00"), bank_reference="R2"
    )
    return village


def sql_sums(village: AdminUnit, month: dt.date) -> dict:
    """The month's money straight from the tables, written apart from the code under test."""
    first, last = month, disclosures.month_end(month)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT category, SUM(amount) FROM finance_paymentrequest WHERE village_id = %s "
            "AND state = 'paid' AND paid_on BETWEEN %s AND %s GROUP BY category",
            [village.pk, first, last],
        )
        expenditure = dict(cursor.fetchall())
        cursor.execute(
            "SELECT category, SUM(amount) FROM finance_receipt WHERE village_id = %s "
            "AND banked_on BETWEEN %s AND %s GROUP BY category",
            [village.pk, first, last],
        )
        income = dict(cursor.fetchall())
        cursor.execute(
            "SELECT COALESCE(SUM(p.amount), 0) FROM leasing_leasepayment p "
            "JOIN leasing_lease l ON l.id = p.lease_id JOIN registry_asset a ON a.id = l.asset_id "
            "WHERE a.village_id = %s AND p.paid_on BETWEEN %s AND %s",
            [village.pk, first, last],
        )
        income["rent"] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT COUNT(*) FROM finance_paymentrequest WHERE village_id = %s "
            "AND state = 'paid' AND paid_on BETWEEN %s AND %s",
            [village.pk, first, last],
        )
        payments = cursor.fetchone()[0]
    return {"expenditure": expenditure, "income": income, "payments": payments}


def amounts(lines: list[dict]) -> dict[str, Decimal]:
    return {line["category"]: Decimal(line["amount"]) for line in lines if line["amount"] != "0.00"}


# ---------------------------------------------------------------- the monthly task


def test_monthly_task_publishes_the_same_numbers_as_sql_sums(month_of_money):
    village = month_of_money
    today = timezone.localdate()
    outcome = tasks.monthly(today=tasks.first_working_day(today.year, today.month))
    assert village.code in outcome["published"] and not outcome["failed"]
    disclosure = MonthlyDisclosure.objects.get(village=village, month=LAST)
    content = disclosure.content
    sums = sql_sums(village, LAST)
    assert amounts(content["expenditure"]["lines"]) == sums["expenditure"]
    assert amounts(content["income"]["lines"]) == {k: v for k, v in sums["income"].items() if v}
    assert Decimal(content["expenditure"]["total"]) == sum(sums["expenditure"].values())
    assert Decimal(content["income"]["total"]) == sum(sums["income"].values())
    assert Decimal(content["balance"]) == sum(sums["income"].values()) - sum(
        sums["expenditure"].values()
    )
    assert len(content["payments"]) == sums["payments"]
    references = {p["bank_reference"] for p in content["payments"]}
    assert {"RCB-2026-0001", "RCB-2026-0002", "RCB-2026-0003"} <= references
    assert "RCB-2026-0004" not in references  # paid the month before
    received = [Decimal(line["received"]) for line in content["leases"]]
    assert sum(received) == sums["income"]["rent"] and Decimal("1750.00") in received


def test_every_village_gets_its_month_and_a_second_run_publishes_nothing(month_of_money):
    today = timezone.localdate()
    day = tasks.first_working_day(today.year, today.month)
    first = tasks.monthly(today=day)
    villages = AdminUnit.objects.filter(level=AdminUnit.Level.VILLAGE).count()
    assert len(first["published"]) == villages and first["month"] == f"{LAST:%Y-%m}"
    assert MonthlyDisclosure.objects.filter(month=LAST).count() == villages
    events = Event.objects.count()
    again = tasks.monthly(today=day + dt.timedelta(days=1))  # a later day: only what is missing
    assert again["published"] == [] and again["skipped"] == villages
    assert Event.objects.count() == events


def test_the_task_waits_for_the_first_working_day():
    # National Day 2026: 1-7 October off, the 8th the first working day of October.
    assert tasks.monthly(today=dt.date(2026, 10, 7)) is None
    assert not MonthlyDisclosure.objects.exists()


def test_first_working_day_skips_national_day_holiday():
    assert tasks.first_working_day(2026, 10) == dt.date(2026, 10, 8)
    assert not tasks.is_first_working_day(dt.date(2026, 10, 1))
    assert tasks.is_first_working_day(dt.date(2026, 10, 8))


def test_first_working_day_can_be_a_make_up_sunday():
    # New Year 2026: 1-3 January off, Sunday the 4th a make-up working day (调休).
    assert dt.date(2026, 1, 4).weekday() == 6
    assert tasks.first_working_day(2026, 1) == dt.date(2026, 1, 4)


def test_first_working_day_after_a_weekend():
    assert tasks.first_working_day(2026, 11) == dt.date(2026, 11, 2)  # the 1st is a Sunday
    assert tasks.first_working_day(2026, 12) == dt.date(2026, 12, 1)


def test_new_years_day_is_never_the_day_even_in_an_unknown_year():
    assert tasks.first_working_day(2099, 1) > dt.date(2099, 1, 1)


def test_the_queue_runs_the_task_daily_at_a_fixed_hour():
    schedule = Schedule.objects.get(name=tasks.SCHEDULE_NAME)
    assert schedule.func == "finance.tasks.monthly"
    assert schedule.schedule_type == Schedule.DAILY
    assert timezone.localtime(schedule.next_run).hour == tasks.PUBLISH_HOUR


def test_command_publishes_one_village_and_skips_it_the_second_time(month_of_money):
    out = StringIO()
    call_command("publish_disclosures", village="330381102201", month=f"{LAST:%Y-%m}", stdout=out)
    assert "published 330381102201" in out.getvalue()
    out = StringIO()
    call_command("publish_disclosures", village="330381102201", stdout=out)
    assert "skipped 330381102201" in out.getvalue()
    assert MonthlyDisclosure.objects.filter(month=LAST).count() == 1


def test_command_refuses_bad_months_and_codes():
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("publish_disclosures", month="2026-13")
    with pytest.raises(CommandError, match="not over"):
        call_command("publish_disclosures", month=f"{timezone.localdate():%Y-%m}")
    with pytest.raises(CommandError, match="division code"):
        call_command("publish_disclosures", village="999")
    assert not MonthlyDisclosure.objects.exists()


# ---------------------------------------------------------------- the content


def test_content_masks_people_and_scrubs_numbers_and_keeps_amounts_exact(month_of_money):
    content = disclosures.build_content(month_of_money, LAST)
    text = json.dumps(content, ensure_ascii=False)
    assert "张大山" not in text and "张**" in text
    assert "6228" not in text and "13812345678" not in text
    payments = {p["reference"]: p for p in content["payments"]}
    mine = [p["amount"] for p in content["payments"] if p["bank_reference"].startswith("RCB-")]
    assert mine == ["2000.00", "12345.67", "3600.00"]
    works = next(p for p in payments.values() if p["category"] == "works")
    assert works["bank_reference"] == "RCB-2026-0002"
    assert works["power_item"]["number"] and works["key"] == f"payments:{works['id']}"
    assert all(isinstance(v, str) for v in (content["income"]["total"], content["balance"]))


def test_content_is_a_pure_read(month_of_money):
    events, rows = Event.objects.count(), MonthlyDisclosure.objects.count()
    assert disclosures.build_content(month_of_money, LAST) == disclosures.build_content(
        month_of_money, LAST
    )
    assert (Event.objects.count(), MonthlyDisclosure.objects.count()) == (events, rows)


def test_cases_are_listed_by_public_reference_only():
    case = Case.objects.select_related("village").order_by("pk").first()
    month = disclosures.month_start(timezone.localdate(case.created))
    content = disclosures.build_content(case.village, month)
    listed = content["cases"]["received"]
    assert case.pk in [c["id"] for c in listed]
    assert set(listed[0]) == {"id", "reference", "category", "state", "received_on", "closed_on"}
    assert case.text not in json.dumps(content, ensure_ascii=False)


# ---------------------------------------------------------------- publishing and amending


def test_published_content_hashes_to_the_logged_sha256(month_of_money, demo_user):
    disclosure = disclosures.publish_month(month_of_money, LAST, actor=demo_user("township"))
    stored = MonthlyDisclosure.objects.get(pk=disclosure.pk)
    canonical = json.dumps(
        stored.content, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    assert hashlib.sha256(canonical.encode()).hexdigest() == stored.sha256
    event = Event.objects.filter(action=Event.Action.PUBLISH, subject_id=stored.pk).get()
    assert event.changes["sha256"] == stored.sha256 and event.unit_id == month_of_money.pk


def test_publishing_a_month_twice_is_refused_and_writes_nothing(month_of_money):
    disclosures.publish_month(month_of_money, LAST)
    rows, events = MonthlyDisclosure.objects.count(), Event.objects.count()
    with pytest.raises(ValidationError, match="published already"):
        disclosures.publish_month(month_of_money, LAST)
    assert (MonthlyDisclosure.objects.count(), Event.objects.count()) == (rows, events)


def test_a_month_not_over_or_a_township_is_refused(village):
    with pytest.raises(ValidationError, match="not over yet"):
        disclosures.publish_month(village, disclosures.month_start(timezone.localdate()))
    with pytest.raises(ValidationError, match="not a village"):
        disclosures.publish_month(village.parent, LAST)
    assert not MonthlyDisclosure.objects.exists()


def test_only_publishers_of_the_villages_units_publish(village, demo_user):
    with pytest.raises(PermissionDenied):
        disclosures.publish_month(village, LAST, actor=demo_user("bookkeeper"))
    outside = AdminUnit.objects.filter(level=AdminUnit.Level.VILLAGE).exclude(
        parent=village.parent
    )[0]
    with pytest.raises(PermissionDenied):
        disclosures.publish_month(outside, LAST, actor=demo_user("finance"))
    assert disclosures.publish_month(village, LAST, actor=demo_user("finance")).pk


def test_the_model_refuses_update_and_delete(village):
    disclosure = disclosures.publish_month(village, LAST)
    disclosure.reason = "changed"
    with pytest.raises(ValidationError, match="frozen"):
        disclosure.save()
    with pytest.raises(ValidationError, match="frozen"):
        disclosure.delete()
    stored = MonthlyDisclosure.objects.get(pk=disclosure.pk)
    assert stored.reason == "" and stored.sha256 == disclosure.sha256


def test_amendment_is_published_beside_the_untouched_original(
    month_of_money, make_draft, demo_user
):
    original = disclosures.publish_month(month_of_money, LAST)
    frozen = MonthlyDisclosure.objects.filter(pk=original.pk).values().get()
    pay(make_draft, demo_user, "500.00", on=in_month(27), reference="RCB-2026-0009")
    amendment = disclosures.amend(original, actor=demo_user("township"), reason="补录一笔付款")
    assert (amendment.number, amendment.amends, amendment.reason) == (1, original, "补录一笔付款")
    assert Decimal(amendment.content["expenditure"]["total"]) == Decimal(
        original.content["expenditure"]["total"]
    ) + Decimal("500.00")
    assert MonthlyDisclosure.objects.filter(pk=original.pk).values().get() == frozen
    assert list(original.amendments.all()) == [amendment]
    assert Event.objects.filter(action=Event.Action.PUBLISH, subject_id=amendment.pk).exists()
    changes = disclosures.changes_between(original.content, amendment.content)
    assert {"before": "—", "after": "500.00"}.items() <= changes[-1].items()


def test_amending_needs_a_reason_and_a_changed_record(month_of_money, demo_user):
    original = disclosures.publish_month(month_of_money, LAST)
    with pytest.raises(ValidationError, match="why"):
        disclosures.amend(original, actor=demo_user("township"), reason="  ")
    with pytest.raises(ValidationError, match="has not changed"):
        disclosures.amend(original, actor=demo_user("township"), reason="再次公开")
    assert MonthlyDisclosure.objects.count() == 1


# ---------------------------------------------------------------- questions


def ask(disclosure, *, line="income:rent", identity="anonymous", contact=None, **kwargs):
    kwargs.setdefault("client_uuid", uuid.uuid4())
    return questions.ask(
        disclosure,
        line=line,
        text="这笔钱的用途没有说清楚，请公开合同。",
        identity=identity,
        contact=contact,
        **kwargs,
    )


def test_a_question_within_ten_days_is_a_money_case_about_the_line(month_of_money):
    disclosure = disclosures.publish_month(month_of_money, LAST)
    line = disclosure.content["payments"][0]["key"]
    asked = ask(disclosure, line=line, today=timezone.localdate() + dt.timedelta(days=10))
    case = asked.submitted.case
    assert case.category.code == "money" and case.village == month_of_money
    assert disclosure.content["payments"][0]["reference"] in case.text
    question = DisclosureQuestion.objects.get(case=case)
    assert (question.disclosure, question.line) == (disclosure, line)
    assert disclosure.content["payments"][0]["reference"] in question.line_label
    assert Event.objects.filter(action=Event.Action.QUESTION, subject_id=question.pk).exists()


def test_a_question_after_ten_days_is_refused_and_nothing_is_stored(village):
    disclosure = disclosures.publish_month(village, LAST)
    cases = Case.objects.count()
    with pytest.raises(ValidationError, match="closed"):
        ask(disclosure, today=timezone.localdate() + dt.timedelta(days=11))
    assert Case.objects.count() == cases and not DisclosureQuestion.objects.exists()


def test_an_anonymous_question_keeps_no_contact(village):
    disclosure = disclosures.publish_month(village, LAST)
    asked = ask(disclosure, contact={"name": "李四", "phone": "13812345678", "email": "a@b.cn"})
    case = asked.submitted.case
    assert case.identity == Case.Identity.ANONYMOUS
    assert not ReporterContact.objects.filter(case=case).exists()
    assert "李四" not in case.text and "13812345678" not in case.text


def test_a_confidential_question_keeps_its_contact_for_the_station(village):
    disclosure = disclosures.publish_month(village, LAST)
    asked = ask(disclosure, identity="confidential", contact={"phone": "13812345678"})
    assert ReporterContact.objects.get(case=asked.submitted.case).phone == "13812345678"


def test_a_replayed_question_makes_one_case(village):
    disclosure = disclosures.publish_month(village, LAST)
    client_uuid = uuid.uuid4()
    first = ask(disclosure, client_uuid=client_uuid)
    again = ask(disclosure, client_uuid=client_uuid)
    assert again.question == first.question and again.submitted.receipt == first.submitted.receipt
    assert not again.submitted.created
    assert DisclosureQuestion.objects.count() == 1
    assert Case.objects.filter(pk=first.submitted.case.pk).count() == 1


def test_a_question_on_an_unknown_line_is_refused(village):
    disclosure = disclosures.publish_month(village, LAST)
    with pytest.raises(ValidationError) as refused:
        ask(disclosure, line="payments:999999")
    assert "line" in refused.value.message_dict
    assert not DisclosureQuestion.objects.exists()


def test_a_new_installation_queues_one_catch_up_run_and_a_later_migrate_does_not():
    from django_q.models import OrmQ

    def queued():
        return [m for m in OrmQ.objects.all() if m.task.get("func") == "finance.tasks.monthly"]

    Schedule.objects.filter(name=tasks.SCHEDULE_NAME).delete()
    OrmQ.objects.all().delete()
    tasks.schedule_monthly(sender=None)
    assert len(queued()) == 1
    tasks.schedule_monthly(sender=None)
    assert len(queued()) == 1
