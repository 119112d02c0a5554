"""The demo's village money: payees whose numbers pass the checks, requests in every state in the
demo logins' villages (those waiting are waiting for the demo users of the step's role), a
history dated in order with its vouchers, accounts that wrote it retired; and every project's
"paid so far" from its bank payments only, which nobody can type any more (API, admin)."""

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from alerts import demo as alerts_demo
from finance import demo, money, services
from finance.models import ApprovalStep, Payee, PaymentRequest, Receipt
from projects.models import Project
from trail.models import Event

pytestmark = pytest.mark.django_db
State = PaymentRequest.State
DEMO_VILLAGES = (demo.DONGAO, demo.XUAO)


def luhn_valid(number: str) -> bool:
    total = 0
    for i, digit in enumerate(reversed(number)):
        n = int(digit) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def in_demo_villages():
    return PaymentRequest.objects.filter(village__code__in=DEMO_VILLAGES)


# ---------------------------------------------------------------- payees and money received


def test_the_demo_villages_have_payees_of_every_kind_with_numbers_that_pass_the_checks():
    for code in DEMO_VILLAGES:
        payees = Payee.objects.filter(village__code=code)
        assert set(payees.values_list("kind", flat=True)) == set(Payee.Kind.values), code
    for payee in Payee.objects.all():
        assert money.parse_account_number(payee.account_number) == payee.account_number
        assert luhn_valid(payee.account_number), payee.name
        if payee.kind == Payee.Kind.PERSON:
            assert money.id_number_valid(payee.id_number) and not payee.credit_code
        else:
            assert money.credit_code_valid(payee.credit_code) and not payee.id_number
    cooperative = Payee.objects.filter(kind=Payee.Kind.COOPERATIVE).first()
    assert cooperative.credit_code.startswith("93")


def test_the_demo_villages_banked_what_they_received():
    receipts = Receipt.objects.filter(village__code__in=DEMO_VILLAGES)
    assert receipts.count() == 6
    for receipt in receipts:
        assert receipt.received_on <= receipt.banked_on <= timezone.localdate()
        assert receipt.bank_reference and receipt.recorded_by is not None


# ---------------------------------------------------------------- requests in every state


def test_the_demo_villages_have_requests_in_every_state():
    states = set(in_demo_villages().values_list("state", flat=True))
    assert states == set(State.values)
    refused = in_demo_villages().get(state=State.REFUSED)
    assert refused.steps.get(decision=ApprovalStep.Decision.REFUSED).reason
    corrected = PaymentRequest.objects.get(supersedes=refused)
    assert corrected.version == 2 and corrected.state == State.PAID
    superseded = in_demo_villages().get(state=State.SUPERSEDED)
    newer = PaymentRequest.objects.get(supersedes=superseded)
    assert newer.state == State.PENDING and newer.number == superseded.number
    assert newer.amount != superseded.amount


DEMO_APPROVER = {
    "village_supervisor": "supervisor",
    "village_head": "head",
    "finance_office": "finance",
    "township_leader": "leader",
}


def test_requests_wait_at_every_step_for_the_demo_user_of_its_role(demo_user):
    waiting = {}
    for request in in_demo_villages().filter(state=State.PENDING):
        step = services.current_step(request)
        waiting[step.position] = (request, step)
    assert set(waiting) == {1, 2, 3, 4}
    for request, step in waiting.values():
        assert services.may_decide(demo_user(DEMO_APPROVER[step.role]), request, step) == ""
    request, _step = waiting[4]
    approved = services.approve(request, actor=demo_user("leader"))
    assert approved.state == State.APPROVED


def test_the_demo_shows_the_last_month_paid_by_bank_transfer():
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    paid = in_demo_villages().filter(state=State.PAID, project=None)
    assert paid.filter(paid_on__gte=last_month, paid_on__lt=today.replace(day=1)).exists()
    assert paid.filter(paid_on__lt=last_month).exists()


def test_the_history_is_dated_in_order():
    today = timezone.localdate()
    requests = PaymentRequest.objects.exclude(state=State.DRAFT).prefetch_related("steps")
    for request in requests:
        moments = [request.created, request.submitted_at]
        decided = [s.decided_at for s in request.steps.all() if s.decided_at is not None]
        moments += decided
        if request.approved_at is not None:
            moments.append(request.approved_at)
        if request.state == State.PAID:
            moments.append(request.paid_at)
            assert request.paid_on == timezone.localtime(request.paid_at).date() <= today
            assert request.time_to_paid == request.paid_at - request.created
            assert request.bank_reference
        assert moments == sorted(moments), request.purpose
        assert moments[-1] <= timezone.now()
    times = PaymentRequest.objects.filter(state=State.PAID).values_list("time_to_paid", flat=True)
    assert len(set(times)) > 10  # varied, so a median means something
    assert all(dt.timedelta(hours=1) < t < dt.timedelta(days=20) for t in times)


