"""Public auctions of lease rights (公开拍租): announce, take bids on the day, publish the result.

The seed's "three publics": the announcement is public AUCTION_NOTICE_DAYS before the auction,
bids are called in public on the day and each must beat the last, and the highest bid becomes
the lease. Every step is one transaction that also appends to the public log; a refused step
saves nothing and names the rule it broke.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from leasing import services as lease_services
from leasing.models import Lease
from leasing.models.auctions import Auction, Bid
from leasing.models.leases import add_months
from leasing.services import ensure_asset_free, longest_new_term_years, not_in_future
from registry import services
from registry.models import Asset
from registry.privacy import scrub
from registry.roles import Task
from registry.scoping import ensure_may
from trail.models import Event

HELD_WITHIN_MONTHS = 12  # the auction day at most this long after the announcement
LEASE_START_MONTHS = 24  # the lease starts at most this long after the auction day


def yuan(amount: Decimal) -> str:
    return f"¥{amount:,.2f}"


def check_announcement(auction: Auction, *, by_person: bool = True) -> None:
    """Every rule an announcement must meet, all reported at once.

    An announcement is public only from the day it is on our public list, so a person
    (`by_person`) announces today and the auction is held AUCTION_NOTICE_DAYS later at the
    earliest; a backdated announced_on would cut the notice short. The system (the demo loader,
    imports of historical records) may record auctions announced in the past.

    Dates stay close to the announcement: the auction within a year of it, the lease starting
    within LEASE_START_MONTHS of the auction, and running at most twice the longest term of the
    lease rules (leasing.services.longest_new_term_years, 30 years with the defaults).
    """
    errors: dict[str, list[str]] = {}
    notice_days = settings.AUCTION_NOTICE_DAYS
    today = timezone.localdate()
    announced_on, held_on = auction.announced_on, auction.held_on
    if announced_on and announced_on > today:
        errors["announced_on"] = [_("An announcement cannot be dated in the future.")]
    if by_person and announced_on and announced_on < today:
        errors["announced_on"] = [
            _(
                "An announcement is public only from the day it is recorded: date it today "
                "(%(today)s), not earlier."
            )
            % {"today": today}
        ]
    public_from = announced_on and (max(announced_on, today) if by_person else announced_on)
    earliest = public_from and public_from + dt.timedelta(days=notice_days)
    if earliest and held_on and held_on < earliest:
        errors["held_on"] = [
            _(
                "The auction must be held at least %(days)d days after it is announced "
                "(announced on %(date)s)."
            )
            % {"days": notice_days, "date": public_from}
        ]
    if announced_on and held_on and held_on > add_months(announced_on, HELD_WITHIN_MONTHS):
        errors.setdefault("held_on", []).append(
            _("The auction must be held within a year of its announcement.")
        )
    start_on, end_on = auction.lease_start_on, auction.lease_end_on
    if held_on and start_on and start_on > add_months(held_on, LEASE_START_MONTHS):
        errors["lease_start_on"] = [
            _("The lease must start within %(years)d years of the auction day.")
            % {"years": LEASE_START_MONTHS // 12}
        ]
    years = longest_new_term_years()
    if start_on and end_on and end_on > add_months(start_on, 12 * years):
        errors["lease_end_on"] = [
            _("The lease term can be at most %(years)d years.") % {"years": years}
        ]
    if auction.reserve_price is not None and auction.reserve_price <= 0:
        errors["reserve_price"] = [_("The reserve price must be more than zero.")]
    if auction.increment is not None and auction.increment <= 0:
        errors["increment"] = [_("The minimum raise must be more than zero.")]
    if held_on and start_on and start_on < held_on:
        errors["lease_start_on"] = [_("The lease cannot start before the auction day.")]
    if auction.asset_id:
        asset = auction.asset
        if asset.status == Asset.Status.RETIRED:
            errors["asset"] = [_("A retired asset cannot be auctioned.")]
        other = asset.auctions.filter(status=Auction.Status.ANNOUNCED).exclude(pk=auction.pk)
        if (open_auction := other.first()) is not None:
            errors.setdefault("asset", []).append(
                _("This asset already has an open auction (%(title)s, held on %(date)s).")
                % {"title": open_auction.title, "date": open_auction.held_on}
            )
        if auction.lease_start_on and auction.lease_end_on:
            try:
                ensure_asset_free(
                    asset, auction.lease_start_on, auction.lease_end_on, "lease_start_on"
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def announce(auction: Auction, *, actor: User | None) -> Auction:
    """Validate and publish an announcement built elsewhere (the admin's form)."""
    Asset.objects.select_for_update().filter(pk=auction.asset_id).first()
    ensure_may(actor, Task.RUN_AUCTION, auction)
    auction.status = Auction.Status.ANNOUNCED
    auction.conditions = scrub(auction.conditions.strip())
    check_announcement(auction, by_person=actor is not None)
    return services.save_record(auction, actor=actor, action=Event.Action.ANNOUNCE)


def announce_auction(
    asset: Asset,
    *,
    actor: User | None,
    title: str,
    announced_on: dt.date,
    held_on: dt.date,
    place: str,
    reserve_price: Decimal,
    lease_start_on: dt.date,
    lease_end_on: dt.date,
    increment: Decimal = Decimal("100"),
    deposit: Decimal = Decimal("0"),
    payment_schedule: str = Lease.Schedule.ANNUAL,
    conditions: str = "",
) -> Auction:
    """Announce the auction of the right to lease `asset`. A term longer than the lease rules
    allow is flagged on the announcement (Auction.flags), not refused."""
    auction = Auction(
        asset=asset,
        title=title.strip(),
        announced_on=announced_on,
        held_on=held_on,
        place=place.strip(),
        reserve_price=reserve_price,
        increment=increment,
        deposit=deposit,
        lease_start_on=lease_start_on,
        lease_end_on=lease_end_on,
        payment_schedule=payment_schedule,
        conditions=conditions,
    )
    return announce(auction, actor=actor)


def _locked(auction: Auction) -> Auction:
    return Auction.objects.select_for_update().select_related("asset").get(pk=auction.pk)


def _ensure_open(auction: Auction) -> None:
    if auction.status != Auction.Status.ANNOUNCED:
        raise ValidationError(
            _("This auction is closed (%(status)s): nothing more can be recorded on it.")
            % {"status": auction.get_status_display()}
        )


@transaction.atomic
def record_bid(
    auction: Auction,
    *,
    actor: User | None,
    paddle: int,
    bidder_name: str,
    amount: Decimal,
    bidder_kind: str = Lease.TenantKind.PERSON,
    bidder_contact: str = "",
    placed_at: dt.datetime | None = None,
) -> Bid:
    """A bid called in the room. The first must reach the reserve price and each next one must
    beat the highest so far by the minimum raise; bids are taken only on the auction day."""
    auction = _locked(auction)
    ensure_may(actor, Task.RUN_AUCTION, auction)
    _ensure_open(auction)
    now = timezone.now()
    placed_at = placed_at or now
    if placed_at > now + dt.timedelta(minutes=1):
        raise ValidationError({"placed_at": _("A bid cannot be placed in the future.")})
    if timezone.localdate(placed_at) != auction.held_on:
        raise ValidationError(
            {
                "placed_at": _("Bids are taken only on the auction day, %(date)s.")
                % {"date": auction.held_on}
            }
        )
    last = auction.bids.order_by("-placed_at").values_list("placed_at", flat=True).first()
    if last is not None and placed_at < last:
        raise ValidationError(
            {"placed_at": _("A bid cannot be placed before the bid already recorded last.")}
        )
    highest = auction.bids.aggregate(highest=Max("amount"))["highest"]
    if highest is None and amount < auction.reserve_price:
        raise ValidationError(
            {
                "amount": _("A bid below the reserve price of %(reserve)s is refused.")
                % {"reserve": yuan(auction.reserve_price)}
            }
        )
    if highest is not None and amount < highest + auction.increment:
        raise ValidationError(
            {
                "amount": _(
                    "Each bid must beat the highest bid so far (%(highest)s) by at least the "
                    "minimum raise of %(increment)s."
                )
                % {"highest": yuan(highest), "increment": yuan(auction.increment)}
            }
        )
    bid = Bid(
        auction=auction,
        paddle=paddle,
        bidder_name=bidder_name.strip(),
        bidder_kind=bidder_kind,
        bidder_contact=bidder_contact.strip(),
        amount=amount,
        placed_at=placed_at,
    )
    return services.save_record(bid, actor=actor, action=Event.Action.BID)


@transaction.atomic
def publish_result(
    auction: Auction, *, actor: User | None, published_on: dt.date | None = None
) -> Auction:
    """The highest bid wins and its lease is created; with no bid the auction fails (流拍)."""
    auction = _locked(auction)
    ensure_may(actor, Task.RUN_AUCTION, auction)
    _ensure_open(auction)
    published_on = published_on or timezone.localdate()
    not_in_future(published_on, "result_published_on")
    if published_on < auction.held_on:
        raise ValidationError(
            {
                "result_published_on": _(
                    "The result can be published only on or after the auction day, %(date)s."
                )
                % {"date": auction.held_on}
            }
        )
    winner = auction.bids.order_by("-amount", "placed_at", "pk").first()
    auction.result_published_on = published_on
    if winner is None:
        auction.status = Auction.Status.FAILED
        return services.save_record(auction, actor=actor, action=Event.Action.AWARD)
    auction.lease = lease_services.create_lease(
        actor=actor,
        from_auction=auction,
        asset=auction.asset,
        tenant_name=winner.bidder_name,
        tenant_kind=winner.bidder_kind,
        tenant_contact=winner.bidder_contact,
        start_on=auction.lease_start_on,
        end_on=auction.lease_end_on,
        annual_rent=winner.amount,
        payment_schedule=auction.payment_schedule,
        deposit=auction.deposit,
        awarded_by=Lease.Award.AUCTION,
        valuation=auction.reserve_price,
    )
    auction.status = Auction.Status.AWARDED
    auction.winning_amount = winner.amount
    auction.winner_public_name = winner.bidder_public_name
    return services.save_record(auction, actor=actor, action=Event.Action.AWARD)


@transaction.atomic
def cancel_auction(auction: Auction, *, actor: User | None, reason: str) -> Auction:
    """Call off an announced auction. The reason is public."""
    auction = _locked(auction)
    ensure_may(actor, Task.RUN_AUCTION, auction)
    _ensure_open(auction)
    reason = scrub(reason.strip())
    if not reason:
        raise ValidationError({"cancel_reason": _("Give the reason for cancelling.")})
    if auction.bids.exists():
        raise ValidationError(
            _("Bids have been recorded: publish the result instead of cancelling.")
        )
    auction.status = Auction.Status.CANCELLED
    auction.cancel_reason = reason
    return services.save_record(auction, actor=actor, action=Event.Action.UPDATE)
