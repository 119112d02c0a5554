"""W02: a lease term longer than the rules allow for its kind of asset (租赁期过长).

The longest terms are settings.LEASE_MAX_YEARS by asset kind (buildings and facilities 5 years,
land 15 with the defaults), the same limits `Lease.is_overlong` shows on the public pages; they
are not a parameter of the rule, so the warning and the page never disagree. Yellow past the
limit; red past `red_times` times it (a building let for more than 10 years), the bound the
leasing services refuse for a new term (leasing.services.NEW_TERM_RULE_FACTOR).

Only leases not yet ended are read: a long lease that ended years ago is history, not a warning.
A lease's save re-evaluates the rule; a change of an asset's kind (rare, and asset saves are many)
is picked up by the nightly pass, as the rule is date-driven.
One query scans the running and future leases of the kinds with a limit (dates only), one reads
the few that are over it.
"""

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerts.models import Level
from alerts.rules import Context, Evidence, Finding, Param, Rule, register
from leasing.models import Lease, add_months
from registry.models import Asset


def longer_than(start_on: dt.date, end_on: dt.date, years: int) -> bool:
    """Whether [start_on, end_on) runs past `years` years (as Lease.is_overlong reckons)."""
    if start_on.year + years > dt.MAXYEAR:
        return True
    return add_months(start_on, 12 * years) < end_on


@register
class OverlongLease(Rule):
    code = "W02"
    name = _("Lease term too long")
    description = _(
        "A running or future lease is longer than the longest term the rules allow for its "
        "kind of asset."
    )
    message = _(
        "The lease runs from %(start)s to %(end)s (%(years)s years); the longest term allowed "
        "for this kind of asset (%(kind)s) is %(max_years)s years."
    )
    params = {
        "red_times": Param(2, _("red when the term is more than this many times the limit"), 1),
    }
    reads = ("leasing.lease",)
    date_driven = True
    case_category = "lease"

    def explain(self, numbers: dict) -> str:
        kind = numbers.get("kind")
        label = Asset.Kind(kind).label if kind in Asset.Kind.values else kind
        return super().explain({**numbers, "kind": label})

    def find(self, ctx: Context):
        limits: dict[str, int] = settings.LEASE_MAX_YEARS
        red_times = ctx["red_times"]
        terms = Lease.objects.filter(end_on__gt=ctx.today, asset__kind__in=list(limits))
        if ctx.villages is not None:
            terms = terms.filter(asset__village_id__in=ctx.villages)
        over = {
            pk: longer_than(start_on, end_on, red_times * limits[kind])
            for pk, start_on, end_on, kind in terms.values_list(
                "pk", "start_on", "end_on", "asset__kind"
            ).iterator(chunk_size=5000)
            if longer_than(start_on, end_on, limits[kind])
        }
        leases = (
            Lease.objects.filter(pk__in=list(over))
            .select_related("asset")
            .only(
                "pk",
                "tenant_name",
                "tenant_kind",
                "start_on",
                "end_on",
                "asset__name",
                "asset__kind",
                "asset__village",
            )
            .order_by("pk")
        )
        for lease in leases:
            limit = limits[lease.asset.kind]
            years = f"{(lease.end_on - lease.start_on).days / 365.25:.1f}"
            yield Finding(
                key=f"lease:{lease.pk}",
                unit_id=lease.asset.village_id,
                level=Level.RED if over[lease.pk] else Level.YELLOW,
                subject=lease,
                numbers={
                    "start": lease.start_on.isoformat(),
                    "end": lease.end_on.isoformat(),
                    "years": years,
                    "kind": lease.asset.kind,
                    "max_years": limit,
                },
                evidence=[
                    Evidence(
                        lease,
                        gettext("%(years)s years; at most %(max_years)s years allowed.")
                        % {"years": years, "max_years": limit},
                    )
                ],
            )
