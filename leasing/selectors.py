"""Reads for the auction pages and the lease part of an asset's page, in a bounded number of
queries whatever the data size."""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from leasing.models import Lease
from leasing.models.auctions import Auction, Bid
from leasing.models.leases import Sublet
from registry.models import AdminUnit, Asset
from trail.models import Event
from trail.presenters import EventView, event_view

AUCTION_UNITS = ("asset__village__parent",)
DEFERRED = ("asset__geometry", "asset__village__boundary", "asset__village__parent__boundary")


def auctions() -> QuerySet[Auction]:
    return Auction.objects.select_related(*AUCTION_UNITS).defer(*DEFERRED)


def upcoming(qs: QuerySet[Auction]) -> QuerySet[Auction]:
    """Open auctions, the soonest first."""
    return qs.filter(status=Auction.Status.ANNOUNCED).order_by("held_on", "pk")


def results(qs: QuerySet[Auction]) -> QuerySet[Auction]:
    """Closed auctions, the latest first."""
    return qs.exclude(status=Auction.Status.ANNOUNCED).order_by("-held_on", "-pk")


def township_choices() -> QuerySet[AdminUnit]:
    return AdminUnit.objects.filter(level=AdminUnit.Level.TOWNSHIP).only("code", "name")


def auction_record(pk: int) -> Auction:
    return (
        Auction.objects.select_related(*AUCTION_UNITS, "asset__owner", "lease")
        .defer(*DEFERRED)
        .get(pk=pk)
    )


def bids_of(auction: Auction) -> list[Bid]:
    """The bids in the order they were called, each knowing its auction without a query."""
    bids = list(auction.bids.order_by("placed_at", "pk"))
    for bid in bids:
        bid.auction = auction
    return bids


def auction_history(auction: Auction, bids: list[Bid]) -> list[EventView]:
    """The auction's public log with its bids' entries, newest first."""
    types = ContentType.objects.get_for_models(Auction, Bid)
    events = (
        Event.objects.filter(
            Q(subject_type=types[Auction], subject_id=auction.pk)
            | Q(subject_type=types[Bid], subject_id__in=[bid.pk for bid in bids])
        )
        .select_related("actor")
        .prefetch_related("actor__groups")
        .order_by("-seq")
    )
    model_of = {types[Auction].pk: Auction, types[Bid].pk: Bid}
    return [event_view(event, model_of[event.subject_type_id]) for event in events]


@dataclass
class AssetLeasing:
    open_auctions: list[Auction]
    past_auctions: list[Auction]
    leases: list[Lease]


def asset_leasing(asset: Asset) -> AssetLeasing:
    """An asset's auctions and its leases, newest first, with renewals and declared sublets."""
    asset_auctions = list(asset.auctions.order_by("-held_on", "-pk"))
    leases = list(
        asset.leases.select_related("renews")
        .prefetch_related(Prefetch("sublets", queryset=Sublet.objects.order_by("start_on")))
        .order_by("-start_on")
    )
    renewed = {lease.renews_id for lease in leases if lease.renews_id}
    for lease in leases:
        lease.asset = asset
        lease.is_renewed = lease.pk in renewed
    for auction in asset_auctions:
        auction.asset = asset
    return AssetLeasing(
        open_auctions=[a for a in asset_auctions if a.is_open],
        past_auctions=[a for a in asset_auctions if not a.is_open],
        leases=leases,
    )


@dataclass
class LeaseView:
    lease: Lease
    paid: object
    arrears: object
    due: object = None
    payments: list = field(default_factory=list)


def current_lease(asset: Asset) -> LeaseView | None:
    today = timezone.localdate()
    lease = (
        asset.leases.filter(start_on__lte=today, end_on__gt=today)
        .annotate(paid_total=Sum("payments__amount"))
        .order_by("-start_on")
        .first()
    )
    if lease is None:
        return None
    lease.asset = asset
    paid = lease.paid_total or 0
    return LeaseView(
        lease=lease,
        paid=paid,
        arrears=lease.arrears(today, paid),
        due=lease.amount_due(today),
        payments=list(lease.payments.order_by("-paid_on").only("lease_id", "paid_on", "amount")),
    )
