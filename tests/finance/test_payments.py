"""A payment request's life: the chain by amount and item, no self-approval, locking and
versions, bank-only payment, the project's paid total and its cap; bad input changes nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from finance import chains, services
from finance.models import ApprovalRule, ApprovalStep, PaymentRequest, PowerItem, Voucher
from projects.models import Project
from tests.finance.conftest import voucher_file
from trail.models import Event

pytestmark = pytest.mark.django_db
State = PaymentRequest.State
TODAY = timezone.localdate


def run_chain(request, demo_user, *names):
    for name in names:
        request = services.approve(request, actor=demo_user(name))
    return request


def pay(request, demo_user, reference="ICBC20261130001", who="bookkeeper"):
    return services.mark_paid(
        request, actor=demo_user(who), bank_reference=reference, paid_on=TODAY()
    )


def unchanged(before_counts):
    return before_counts == counts()


def counts():
    return (
        PaymentRequest.objects.count(),
        ApprovalStep.objects.count(),
        Voucher.objects.count(),
        Event.objects.count(),
    )


# ---------------------------------------------------------------- the chain


@pytest.mark.parametrize(
    ("amount", "roles"),
    [
        ("2000", ["village_supervisor", "village_head"]),
        ("50000", ["village_supervisor", "village_head"]),
        ("50000.01", ["village_supervisor", "village_head", "finance_office"]),
        ("100000", ["village_supervisor", "village_head", "finance_office"]),
        (
            "100000.01",
            ["village_supervisor", "village_head", "finance_office", "township_leader"],
        ),
    ],
)
def test_the_general_chain_grows_with_the_amount(power_item, amount, roles):
    assert [r.role for r in chains.chain_for(power_item, Decimal(amount))] == roles


def test_an_item_with_rules_of_its_own_uses_them_instead_of_the_general_chain(power_item):
    ApprovalRule.objects.create(
        power_item=power_item, position=1, role="village_head", above=0, label="主任审批"
    )
    ApprovalRule.objects.create(
        power_item=power_item, position=2, role="township_staff", above=1000, label="镇审核"
    )
    assert [r.role for r in chains.chain_for(power_item, Decimal("999"))] == ["village_head"]
    assert [r.role for r in chains.chain_for(power_item, Decimal("1000.01"))] == [
        "village_head",
        "township_staff",
    ]
    other = PowerItem.objects.create(number=97, area="money", title="其他", decider="村委会")
    assert [r.role for r in chains.chain_for(other, Decimal("10"))] == [
        "village_supervisor",
        "village_head",
    ]


def test_a_submitted_chain_is_a_copy_later_rule_changes_do_not_touch(make_draft, demo_user):
    request = services.submit(make_draft("60000"), actor=demo_user("bookkeeper"))
    ApprovalRule.objects.filter(role="finance_office").update(above=Decimal("70000"))
    assert list(request.steps.values_list("role", flat=True)) == [
        "village_supervisor",
        "village_head",
        "finance_office",
    ]


def test_a_large_request_runs_the_whole_chain_in_order(make_draft, demo_user):
    request = services.submit(make_draft("120000"), actor=demo_user("bookkeeper"))
    with pytest.raises(PermissionDenied, match=r"supervisor|监察"):
        services.approve(request, actor=demo_user("leader"))  # not its turn yet
    request = run_chain(request, demo_user, "supervisor", "head", "finance")
    assert request.state == State.PENDING
    request = services.approve(request, actor=demo_user("leader"))
    assert request.state == State.APPROVED
    assert all(s.decision == "approved" for s in request.steps.all())


def test_a_small_request_is_drafted_approved_twice_and_paid_by_bank(make_draft, demo_user):
    request = services.submit(make_draft("2000"), actor=demo_user("bookkeeper"))
    request = run_chain(request, demo_user, "supervisor", "head")
    assert request.state == State.APPROVED and request.approved_at is not None
    paid = pay(request, demo_user, reference="ICBC 2026 1130 0001")
    assert paid.state == State.PAID and paid.bank_reference == "ICBC202611300001"
    assert paid.time_to_paid == paid.paid_at - paid.created
    event = Event.objects.filter(action=Event.Action.PAID).latest("seq")
    assert event.changes["state"]["to"] == "paid"
    assert event.changes["bank_reference"]["to"] == "ICBC202611300001"


# ---------------------------------------------------------------- who may approve


def test_nobody_approves_their_own_request(make_draft, demo_user, village):
    from django.contrib.auth.models import Group

    head = demo_user("head")
    head.groups.add(Group.objects.get(name="bookkeeper"))
    request = services.submit(make_draft("2000", actor=head), actor=head)
    services.approve(request, actor=demo_user("supervisor"))
    before = counts()
    with pytest.raises(PermissionDenied, match=r"own request|自己"):
        services.approve(request, actor=head)
    assert unchanged(before)


def test_one_person_does_not_decide_two_steps(make_draft, demo_user):
    from django.contrib.auth.models import Group

    supervisor = demo_user("supervisor")
    supervisor.groups.add(Group.objects.get(name="village_head"))
    request = services.submit(make_draft("2000"), actor=demo_user("bookkeeper"))
    services.approve(request, actor=supervisor, step=1)
    with pytest.raises(PermissionDenied, match=r"another step|另一"):
        services.approve(request, actor=supervisor, step=2)
    request.refresh_from_db()
    assert request.state == State.PENDING


@pytest.mark.parametrize("who", ["bookkeeper", "inspector", "discipline", "head", "leader"])
def test_the_wrong_role_cannot_countersign(make_draft, demo_user, who):
    request = services.submit(make_draft("2000"), actor=demo_user("bookkeeper"))
    before = counts()
    with pytest.raises(PermissionDenied):
        services.approve(request, actor=demo_user(who))
    assert unchanged(before)


def test_an_approver_of_another_township_is_refused(make_draft, demo_user):
    from django.contrib.auth.models import Group, User

    from registry.models import AdminUnit, Profile

    outsider = User.objects.create_user("far-supervisor")
    outsider.groups.add(Group.objects.get(name="village_supervisor"))
    profile, _ = Profile.objects.get_or_create(user=outsider)
    profile.units.set(
        AdminUnit.objects.filter(level="village").exclude(code__startswith="330381102")[:1]
    )
    request = services.submit(make_draft("2000"), actor=demo_user("bookkeeper"))
    with pytest.raises(PermissionDenied):
        services.approve(request, actor=outsider)


def test_an_approval_sent_twice_is_one_approval(make_draft, demo_user):
    request = services.submit(make_draft("2000"), actor=demo_user("bookkeeper"))
    services.approve(request, actor=demo_user("supervisor"))
    before = counts()
    services.approve(request, actor=demo_user("supervisor"))
    assert unchanged(before)
    assert request.steps.filter(decision="approved").count() == 1


# ---------------------------------------------------------------- refusal


def test_a_refusal_needs_a_reason_and_stops_the_chain(make_draft, demo_user):
    request = services.submit(make_draft("60000"), actor=demo_user("bookkeeper"))
    before = counts()
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as error:
            services.refuse(request, actor=demo_user("supervisor"), reason=reason)
        assert "reason" in error.value.message_dict
    assert unchanged(before)
    request = services.refuse(
        request, actor=demo_user("supervisor"), reason="发票抬头不是本村，请更正。"
    )
    assert request.state == State.REFUSED
    assert list(request.steps.values_list("decision", flat=True)) == [
        "refused",
        "cancelled",
        "cancelled",
    ]
    event = Event.objects.latest("seq")
    assert event.changes["reason"] == "发票抬头不是本村，请更正。"
    with pytest.raises(PermissionDenied):
        services.approve(request, actor=demo_user("head"))


def test_a_refusal_reason_hides_phone_numbers_in_public(make_draft, demo_user):
    request = services.submit(make_draft("2000"), actor=demo_user("bookkeeper"))
    services.refuse(request, actor=demo_user("supervisor"), reason="请联系13812345678补材料")
    assert "13812345678" not in str(Event.objects.latest("seq").changes)


# ---------------------------------------------------------------- locking and versions


def test_a_submitted_request_is_locked(make_draft, demo_user):
    request = services.submit(make_draft("2000"), actor=demo_user("bookkeeper"))
    before = counts()
    with pytest.raises(ValidationError, match=r"locked|锁定"):
        services.update_draft(request, actor=demo_user("bookkeeper"), amount="1000")
    with pytest.raises(ValidationError):
        services.attach_voucher(
            request,
            actor=demo_user("bookkeeper"),
            kind="invoice",
            title="补充发票",
            upload=voucher_file(body=b"\x89PNG\r\n\x1a\nother"),
        )
    assert unchanged(before)


def test_an_approved_request_is_corrected_by_a_new_version_that_runs_the_chain_again(
    make_draft, demo_user
):
    bookkeeper = demo_user("bookkeeper")
    first = run_chain(
        services.submit(make_draft("2000"), actor=bookkeeper), demo_user, "supervisor", "head"
    )
    second = services.revise(first, actor=bookkeeper)
    assert services.revise(first, actor=bookkeeper) == second  # asked twice: one version
    first.refresh_from_db()
    assert first.state == State.SUPERSEDED
    assert (second.number, second.version, second.state) == (first.number, 2, State.DRAFT)
    assert second.reference == f"{first.number} v2"
    assert second.vouchers.count() == first.vouchers.count() == 1
    with pytest.raises(ValidationError):
        pay(first, demo_user)
    second = services.update_draft(second, actor=bookkeeper, amount="1800.50")
    second = services.submit(second, actor=bookkeeper)
    assert second.steps.count() == 2 and second.state == State.PENDING


def test_a_paid_request_cannot_be_revised_or_withdrawn(make_draft, demo_user):
    bookkeeper = demo_user("bookkeeper")
    request = pay(
        run_chain(services.submit(make_draft(), actor=bookkeeper), demo_user, "supervisor", "head"),
        demo_user,
    )
    for action in (services.revise, services.withdraw):
        with pytest.raises(ValidationError):
            action(request, actor=bookkeeper)


def test_a_withdrawn_request_cannot_be_approved(make_draft, demo_user):
    request = services.submit(make_draft(), actor=demo_user("bookkeeper"))
    services.withdraw(request, actor=demo_user("bookkeeper"))
    with pytest.raises(PermissionDenied):
        services.approve(request, actor=demo_user("supervisor"))


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("amount", ["12.345", "-5", "0", "abc", "NaN", "Infinity", "1e20", ""])
def test_an_amount_with_the_wrong_precision_or_no_amount_is_refused(make_draft, amount):
    before = counts()
    with pytest.raises(ValidationError) as error:
        make_draft(amount, voucher=False)
    assert "amount" in error.value.message_dict
    assert unchanged(before)


@pytest.mark.parametrize(
    ("typed", "read"), [("１２，３４５．６元", "12345.60"), ("2,000", "2000.00")]
)
def test_amounts_are_read_as_people_type_them(make_draft, typed, read):
    assert make_draft(typed, voucher=False).amount == Decimal(read)


def test_a_voucher_that_is_not_a_pdf_or_image_is_refused(make_draft, demo_user):
    request = make_draft(voucher=False)
    before = counts()
    with pytest.raises(ValidationError) as error:
        services.attach_voucher(
            request,
            actor=demo_user("bookkeeper"),
            kind="invoice",
            title="发票",
            upload=voucher_file("invoice.png", b"MZ\x90\x00 not an image"),
        )
    assert "file" in error.value.message_dict
    assert unchanged(before)


def test_a_request_without_a_voucher_is_not_submitted(make_draft, demo_user):
    request = make_draft(voucher=False)
    with pytest.raises(ValidationError) as error:
        services.submit(request, actor=demo_user("bookkeeper"))
    assert "vouchers" in error.value.message_dict
    request.refresh_from_db()
    assert request.state == State.DRAFT and not request.steps.exists()


def test_a_payee_without_a_bank_account_is_refused(village):
    from finance.models import Payee

    with pytest.raises(ValidationError) as error:
        services.save_payee(
            Payee(village=village, kind="person", name="张三", bank_name="农商银行"), actor=None
        )
    assert "account_number" in error.value.message_dict
    assert not Payee.objects.filter(name="张三").exists()


def test_a_bookkeeper_of_another_village_cannot_draft_here(village, payee, power_item):
    from django.contrib.auth.models import Group, User

    from registry.models import AdminUnit, Profile

    other = User.objects.create_user("far-bookkeeper")
    other.groups.add(Group.objects.get(name="bookkeeper"))
    profile, _ = Profile.objects.get_or_create(user=other)
    profile.units.set(AdminUnit.objects.filter(level="village").exclude(pk=village.pk)[:1])
    with pytest.raises(PermissionDenied):
        services.draft_request(
            actor=other,
            village=village,
            payee=payee,
            amount="10",
            purpose="x",
            category="other",
            power_item=power_item,
        )


def test_a_resent_draft_is_one_request(village, payee, power_item, demo_user):
    import uuid

    key = uuid.uuid4()
    fields = dict(
        actor=demo_user("bookkeeper"),
        village=village,
        payee=payee,
        amount="10",
        purpose="办公用品",
        category="administration",
        power_item=power_item,
        client_uuid=key,
    )
    first, created = services.draft_request(**fields)
    again, created_again = services.draft_request(**fields)
    assert created and not created_again and first == again


# ---------------------------------------------------------------- bank-only payment


def test_marking_paid_needs_the_bank_reference_and_date(make_draft, demo_user):
    request = run_chain(
        services.submit(make_draft(), actor=demo_user("bookkeeper")),
        demo_user,
        "supervisor",
        "head",
    )
    before = counts()
    for reference, paid_on, field in [
        ("", TODAY(), "bank_reference"),
        ("现金", TODAY(), "bank_reference"),
        ("ABC", TODAY(), "bank_reference"),
        ("ICBC20261130009", None, "paid_on"),
        ("ICBC20261130009", TODAY().replace(year=TODAY().year + 1), "paid_on"),
    ]:
        with pytest.raises(ValidationError) as error:
            services.mark_paid(
                request, actor=demo_user("bookkeeper"), bank_reference=reference, paid_on=paid_on
            )
        assert field in error.value.message_dict
    assert unchanged(before)
    request.refresh_from_db()
    assert request.state == State.APPROVED


def test_the_database_refuses_a_paid_request_without_a_bank_reference(make_draft):
    request = make_draft(voucher=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentRequest.objects.filter(pk=request.pk).update(state="paid")


def test_only_an_approved_request_is_paid(make_draft, demo_user):
    request = services.submit(make_draft(), actor=demo_user("bookkeeper"))
    with pytest.raises(ValidationError, match=r"approved|批准"):
        pay(request, demo_user)


def test_a_bank_transfer_is_recorded_once(make_draft, demo_user):
    bookkeeper = demo_user("bookkeeper")
    first = run_chain(
        services.submit(make_draft("100"), actor=bookkeeper), demo_user, "supervisor", "head"
    )
    second = run_chain(
        services.submit(make_draft("200"), actor=bookkeeper), demo_user, "supervisor", "head"
    )
    pay(first, demo_user, reference="ABC123456")
    before = counts()
    assert pay(first, demo_user, reference="ABC123456").state == State.PAID  # a replay
    with pytest.raises(ValidationError) as error:
        pay(second, demo_user, reference="ABC123456")
    assert "bank_reference" in error.value.message_dict
    assert unchanged(before)


def test_a_township_finance_office_may_record_the_payment(make_draft, demo_user):
    request = run_chain(
        services.submit(make_draft(), actor=demo_user("bookkeeper")),
        demo_user,
        "supervisor",
        "head",
    )
    assert pay(request, demo_user, who="finance").state == State.PAID
    with pytest.raises(PermissionDenied):
        pay(request, demo_user, reference="OTHER123456", who="head")


# ---------------------------------------------------------------- projects: paid so far, cap


@pytest.fixture
def project(village):
    project = Project.objects.filter(village=village, contract_amount__isnull=False).first()
    Project.objects.filter(pk=project.pk).update(
        contract_amount=Decimal("30000"), settlement_amount=None, paid_amount=0
    )
    Voucher.objects.filter(request__project=project).delete()  # the demo paid it
    PaymentRequest.objects.filter(project=project).delete()
    project.refresh_from_db()
    return project


def test_a_projects_paid_so_far_is_the_sum_of_its_bank_payments(make_draft, demo_user, project):
    bookkeeper = demo_user("bookkeeper")
    for amount, reference in (("10000", "REF0000001"), ("5000.50", "REF0000002")):
        request = make_draft(amount, project=project, category="works")
        run_chain(services.submit(request, actor=bookkeeper), demo_user, "supervisor", "head")
        pay(request, demo_user, reference=reference)
    project.refresh_from_db()
    assert project.paid_amount == Decimal("15000.50") == services.project_paid(project)
    assert Event.objects.filter(subject_id=project.pk, changes__paid_amount__to="15000.50").exists()


def test_payments_cannot_exceed_the_contract(make_draft, demo_user, project):
    bookkeeper = demo_user("bookkeeper")
    services.submit(make_draft("20000", project=project), actor=bookkeeper)
    request = make_draft("10000.01", project=project)
    with pytest.raises(ValidationError, match=r"9,?999.99|10,000.00"):
        services.submit(request, actor=bookkeeper)
    request.refresh_from_db()
    assert request.state == State.DRAFT
    request = services.update_draft(request, actor=bookkeeper, amount="10000")
    assert services.submit(request, actor=bookkeeper).state == State.PENDING


def test_once_audited_the_settlement_is_the_cap(make_draft, demo_user, project):
    Project.objects.filter(pk=project.pk).update(settlement_amount=Decimal("25000"))
    bookkeeper = demo_user("bookkeeper")
    with pytest.raises(ValidationError, match=r"settlement|审计"):
        services.submit(make_draft("25000.01", project=project), actor=bookkeeper)
    assert services.submit(make_draft("25000", project=project), actor=bookkeeper)


def test_a_settlement_lowered_while_approving_stops_the_approval(make_draft, demo_user, project):
    bookkeeper = demo_user("bookkeeper")
    request = services.submit(make_draft("28000", project=project), actor=bookkeeper)
    services.approve(request, actor=demo_user("supervisor"))
    Project.objects.filter(pk=project.pk).update(settlement_amount=Decimal("26000"))
    with pytest.raises(ValidationError):
        services.approve(request, actor=demo_user("head"))
    request.refresh_from_db()
    assert request.state == State.PENDING


def test_a_project_without_a_contract_takes_no_payment(make_draft, demo_user, project):
    Project.objects.filter(pk=project.pk).update(contract_amount=None)
    with pytest.raises(ValidationError, match=r"contract|合同"):
        services.submit(make_draft("100", project=project), actor=demo_user("bookkeeper"))


def test_a_project_of_another_village_is_refused(make_draft, village):
    other = Project.objects.exclude(village=village).first()
    with pytest.raises(ValidationError) as error:
        make_draft("100", project=other, voucher=False)
    assert "project" in error.value.message_dict


def test_the_median_time_to_paid(make_draft, demo_user):
    import datetime as dt

    bookkeeper = demo_user("bookkeeper")
    made = []
    for i, hours in enumerate((1, 3, 10)):
        request = run_chain(
            services.submit(make_draft(f"{100 + i}"), actor=bookkeeper),
            demo_user,
            "supervisor",
            "head",
        )
        made.append(pay(request, demo_user, reference=f"MEDIAN{i:05d}"))
        PaymentRequest.objects.filter(pk=request.pk).update(time_to_paid=dt.timedelta(hours=hours))
    rows = PaymentRequest.objects.filter(pk__in=[r.pk for r in made])
    assert services.median_time_to_paid(rows) == dt.timedelta(hours=3)
    assert services.median_time_to_paid(rows.exclude(pk=made[2].pk)) == dt.timedelta(hours=2)


# ---------------------------------------------------------------- vouchers: real files only


@pytest.mark.parametrize(
    ("name", "body", "says"),
    [
        ("invoice.pdf", b"%PDF-1.4 garbage", "PDF"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "picture"),
        ("photo.jpg", b"\xff\xd8\xff\xe0 not really", "picture"),
    ],
)
def test_a_damaged_voucher_is_refused(make_draft, demo_user, name, body, says):
    request = make_draft(voucher=False)
    before = counts()
    with pytest.raises(ValidationError, match=says) as error, translation.override("en"):
        services.attach_voucher(
            request,
            actor=demo_user("bookkeeper"),
            kind="invoice",
            title="发票",
            upload=voucher_file(name, body),
        )
    assert "file" in error.value.message_dict
    assert unchanged(before)


def test_a_huge_picture_is_refused(make_draft, demo_user):
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (12000, 11000)).save(out, "PNG")
    request = make_draft(voucher=False)
    with pytest.raises(ValidationError) as error, translation.override("en"):
        services.attach_voucher(
            request,
            actor=demo_user("bookkeeper"),
            kind="invoice",
            title="发票",
            upload=voucher_file("big.png", out.getvalue()),
        )
    assert "12000 × 11000" in str(error.value)


def test_one_invoice_backs_one_request(make_draft, demo_user):
    first = services.submit(make_draft("100"), actor=demo_user("bookkeeper"))
    file = first.vouchers.get().file.read()
    second = make_draft("100", voucher=False)
    with pytest.raises(ValidationError, match=first.reference):
        services.attach_voucher(
            second,
            actor=demo_user("bookkeeper"),
            kind="invoice",
            title="同一张发票",
            upload=voucher_file(body=file),
        )
    services.withdraw(first, actor=demo_user("bookkeeper"))
    assert services.attach_voucher(
        second,
        actor=demo_user("bookkeeper"),
        kind="invoice",
        title="同一张发票",
        upload=voucher_file(body=file),
    )


@pytest.mark.parametrize("amount", ["1e5", "1E5", "0x10", "5%"])
def test_amounts_in_other_notations_are_refused(make_draft, amount):
    with pytest.raises(ValidationError) as error:
        make_draft(amount, voucher=False)
    assert "amount" in error.value.message_dict


def test_a_request_pays_a_project_or_a_lease_not_both(make_draft, village):
    from leasing.models import Lease

    project = Project.objects.filter(village=village).first()
    lease = Lease.objects.filter(asset__village=village).first()
    with pytest.raises(ValidationError) as error:
        make_draft("100", project=project, lease=lease, voucher=False)
    assert "lease" in error.value.message_dict


def test_a_company_payee_needs_its_credit_code(village):
    from finance.models import Payee

    with pytest.raises(ValidationError) as error:
        services.save_payee(
            Payee(
                village=village,
                kind="company",
                name="某某公司",
                bank_name="农商银行",
                account_number="62284800999999",
            ),
            actor=None,
        )
    assert "credit_code" in error.value.message_dict


def test_a_bank_transfer_is_recorded_once_across_villages(
    make_draft, demo_user, village, payee, power_item
):
    from finance.models import Payee
    from registry.models import AdminUnit

    bookkeeper = demo_user("bookkeeper")
    first = run_chain(
        services.submit(make_draft("100"), actor=bookkeeper), demo_user, "supervisor", "head"
    )
    pay(first, demo_user, reference="XVILLAGE0001")
    other_village = AdminUnit.objects.get(code="330381102202")
    other_payee = services.save_payee(
        Payee(
            village=other_village,
            kind="person",
            name="林某",
            bank_name="农商银行",
            account_number="62284800777777",
        ),
        actor=None,
    )
    second = make_draft("200", payee=other_payee, village_override=other_village)
    second = run_chain(services.submit(second, actor=bookkeeper), demo_user, "supervisor", "head")
    with pytest.raises(ValidationError) as error, translation.override("en"):
        pay(second, demo_user, reference="XVILLAGE0001")
    assert "bank_reference" in error.value.message_dict
    assert f"{first.reference} of 东岙村" in str(error.value)


def test_a_paid_request_says_it_is_final(make_draft, demo_user):
    bookkeeper = demo_user("bookkeeper")
    request = pay(
        run_chain(services.submit(make_draft(), actor=bookkeeper), demo_user, "supervisor", "head"),
        demo_user,
        reference="FINAL000001",
    )
    with pytest.raises(ValidationError, match=r"final"), translation.override("en"):
        services.update_draft(request, actor=bookkeeper, amount="1")


def test_waiting_for_me_agrees_with_may_decide_in_one_query(
    make_draft, demo_user, django_assert_max_num_queries
):
    from finance import selectors

    bookkeeper = demo_user("bookkeeper")
    mine = [services.submit(make_draft(f"{100 + i}"), actor=bookkeeper) for i in range(3)]
    services.approve(mine[0], actor=demo_user("supervisor"))
    from django.contrib.auth.models import Group

    demo_user("supervisor").groups.add(Group.objects.get(name="village_head"))  # two roles
    rows = PaymentRequest.objects.filter(pk__in=[r.pk for r in mine])
    for name in ("supervisor", "head", "bookkeeper"):
        user = demo_user(name)
        expected = {
            r.pk for r in rows if services.may_decide(user, r, services.current_step(r)) == ""
        }
        selectors.waiting_for(user, rows)  # the user's groups are read once, then cached
        with django_assert_max_num_queries(1):
            found = {r.pk for r in selectors.waiting_for(user, rows)}
        assert found == expected
    assert {r.pk for r in selectors.waiting_for(demo_user("head"), rows)} == {mine[0].pk}
    assert mine[0].pk not in {r.pk for r in selectors.waiting_for(demo_user("supervisor"), rows)}


def test_a_receipt_sent_twice_is_recorded_once_and_its_reference_not_reused(village, demo_user):
    import datetime as dt

    from finance.models import Receipt

    today = timezone.localdate()
    fields = dict(
        actor=demo_user("bookkeeper"),
        village=village,
        category="subsidy",
        payer="瑞安市农业农村局",
        amount="30000",
        received_on=today - dt.timedelta(days=2),
        banked_on=today,
        bank_reference="SUB20261130001",
    )
    first = services.record_receipt(**fields)
    before = (*counts(), Receipt.objects.count())
    assert services.record_receipt(**fields) == first  # the second phone's replay
    with pytest.raises(ValidationError) as error:
        services.record_receipt(**{**fields, "amount": "31000"})
    assert "bank_reference" in error.value.message_dict
    assert (*counts(), Receipt.objects.count()) == before
