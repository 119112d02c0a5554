"""A payment request's life: the chain by amount and item, no self-approval, locking and
versions, bank-only payment, the project's paid total and its cap; bad input changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from finance import chains, services
from finance.models import ApprovalRule, ApprovalStep, PaymentRequest
from trail.models import Event

pytestmark = pytest.mark.django_db
State = PaymentRequest.State


def run_chain(request, demo_user, *names):
    for name in names:
        request = services.approve(request, actor=demo_user(name))
    return request


def test_a_small_request_runs_countersign_then_village_head(make_draft, demo_user):
    request = services.submit(make_draft("2000"), actor=demo_user("bookkeeper"))
    assert [s.role for s in request.steps.all()] == ["village_supervisor", "village_head"]
    request = run_chain(request, demo_user, "supervisor", "head")
    assert request.state == State.APPROVED and request.approved_at is not None
    paid = services.mark_paid(
        request,
        actor=demo_user("bookkeeper"),
        bank_reference="ICBC 2026 1130 0001",
        paid_on=timezone.localdate(),
    )
    assert paid.state == State.PAID and paid.bank_reference == "ICBC202611300001"
    assert paid.time_to_paid is not None
    assert Event.objects.filter(action=Event.Action.PAID).exists()
