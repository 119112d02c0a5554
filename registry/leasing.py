"""Lease renewals (续租) and declared sublets (转租申报): validate, save and log in one step.

Who may write: township and city staff of the asset's units, and the village bookkeeper, who
keeps the lease register. Auctions (registry.auctions) are for township and city staff only.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registry import services
from registry.models import Asset, Event, Lease
from registry.models.auctions import Auction
from registry.models.leases import Sublet
from registry.privacy import scrub
from registry.scoping import Role, can_edit, group_names

LEASE_ROLES = frozenset({Role.TOWNSHIP, Role.BOOKKEEPER, Role.CITY})


def may_act(user: User | None, obj: models.Model, roles: frozenset[str]) -> bool:
    """`None` is the system itself; anyone else needs one of `roles` and the record in scope."""
    if user is None:
        return True
    if not user.is_authenticated:
        return False
    if not (user.is_superuser or group_names(user) & roles):
        return False
    return can_edit(user, obj)


def ensure_may_act(user: User | None, obj: models.Model, roles: frozenset[str]) -> None:
    if (
        user is not None
        and user.is_authenticated
        and not (user.is_superuser or group_names(user) & roles)
    ):
        raise PermissionDenied(_("Your role may not do this."))
    if not may_act(user, obj, roles):
        raise PermissionDenied(_("You can only edit records of your own admin units."))


def not_in_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("A date cannot be in the future.")})


def overlapping_lease(
    asset: Asset, start_on: dt.date, end_on: dt.date, *, exclude: Lease | None = None
) -> Lease | None:
    """Another lease of the asset running on some day of [start_on, end_on)."""
    leases = asset.leases.filter(start_on__lt=end_on, end_on__gt=start_on)
    if exclude is not None:
        leases = leases.exclude(pk=exclude.pk)
    return leases.order_by("start_on").first()


def ensure_asset_free(
    asset: Asset, start_on: dt.date, end_on: dt.date, field: str, *, exclude: Lease | None = None
) -> None:
    taken = overlapping_lease(asset, start_on, end_on, exclude=exclude)
    if taken is not None:
        raise ValidationError(
            {
                field: _(
                    "The asset is already leased from %(start)s to %(end)s; "
                    "a new lease cannot overlap that term."
                )
                % {"start": taken.start_on, "end": taken.end_on}
            }
        )


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
    lease = Lease.objects.select_for_update().select_related("asset").get(pk=lease.pk)
    ensure_may_act(actor, lease, LEASE_ROLES)
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
    auction = lease.asset.auctions.filter(
        status=Auction.Status.ANNOUNCED, lease_start_on__lt=end_on, lease_end_on__gt=lease.end_on
    ).first()
    if auction is not None:
        raise ValidationError(
            _("The lease right for this term is up for public auction (%(title)s).")
            % {"title": auction.title}
        )
    ensure_asset_free(lease.asset, lease.end_on, end_on, "end_on", exclude=lease)
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
    renewal = services.save_record(renewal, actor=actor, action=Event.Action.RENEW)
    if renewal.is_active(timezone.localdate()) and renewal.asset.status != Asset.Status.LEASED:
        services.update_asset(renewal.asset, actor=actor, status=Asset.Status.LEASED)
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
    ensure_may_act(actor, sublet, LEASE_ROLES)
    check_sublet(sublet)
    return services.save_record(sublet, actor=actor, action=Event.Action.SUBLET)


def check_sublet(sublet: Sublet) -> None:
    """The rules beyond the model's own: not declared in the future."""
    if sublet.declared_on:
        not_in_future(sublet.declared_on, "declared_on")