def test_every_submitted_request_has_a_pdf_voucher_with_its_hash():
    for request in PaymentRequest.objects.all():
        vouchers = list(request.vouchers.all())
        assert vouchers, request.purpose
        for voucher in vouchers:
            with voucher.file.open("rb") as handle:
                body = handle.read()
            assert body.startswith(b"%PDF-")
            assert hashlib.sha256(body).hexdigest() == voucher.sha256
            assert voucher.size == len(body)


def test_each_demo_request_is_in_the_public_log():
    requests = set(PaymentRequest.objects.values_list("pk", flat=True))
    logged = set(
        Event.objects.filter(
            subject_type__app_label="finance", subject_type__model="paymentrequest"
        ).values_list("subject_id", flat=True)
    )
    assert requests <= logged
    approvals = Event.objects.filter(action=Event.Action.APPROVE)
    assert approvals.filter(actor__username__startswith=demo.ACCOUNT_PREFIX).exists()


def test_the_accounts_that_wrote_the_history_can_no_longer_log_in_nor_act(client):
    accounts = User.objects.filter(username__startswith=demo.ACCOUNT_PREFIX)
    assert {u.username.removeprefix(demo.ACCOUNT_PREFIX) for u in accounts} >= {
        "bookkeeper",
        "village_supervisor",
        "village_head",
        "finance_office",
        "township_leader",
    }
    for user in accounts:
        assert not user.is_active and not user.has_usable_password()
    waiting = in_demo_villages().filter(state=State.PENDING).first()
    step = services.current_step(waiting)
    with pytest.raises(PermissionDenied):
        services.approve(waiting, actor=accounts.get(username=demo.ACCOUNT_PREFIX + step.role))


# ---------------------------------------------------------------- paid so far, from payments only

# What the data files typed before the payments were recorded (final figures).
FORMER_FIGURES = {
    "东岙村道路硬化工程": Decimal("125400"),
    "东岙村水渠修缮工程": Decimal("77400"),
    "许岙村文化礼堂修缮工程": Decimal("44800"),
    "白岩桥村农贸市场雨棚改造工程": Decimal("160100"),
    "镇东村污水零直排改造": Decimal("165100"),
    "北麂村渔港码头护栏修复": Decimal("65500"),
}


def test_every_projects_paid_so_far_is_its_bank_payments():
    typed = set(alerts_demo.PLANTED["W14"])  # W14's planted figure, on purpose
    for project in Project.objects.all():
        if project.name in typed:
            assert project.paid_amount != services.project_paid(project)
        else:
            assert project.paid_amount == services.project_paid(project), project.name
    for name, figure in FORMER_FIGURES.items():
        assert Project.objects.get(name=name).paid_amount == figure


def test_a_projects_payments_go_to_its_contractor_at_its_stages():
    project = Project.objects.get(name="东岙村道路硬化工程")
    payments = list(project.payment_requests.order_by("paid_on"))
    assert [(p.amount, p.project_stage) for p in payments] == [
        (Decimal("102900.00"), "construction"),
        (Decimal("22500.00"), "settlement"),
    ]
    assert {p.payee.name for p in payments} == {project.contractor}
    assert len(payments[0].steps.all()) == 4  # above 100,000: the whole chain


def patch(client, project: Project, **properties):
    return client.patch(
        f"/api/projects/{project.pk}/",
        json.dumps({"properties": properties}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_a_patch_of_paid_so_far_through_the_api_is_refused_and_changes_nothing(client, demo_user):
    client.force_login(demo_user("township"))
    project = Project.objects.get(name="东岙村道路硬化工程")
    events = Event.objects.count()
    response = patch(client, project, paid_amount="1.00")
    assert response.status_code == 400
    assert "changes only when a payment is recorded" in response.json()["paid_amount"][0]
    project.refresh_from_db()
    assert project.paid_amount == Decimal("125400")
    assert Event.objects.count() == events


def test_a_feature_sent_back_as_read_keeps_its_paid_so_far(client, demo_user):
    client.force_login(demo_user("township"))
    project = Project.objects.get(name="东岙村道路硬化工程")
    response = patch(client, project, paid_amount="125400.00", description="路面已养护")
    assert response.status_code == 200, response.content
    project.refresh_from_db()
    assert project.paid_amount == Decimal("125400") and project.description == "路面已养护"
    assert Decimal(str(response.json()["properties"]["paid_amount"])) == Decimal("125400")


def test_the_admin_shows_paid_so_far_without_a_field_to_type_it(client, demo_user):
    client.force_login(demo_user("city"))
    project = Project.objects.get(name="东岙村道路硬化工程")
    page = client.get(f"/admin/projects/project/{project.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="paid_amount"' not in text
    assert "field-paid_amount" in text
