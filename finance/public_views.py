"""The public page of a payment request: what is paid, to whom (a person by family name only),
for what, under which power-list item, who approved each step and when, the vouchers' hashes,
and every change in the public log. Nothing restricted: no account or ID number."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from finance.models import PaymentRequest
from registry.privacy import scrub
from registry.roles import Task, public_actor
from registry.scoping import may
from trail import selectors as trail_selectors
from trail.presenters import event_views


@require_safe
def payment(request: HttpRequest, pk: int) -> HttpResponse:
    record = (
        PaymentRequest.objects.select_related(
            "village__parent", "payee", "power_item", "project", "supersedes"
        )
        .filter(pk=pk)
        .first()
    )
    if record is None:
        raise Http404(_("No such payment request."))
    staff = may(request.user, Task.KEEP_BOOKS, record) or may(
        request.user, Task.APPROVE_PAYMENTS, record
    )
    if record.get_public_url() is None:
        context = {"record": record, "staff": staff}
        response = render(request, "finance/public/draft.html", context, status=404)
        response._has_been_logged = True  # a draft's address is no server error worth a line
        return response
    steps = [
        {
            "step": step,
            "who": public_actor(step.decided_by) if step.decided_by_id else "",
        }
        for step in record.steps.select_related("decided_by").prefetch_related("decided_by__groups")
    ]
    context = {
        "record": record,
        "purpose": scrub(record.purpose),
        "steps": steps,
        "vouchers": record.vouchers.all(),
        "newer": PaymentRequest.objects.filter(supersedes=record).first(),
        "events": event_views(trail_selectors.event_history(record), PaymentRequest),
        "staff": staff,
    }
    return render(request, "finance/public/payment.html", context)
