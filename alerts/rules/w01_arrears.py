"""W01: rent in arrears (租金欠缴), yellow after `yellow_days` (30) days, red after `red_days` (60).

The schedule is the lease's own (`Lease.amount_due`): rent is paid in advance at the start of each
period (year, half-year, quarter or month), the last period pro rata. What has been paid is
applied to the periods in order, oldest first; the days in arrears are counted from the due date
of the oldest period not fully covered. Each period's rent is taken to the cent, as it is asked
for, so a monthly rent of 110,500 / 12 = 9,208.33 yuan paid every month is never a cent behind.

Leases that have started are read, running or ended: an ended lease with money still owed stays a
warning until it is paid (or written off by dismissing the warning with the reason).
One query reads every lease's terms with its payments summed (plain rows, no objects); the
schedule is walked in Python, in whole cents, only for leases paid less than an upper bound of
what can be due; two more queries read the leases in arrears and their last payments.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerts.models import Level
from alerts.rules import Context, Evidence, Finding, Param, Rule, register
from leasing.models import Lease, LeasePayment, add_months

CENT = Decimal("0.01")


def cents(amount: Decimal) -> int:
    return int((amount / CENT).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def yuan(amount_cents: int) -> str:
    return f"{Decimal(amount_cents) / 100:,.2f}"


LEASE_FIELDS = (
    "pk",
    "tenant_name",
    "tenant_kind",
    "start_on",
    "end_on",
    "annual_rent",
    "payment_schedule",
    "asset__name",
    "asset__village",
)


@dataclass(frozen=True)
class Terms:
    """What the schedule walk reads of a lease."""

    start_on: dt.date
    end_on: dt.date
    annual_rent: Decimal
    payment_schedule: str


def most_due(lease: Terms, today: dt.date) -> int:
    """An upper bound, in cents, of the rent fallen due by `today`: a full period's rent for
    every period begun (one more for safety). Leases paid beyond it need no walk."""
    months = Lease.SCHEDULE_MONTHS[lease.payment_schedule]
    until = min(today, lease.end_on)
    elapsed = (until.year - lease.start_on.year) * 12 + until.month - lease.start_on.month
    return cents(lease.annual_rent * months / 12) * (max(elapsed, 0) // months + 2)


def oldest_unpaid(lease: Terms, paid_cents: int, today: dt.date) -> tuple[dt.date | None, int]:
    """(the due date of the oldest period `paid_cents` does not cover, or None; the rent due by
    `today` less what was paid, in cents, at least 0)."""
    months = Lease.SCHEDULE_MONTHS[lease.payment_schedule]
    per_period = lease.annual_rent * months / 12
    full = cents(per_period)
    due = 0
    oldest = None
    start = lease.start_on
    while start <= today and start < lease.end_on:
        end = add_months(start, months)
        if end > lease.end_on:
            fraction = Decimal((lease.end_on - start).days) / Decimal((end - start).days)
            due += cents(per_period * fraction)
        else:
            due += full
        if oldest is None and due > paid_cents:
            oldest = start
        start = end
    return oldest, max(due - paid_cents, 0)


@register
class RentArrears(Rule):
    code = "W01"
    name = _("Rent in arrears")
    description = _(
        "Rent that fell due under a lease's payment schedule is still unpaid after the grace "
        "period (by default 30 days for yellow, 60 days for red)."
    )
    message = _(
        "%(arrears)s yuan of rent is in arrears: the oldest unpaid rent fell due on %(due_on)s, "
        "%(days)s days ago."
    )
    number_labels = {
        "arrears": _("rent in arrears (yuan)"),
        "days": _("days since the oldest unpaid rent fell due"),
        "due_on": _("oldest unpaid rent fell due on"),
    }
    ordered = (("yellow_days", "red_days"),)
    params = {
        "yellow_days": Param(
            30, _("yellow when the oldest unpaid rent has been due this many days (days)"), 1
        ),
        "red_days": Param(60, _("red when it has been due this many days (days)"), 1),
        "min_amount": Param(
            Decimal("0.01"), _("arrears below this amount are not a warning (yuan)"), CENT
        ),
    }
    reads = ("leasing.lease", "leasing.leasepayment")
    date_driven = True
    case_category = "lease"

    def find(self, ctx: Context):
        yellow_days, red_days = ctx["yellow_days"], ctx["red_days"]
        terms = Lease.objects.filter(
            start_on__lte=ctx.today - dt.timedelta(days=yellow_days), annual_rent__gt=0
        ).annotate(
            paid=Coalesce(
                Sum("payments__amount"),
                Value(Decimal("0")),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
        if ctx.villages is not None:
            terms = terms.filter(asset__village_id__in=ctx.villages)
        minimum = cents(ctx["min_amount"])
        owing: dict[int, tuple[dt.date, int, int]] = {}
        rows = terms.values_list(
            "pk", "start_on", "end_on", "annual_rent", "payment_schedule", "paid"
        ).order_by()
        for pk, start_on, end_on, rent, schedule, paid in rows:
            term = Terms(start_on, end_on, rent, schedule)
            paid_cents = cents(paid)
            if paid_cents >= most_due(term, ctx.today):
                continue  # paid at least all that can have fallen due: no walk needed
            oldest, arrears = oldest_unpaid(term, paid_cents, ctx.today)
            if oldest is None or arrears < minimum:
                continue
            days = (ctx.today - oldest).days
            if days >= yellow_days:
                owing[pk] = (oldest, arrears, days)
        leases = (
            Lease.objects.filter(pk__in=owing)
            .annotate(
                paid=Coalesce(
                    Sum("payments__amount"),
                    Value(Decimal("0")),
                    output_field=DecimalField(max_digits=14, decimal_places=2),
                )
            )
            .select_related("asset")
            .only(*LEASE_FIELDS)
            .order_by("pk")
        )
        last: dict[int, tuple[dt.date, int]] = {}
        paid_rows = LeasePayment.objects.filter(lease_id__in=owing).values_list(
            "lease_id", "paid_on", "pk"
        )
        for lease_id, paid_on, pk in paid_rows:
            last[lease_id] = max(last.get(lease_id, (paid_on, pk)), (paid_on, pk))
        payments = LeasePayment.objects.select_related("lease__asset").in_bulk(
            [pk for _, pk in last.values()]
        )
        owing_leases = [(lease, *owing[lease.pk]) for lease in leases]
        for lease, oldest, arrears, days in owing_leases:
            evidence = [
                Evidence(
                    lease,
                    gettext("Paid %(paid)s yuan of the %(due)s yuan due by %(today)s.")
                    % {
                        "paid": f"{lease.paid:,.2f}",
                        "due": yuan(arrears + cents(lease.paid)),
                        "today": ctx.today.isoformat(),
                    },
                )
            ]
            if (payment := payments.get(last.get(lease.pk, (None, None))[1])) is not None:
                evidence.append(Evidence(payment, gettext("The last payment received.")))
            yield Finding(
                key=f"lease:{lease.pk}",
                unit_id=lease.asset.village_id,
                level=Level.RED if days >= red_days else Level.YELLOW,
                subject=lease,
                numbers={
                    "arrears": yuan(arrears),
                    "days": days,
                    "due_on": oldest.isoformat(),
                },
                evidence=evidence,
            )
