"""W04: a lease made without public bidding where the rules call for it (应招未招).

Zhejiang's practice for village collective assets (and Rui'an's "three publics", 资产公开拍租)
is that a lease above a value goes to public bidding: an annual rent of `auction_min_annual_rent`
(50,000 yuan) or more, or a term of `auction_min_years` (5) years or more, is awarded by public
auction or tender. A lease held without that competition is a warning:

- a negotiated lease (协商) at or over either threshold: red;
- a renewal (续租) is judged by its chain. Renewals are followed back (`Lease.renews`, or for
  records imported without the link the lease of the same asset that ended the day the renewal
  began) to the lease that started the tenancy. Back to an auction or tender: not a warning, the
  renewal continues a competed lease. Back to a negotiated lease: red, when this lease's rent or
  the years held without competition (from the start of the chain to the end of this term) reach
  a threshold, so a long tenancy cut into short renewals is seen too. Back to a renewal of a
  lease that is not on the register: yellow, the same thresholds; nobody can tell from the
  register that the tenancy was ever competed for (`unrecorded_renewals` 0 turns these off, for
  a register that began with renewals of leases made before it).

Only leases not yet ended are read. One query reads the negotiated and renewed leases, one the
leases of the assets those renewals are on; the chains are followed in Python.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerts.models import Level
from alerts.rules import Context, Evidence, Finding, Param, Rule, register
from leasing.models import Lease, add_months

COMPETED = (Lease.Award.AUCTION, Lease.Award.TENDER)
FIELDS = (
    "pk",
    "tenant_name",
    "tenant_kind",
    "start_on",
    "end_on",
    "annual_rent",
    "awarded_by",
    "renews",
    "asset__name",
    "asset__village",
)


def chain_of(lease: Lease, leases: dict[int, Lease], ending: dict) -> list[Lease]:
    """`lease` and the leases it continues, the oldest first: by `renews`, else the lease of the
    same asset that ended on the day a renewal began."""
    chain = [lease]
    seen = {lease.pk}
    while chain[-1].awarded_by == Lease.Award.RENEWAL:
        current = chain[-1]
        previous = leases.get(current.renews_id) or ending.get((current.asset_id, current.start_on))
        if previous is None or previous.pk in seen:
            break
        chain.append(previous)
        seen.add(previous.pk)
    return chain[::-1]


def years_between(start_on: dt.date, end_on: dt.date) -> str:
    return f"{(end_on - start_on).days / 365.25:.1f}"


@register
class LeaseWithoutAuction(Rule):
    code = "W04"
    name = _("Lease without public bidding")
    description = _(
        "A lease at or above the rent or term that calls for public auction or tender was "
        "negotiated, or renews a tenancy that was never put up for public bidding."
    )
    message = _(
        "Held without public bidding since %(since)s (%(award)s): %(rent)s yuan a year, "
        "%(years)s years to the end of this term. A lease of %(min_rent)s yuan a year or more, "
        "or of %(min_years)s years or more, is awarded by public auction or tender."
    )
    params = {
        "auction_min_annual_rent": Param(
            Decimal("50000"),
            _("public bidding required from this annual rent (yuan a year)"),
        ),
        "auction_min_years": Param(5, _("public bidding required from this term (years)"), 1),
        "unrecorded_renewals": Param(
            1,
            _("warn of renewals whose first lease is not on the register (1 yes, 0 no)"),
            0,
            1,
        ),
    }
    reads = ("leasing.lease",)
    date_driven = True
    case_category = "lease"

    def explain(self, numbers: dict) -> str:
        award = numbers.get("award")
        label = Lease.Award(award).label if award in Lease.Award.values else award
        return super().explain({**numbers, "award": label})

    def find(self, ctx: Context):
        min_rent, min_years = ctx["auction_min_annual_rent"], ctx["auction_min_years"]
        awards = {value: str(label) for value, label in Lease.Award.choices}  # once, not per row
        candidates = (
            Lease.objects.filter(
                end_on__gt=ctx.today,
                awarded_by__in=[Lease.Award.NEGOTIATION, Lease.Award.RENEWAL],
            )
            .select_related("asset")
            .only(*FIELDS)
            .order_by("pk")
        )
        if ctx.villages is not None:
            candidates = candidates.filter(asset__village_id__in=ctx.villages)
        candidates = list(candidates)
        renewals = [x for x in candidates if x.awarded_by == Lease.Award.RENEWAL]
        leases = {x.pk: x for x in candidates}
        if renewals:
            earlier = (
                Lease.objects.filter(
                    Q(asset_id__in={x.asset_id for x in renewals})
                    | Q(pk__in={x.renews_id for x in renewals if x.renews_id})
                )
                .exclude(pk__in=list(leases))
                .select_related("asset")
                .only(*FIELDS)
            )
            leases.update((x.pk, x) for x in earlier)
        ending = {(x.asset_id, x.end_on): x for x in leases.values()}
        for lease in candidates:
            chain = chain_of(lease, leases, ending)
            root = chain[0]
            if root.awarded_by in COMPETED:
                continue
            if root.awarded_by == Lease.Award.RENEWAL and not ctx["unrecorded_renewals"]:
                continue
            long_held = add_months(root.start_on, 12 * min_years) <= lease.end_on
            if lease.annual_rent < min_rent and not long_held:
                continue
            yield Finding(
                key=f"lease:{lease.pk}",
                unit_id=lease.asset.village_id,
                level=Level.RED if root.awarded_by == Lease.Award.NEGOTIATION else Level.YELLOW,
                subject=lease,
                numbers={
                    "since": root.start_on.isoformat(),
                    "award": root.awarded_by,
                    "rent": f"{lease.annual_rent:,.2f}",
                    "years": years_between(root.start_on, lease.end_on),
                    "min_rent": f"{min_rent:,.0f}",
                    "min_years": min_years,
                },
                evidence=[
                    Evidence(
                        link,
                        gettext("%(award)s, %(start)s to %(end)s, %(rent)s yuan a year.")
                        % {
                            "award": awards[link.awarded_by],
                            "start": link.start_on.isoformat(),
                            "end": link.end_on.isoformat(),
                            "rent": f"{link.annual_rent:,.2f}",
                        },
                    )
                    for link in chain
                ],
            )
