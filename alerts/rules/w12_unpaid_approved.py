"""W12: a payment approved and still not made (审批后未付款): a request approved along its whole
chain with no bank transfer recorded `yellow_days` (3) days after its approval is yellow, after
`red_days` (10) red.

Money leaves a village only by bank transfer (去现金化), and the transfer is expected within days
of the approval: the platform's promise is "paid in 10 minutes", not in weeks. An approved
request left lying is money promised and not paid (a contractor waiting, a worker unpaid), or
paid some other way and never recorded. Days are counted in the local calendar from the day of
the approval. A request corrected by a new version (superseded) no longer counts: the new
version runs its own chain.

Date-driven: the same request ages into a warning. One query reads the requests.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerts.models import Level
from alerts.rules import Context, Evidence, Finding, Param, Rule, register
from finance.models import PaymentRequest


@register
class UnpaidApproved(Rule):
    code = "W12"
    name = _("Approved payment not made")
    description = _(
        "A payment request was approved along its whole chain but no bank transfer (reference "
        "and date) has been recorded days later (by default 3 for yellow, 10 for red)."
    )
    message = _(
        "Request %(reference)s for %(amount)s yuan was approved on %(approved_on)s, %(days)s "
        "days ago, and no bank transfer has been recorded."
    )
    number_labels = {
        "amount": _("amount (yuan)"),
        "days": _("days since the approval"),
        "approved_on": _("approved on"),
    }
    ordered = (("yellow_days", "red_days"),)
    params = {
        "yellow_days": Param(
            3, _("yellow when approved this many days ago without a bank transfer (days)"), 1
        ),
        "red_days": Param(10, _("red when approved this many days ago (days)"), 1),
    }
    reads = ("finance.paymentrequest",)
    date_driven = True
    case_category = "money"

    def find(self, ctx: Context):
        yellow_days, red_days = ctx["yellow_days"], ctx["red_days"]
        # Approved before the first moment of the day after (today - yellow_days), local time.
        last_day = ctx.today - dt.timedelta(days=yellow_days)
        before = dt.datetime.combine(
            last_day + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone()
        )
        requests = (
            PaymentRequest.objects.filter(
                state=PaymentRequest.State.APPROVED, approved_at__lt=before
            )
            .select_related("payee")
            .order_by("pk")
        )
        if ctx.villages is not None:
            requests = requests.filter(village_id__in=ctx.villages)
        for request in requests:
            approved_on = timezone.localtime(request.approved_at).date()
            days = (ctx.today - approved_on).days
            if days < yellow_days:
                continue
            yield Finding(
                key=f"request:{request.pk}",
                unit_id=request.village_id,
                level=Level.RED if days >= red_days else Level.YELLOW,
                subject=request,
                numbers={
                    "reference": request.reference,
                    "amount": f"{request.amount:,.2f}",
                    "approved_on": approved_on.isoformat(),
                    "days": days,
                },
                evidence=[
                    Evidence(
                        request,
                        gettext(
                            "Approved on %(day)s; no bank transfer reference or date recorded "
                            "by %(today)s."
                        )
                        % {"day": approved_on.isoformat(), "today": ctx.today.isoformat()},
                    )
                ],
            )
