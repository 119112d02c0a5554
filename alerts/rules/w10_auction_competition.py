"""W10: an auction without competition.

- Single bidder (Open Contracting's red flag R018, "single bid received"): an auction awarded
  with bids from one bidder only (one bidder number, or one bidder's name under several numbers)
  is yellow: the lease went at about the reserve price with nobody to bid against.
- Failed, then let directly: an auction with no valid bid (流拍) followed by a lease of the same
  asset not awarded by public auction or tender, starting within `relet_days` (183, six months)
  of the auction day, is red: the right that found no bidder in public went to someone in
  private, often after the public auction was made to fail.

Only auctions whose lease has not ended are read (for the second kind, the direct lease): an
ended tenancy is history. Three queries: the awarded auctions with their bidders counted, the
failed auctions, and the direct leases of the assets those were for.
"""

import datetime as dt

from django.db.models import Count, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerts.models import Level
from alerts.rules import Context, Evidence, Finding, Param, Rule, register
from leasing.models import Auction, Lease

COMPETED = (Lease.Award.AUCTION, Lease.Award.TENDER)
LEASE_FIELDS = (
    "tenant_name",
    "tenant_kind",
    "start_on",
    "end_on",
    "awarded_by",
    "annual_rent",
    "asset__name",
    "asset__village",
)


@register
class AuctionCompetition(Rule):
    code = "W10"
    name = _("Auction without competition")
    description = _(
        "An auction won by its only bidder, or an auction with no valid bid followed by a lease "
        "of the same asset made without public bidding."
    )
    message = _(
        "The auction of %(held_on)s had a single bidder, who won the lease at %(rent)s yuan a "
        "year (reserve price %(reserve)s yuan)."
    )
    relet_message = _(
        "The auction of %(held_on)s had no valid bid; the asset was then leased without public "
        "bidding from %(start)s, %(days)s days later, at %(rent)s yuan a year (reserve price "
        "%(reserve)s yuan)."
    )
    params = {
        "relet_days": Param(
            183,
            _("a direct lease starting within this many days after a failed auction (days)"),
        ),
    }
    reads = ("leasing.auction", "leasing.bid", "leasing.lease")
    date_driven = True
    case_category = "lease"

    def find(self, ctx: Context):
        yield from self.single_bidder(ctx)
        yield from self.relet_after_failure(ctx)

    def explain(self, numbers: dict) -> str:
        if numbers.get("kind") != "relet":
            return super().explain(numbers)
        try:
            return str(self.relet_message) % numbers
        except (KeyError, TypeError, ValueError):
            return str(self.description)

    def single_bidder(self, ctx: Context):
        auctions = (
            Auction.objects.filter(status=Auction.Status.AWARDED, lease_end_on__gt=ctx.today)
            .annotate(
                paddles=Count("bids__paddle", distinct=True),
                bidders=Count("bids__bidder_name", distinct=True),
                bid_count=Count("bids"),
            )
            .filter(Q(paddles__lte=1) | Q(bidders__lte=1))
            .select_related("asset", "lease")
            .only(
                "pk",
                "title",
                "held_on",
                "reserve_price",
                "winning_amount",
                "asset__name",
                "asset__village",
                *(f"lease__{name}" for name in LEASE_FIELDS if not name.startswith("asset__")),
                "lease__asset",
            )
            .order_by("pk")
        )
        if ctx.villages is not None:
            auctions = auctions.filter(asset__village_id__in=ctx.villages)
        for auction in auctions:
            evidence = [
                Evidence(
                    auction,
                    gettext("%(bids)s bid(s), all from one bidder.") % {"bids": auction.bid_count},
                )
            ]
            if auction.lease is not None:
                auction.lease.asset = auction.asset
                evidence.append(Evidence(auction.lease, gettext("The lease it awarded.")))
            rent = auction.winning_amount or auction.reserve_price
            yield Finding(
                key=f"auction:{auction.pk}:single",
                unit_id=auction.asset.village_id,
                level=Level.YELLOW,
                subject=auction,
                numbers={
                    "kind": "single",
                    "held_on": auction.held_on.isoformat(),
                    "bids": auction.bid_count,
                    "rent": f"{rent:,.2f}",
                    "reserve": f"{auction.reserve_price:,.2f}",
                },
                evidence=evidence,
            )

    def relet_after_failure(self, ctx: Context):
        window = dt.timedelta(days=ctx["relet_days"])
        failed = (
            Auction.objects.filter(status=Auction.Status.FAILED)
            .select_related("asset")
            .only("pk", "title", "held_on", "reserve_price", "asset__village", "asset__name")
            .order_by("pk")
        )
        if ctx.villages is not None:
            failed = failed.filter(asset__village_id__in=ctx.villages)
        failed = list(failed)
        if not failed:
            return
        direct = (
            Lease.objects.filter(
                asset_id__in={a.asset_id for a in failed},
                end_on__gt=ctx.today,
                start_on__gte=min(a.held_on for a in failed),
            )
            .exclude(awarded_by__in=COMPETED)
            .select_related("asset")
            .only(*LEASE_FIELDS)
            .order_by("start_on", "pk")
        )
        by_asset: dict[int, list[Lease]] = {}
        for lease in direct:
            by_asset.setdefault(lease.asset_id, []).append(lease)
        for auction in failed:
            relets = [
                lease
                for lease in by_asset.get(auction.asset_id, [])
                if auction.held_on <= lease.start_on <= auction.held_on + window
            ]
            if not relets:
                continue
            first = relets[0]
            yield Finding(
                key=f"auction:{auction.pk}:relet",
                unit_id=auction.asset.village_id,
                level=Level.RED,
                subject=auction,
                numbers={
                    "kind": "relet",
                    "held_on": auction.held_on.isoformat(),
                    "start": first.start_on.isoformat(),
                    "days": (first.start_on - auction.held_on).days,
                    "rent": f"{first.annual_rent:,.2f}",
                    "reserve": f"{auction.reserve_price:,.2f}",
                },
                evidence=[
                    Evidence(auction, gettext("No valid bid (流拍).")),
                    *(
                        Evidence(
                            lease,
                            gettext("%(award)s, starting %(days)s days after the auction.")
                            % {
                                "award": lease.get_awarded_by_display(),
                                "days": (lease.start_on - auction.held_on).days,
                            },
                        )
                        for lease in relets
                    ),
                ],
            )
