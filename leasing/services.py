"""Lease renewals (续租) and declared sublets (转租申报): validate, save and log in one step.

Who may write: whoever may manage leases (registry.roles: township and city staff of the
asset's units, and the village bookkeeper, who keeps the lease register). Auctions
(leasing.auctions) are for township and city staff only.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from leasing.models import Lease, LeasePayment
from leasing.models.auctions import Auction
from leasing.models.leases import Sublet, add_months
from registry import services
from registry.models import Asset
from registry.privacy import scrub
from registry.roles import Task
from registry.scoping import ensure_may
from trail.models import Event


def not_in_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("A date cannot be in the future.")})


# A lease agreed now (at auction or by renewal) runs at most twice the longest term the lease
# rules allow (LEASE_MAX_YEARS: 2 x 15 = 30 years with the defaults). Between the rule and this
# bound a term is recorded and flagged (Lease.flags); past it, it is refused as a slip of the pen.
NEW_TERM_RULE_FACTOR = 2
# No lease at all, not even a historical one imported by the system, runs longer than this: the
# longest land-use term in Chinese law (70 years, residential land).
RECORD_MAX_TERM_YEARS = 70


def longest_new_term_years() -> int:
    limits = settings.LEASE_MAX_YEARS
    return NEW_TERM_RULE_FACTOR * max(limits.values(), default=15)


def overlapping_lease(
    asset: Asset, start_on: dt.date, end_on: dt.date, *, exclude: Lease | None = None
) -> Lease | None:
    """Another lease of the asset running on some day of [start_on, end_on)."""
    leases = asset.leases.filter(start_on__lt=end_on, end_on__gt=start_on)
    if exclude is not None and exclude.pk is not None:
        leases = leases.exclude(pk=exclude.pk)
    return leases.order_by("start_on").first()


def _taken(lease: Lease) -> str:
    return _(
        "The asset is already leased from %(start)s to %(end)s; "
        "a new lease cannot overlap that term."
    ) % {"start": lease.start_on, "end": lease.end_on}


def ensure_asset_free(
    asset: Asset, start_on: dt.date, end_on: dt.date, field: str, *, exclude: Lease | None = None
) -> None:
    taken = overlapping_lease(asset, start_on, end_on, exclude=exclude)
    if taken is not None:
        raise ValidationError({field: _taken(taken)})


def open_auction_over(
    asset: Asset, start_on: dt.date, end_on: dt.date, *, exclude: Auction | None = None
) -> Auction | None:
    """An announced auction of the asset whose lease term shares a day with [start_on, end_on)."""
    open_auctions = asset.auctions.filter(
        status=Auction.Status.ANNOUNCED, lease_start_on__lt=end_on, lease_end_on__gt=start_on
    )
    if exclude is not None:
        open_auctions = open_auctions.exclude(pk=exclude.pk)
    return open_auctions.order_by("held_on", "pk").first()


def _recorded_as_won_at_auction(lease: Lease) -> bool:
    """Already on the register as awarded by auction (by its auction's result, or imported)."""
    return (
        lease.pk is not None
        and Lease.objects.filter(pk=lease.pk, awarded_by=Lease.Award.AUCTION).exists()
    )


def check_lease(
    lease: Lease, *, from_auction: Auction | None = None, historical: bool = False
) -> None:
    """The rules every lease meets however it is made (services.create_lease, a renewal, the
    admin), beyond the model's own, all reported at once. Run on a full_clean()ed lease.

    - at most RECORD_MAX_TERM_YEARS long;
    - no other lease of the asset on any day of its term (one place for that rule);
    - no announced auction of the asset for any day of its term: that right is being auctioned;
    - awarded by public auction only by publishing that auction's result (`from_auction`), or
      when the system imports a historical lease (`historical`, actor=None).
    """
    errors: dict[str, list[str]] = {}
    if (
        lease.awarded_by == Lease.Award.AUCTION
        and from_auction is None
        and not historical
        and not _recorded_as_won_at_auction(lease)
    ):
        errors["awarded_by"] = [
            _(
                "A lease is awarded by public auction only by publishing the result of an "
                "announced auction (/auctions/)."
            )
        ]
    if from_auction is not None and from_auction.asset_id != lease.asset_id:
        errors.setdefault("asset", []).append(_("The auction was for another asset."))
    start_on, end_on = lease.start_on, lease.end_on
    if start_on and end_on and end_on > add_months(start_on, 12 * RECORD_MAX_TERM_YEARS):
        errors["end_on"] = [
            _("A lease cannot run longer than %(years)d years: check the end date.")
            % {"years": RECORD_MAX_TERM_YEARS}
        ]
    if lease.asset_id and start_on and end_on and start_on < end_on:
        taken = overlapping_lease(lease.asset, start_on, end_on, exclude=lease)
        if taken is not None:
            errors.setdefault("start_on", []).append(_taken(taken))
        auction = open_auction_over(lease.asset, start_on, end_on, exclude=from_auction)
        if auction is not None:
            errors.setdefault("start_on", []).append(
                _(
                    "The lease right for this term is up for public auction (%(title)s, held "
                    "on %(date)s): it can be leased only through that auction."
                )
                % {"title": auction.title, "date": auction.held_on}
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def renew_lease(
    lease: Lease,
    *,
    actor: User | None,
    end_on: dt.date,
    annual_rent: Decimal,
    payment_schedule: str | None = None,
    deposit: Decimal | None = None,
    valuation: Decimal | None = None,
) -> Lease:
    """A new lease for the same tenant, starting the day the old one ends.

    Only a running (or not yet started) lease is renewed: once a lease has ended its asset goes
    back to public auction (公开拍租), so a lapsed tenancy cannot be revived without competition.
    A lease is renewed once; the renewal itself may be renewed in turn.
    """
    Asset.objects.select_for_update().filter(pk=lease.asset_id).first()  # one lease at a time
    lease = Lease.objects.select_for_update().select_related("asset").get(pk=lease.pk)
    ensure_may(actor, Task.MANAGE_LEASE, lease)
    if Lease.objects.filter(renews=lease).exists():
        raise ValidationError(_("This lease has already been renewed."))
    if lease.end_on < timezone.localdate():
        raise ValidationError(
            _(
                "A lease that ended on %(end)s cannot be renewed: the asset goes back to "
                "public auction (公开拍租)."
            )
            % {"end": lease.end_on}
        )
    if lease.asset.status == Asset.Status.RETIRED:
        raise ValidationError(_("A retired asset cannot be leased."))
    years = longest_new_term_years()
    if end_on > add_months(lease.end_on, 12 * years):
        raise ValidationError(
            {
                "end_on": _("A renewal can run at most %(years)d years: check the end date.")
                % {"years": years}
            }
        )
    renewal = Lease(
        asset=lease.asset,
        tenant_name=lease.tenant_name,
        tenant_kind=lease.tenant_kind,
        tenant_contact=lease.tenant_contact,
        start_on=lease.end_on,
        end_on=end_on,
        annual_rent=annual_rent,
        payment_schedule=payment_schedule or lease.payment_schedule,
        deposit=lease.deposit if deposit is None else deposit,
        awarded_by=Lease.Award.RENEWAL,
        valuation=lease.valuation if valuation is None else valuation,
        renews=lease,
    )
    renewal.full_clean()
    try:
        check_lease(renewal)
    except ValidationError as exc:  # the end date is the one the person chose
        messages = [m for field in exc.message_dict.values() for m in field]
        raise ValidationError({"end_on": messages}) from None
    renewal = services.save_record(renewal, actor=actor, action=Event.Action.RENEW)
    if renewal.is_active(timezone.localdate()):
        services.mark_leased(renewal.asset, actor=actor)
    return renewal


@transaction.atomic
def declare_sublet(
    lease: Lease,
    *,
    actor: User | None,
    subtenant_name: str,
    subtenant_kind: str = Lease.TenantKind.PERSON,
    subtenant_contact: str = "",
    start_on: dt.date,
    end_on: dt.date,
    purpose: str = "",
    declared_on: dt.date | None = None,
) -> Sublet:
    """Record a sublet the tenant declared. The public log names an individual subtenant only
    by family name; the contact is logged as "changed", never by value."""
    sublet = Sublet(
        lease=lease,
        subtenant_name=subtenant_name.strip(),
        subtenant_kind=subtenant_kind,
        subtenant_contact=subtenant_contact.strip(),
        start_on=start_on,
        end_on=end_on,
        purpose=scrub(purpose.strip()),
        declared_on=declared_on or timezone.localdate(),
    )
    return declare(sublet, actor=actor)


@transaction.atomic
def declare(sublet: Sublet, *, actor: User | None) -> Sublet:
    """Validate and save a sublet built elsewhere (the admin's form)."""
    ensure_may(actor, Task.MANAGE_LEASE, sublet)
    check_sublet(sublet)
    return services.save_record(sublet, actor=actor, action=Event.Action.SUBLET)


def check_sublet(sublet: Sublet) -> None:
    """The rules beyond the model's own: not declared in the future."""
    if sublet.declared_on:
        not_in_future(sublet.declared_on, "declared_on")


@transaction.atomic
def create_lease(
    *, actor: User | None, from_auction: models.Model | None = None, **fields: object
) -> Lease:
    """A new lease, refused if another lease of the asset or an announced auction of it covers
    some day of its term (leasing.services.check_lease). Only publishing an auction's result
    (`from_auction`, the Auction) awards a lease by auction; the system (actor=None) may also import
    historical leases won at auctions held before this register."""
    lease = Lease(**fields)
    if lease.asset_id:
        Asset.objects.select_for_update().filter(pk=lease.asset_id).first()  # one at a time
        ensure_may(actor, Task.MANAGE_LEASE, lease)
    lease.full_clean()
    if actor is not None and lease.asset.status == Asset.Status.RETIRED:
        raise ValidationError({"asset": _("A retired asset cannot be leased.")})
    check_lease(lease, from_auction=from_auction, historical=actor is None)
    lease = services.save_record(lease, actor=actor)
    if lease.is_active(timezone.localdate()):
        services.mark_leased(lease.asset, actor=actor)
    return lease


def record_lease_payment(
    lease: Lease, *, actor: User | None, paid_on: dt.date, amount: Decimal, bank_reference: str = ""
) -> LeasePayment:
    ensure_may(actor, Task.MANAGE_LEASE, lease)
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("A date cannot be in the future.")})
    payment = LeasePayment(
        lease=lease, paid_on=paid_on, amount=amount, bank_reference=bank_reference
    )
    return services.save_record(payment, actor=actor, action=Event.Action.PAYMENT)
