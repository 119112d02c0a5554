"""Public auctions of lease rights (公开拍租): the announcement, the bids, the result."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from leasing.models.leases import Lease
from registry.models.assets import Asset
from registry.models.base import TimeStampedModel


def _money(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        **kwargs,
    )


class Auction(TimeStampedModel):
    """The public auction of the right to lease one collective asset."""

    class Status(models.TextChoices):
        ANNOUNCED = "announced", _("Announced")
        AWARDED = "awarded", _("Awarded")
        FAILED = "failed", _("No valid bid (流拍)")
        CANCELLED = "cancelled", _("Cancelled")

    # What an announcement fixes; the rest is the outcome, written only by leasing.auctions.
    ANNOUNCEMENT_FIELDS = (
        "asset",
        "title",
        "announced_on",
        "held_on",
        "place",
        "reserve_price",
        "increment",
        "deposit",
        "lease_start_on",
        "lease_end_on",
        "payment_schedule",
        "conditions",
    )
    OUTCOME_FIELDS = (
        "status",
        "result_published_on",
        "winning_amount",
        "winner_public_name",
        "cancel_reason",
        "lease",
    )
    PUBLIC_FIELDS = ANNOUNCEMENT_FIELDS + OUTCOME_FIELDS

    asset = models.ForeignKey(
        Asset, verbose_name=_("asset"), on_delete=models.PROTECT, related_name="auctions"
    )
    title = models.CharField(_("title"), max_length=200)
    announced_on = models.DateField(_("announced on"))
    held_on = models.DateField(_("auction day"))
    place = models.CharField(_("place"), max_length=200)
    reserve_price = _money(_("reserve price (yuan a year)"))
    increment = _money(_("minimum raise (yuan)"), default=Decimal("100"))
    deposit = _money(_("bidder deposit (yuan)"), default=Decimal("0"))
    lease_start_on = models.DateField(_("lease starts"))
    lease_end_on = models.DateField(_("lease ends"))
    payment_schedule = models.CharField(
        _("payment schedule"),
        max_length=10,
        choices=Lease.Schedule.choices,
        default=Lease.Schedule.ANNUAL,
    )
    conditions = models.TextField(_("conditions"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ANNOUNCED
    )
    result_published_on = models.DateField(_("result published on"), null=True, blank=True)
    winning_amount = models.DecimalField(
        _("winning bid (yuan a year)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    winner_public_name = models.CharField(_("winner"), max_length=120, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    lease = models.OneToOneField(
        Lease,
        verbose_name=_("lease"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="auction",
    )

    class Meta:
        verbose_name = _("auction")
        verbose_name_plural = _("auctions")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="auction_held_after_announced",
                condition=Q(held_on__gte=F("announced_on")),
                violation_error_message=_("An auction cannot be held before it is announced."),
            ),
            models.CheckConstraint(
                name="auction_lease_end_after_start",
                condition=Q(lease_end_on__gt=F("lease_start_on")),
                violation_error_message=_("The lease must end after it starts."),
            ),
            models.CheckConstraint(
                name="auction_amounts_not_negative",
                condition=Q(reserve_price__gte=0, increment__gte=0, deposit__gte=0),
                violation_error_message=_("Amounts cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("auctions:detail", args=[self.pk])

    @property
    def village_id_for_scope(self) -> int | None:
        return self.asset.village_id if self.asset_id else None

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.ANNOUNCED

    def flags(self) -> list[str]:
        """Warnings on the announced terms; the lease rules flag, they do not forbid."""
        if not (self.asset_id and self.lease_start_on and self.lease_end_on):
            return []
        term = Lease(asset=self.asset, start_on=self.lease_start_on, end_on=self.lease_end_on)
        if not term.is_overlong:
            return []
        return [gettext("The lease term is longer than the rules allow for this kind of asset.")]


class Bid(TimeStampedModel):
    """A bid called on the auction day. The bidder's name is public only in masked form."""

    PUBLIC_FIELDS = ("auction", "paddle", "bidder_public_name", "amount", "placed_at")

    auction = models.ForeignKey(
        Auction, verbose_name=_("auction"), on_delete=models.PROTECT, related_name="bids"
    )
    paddle = models.PositiveIntegerField(_("bidder number"))
    bidder_name = models.CharField(_("bidder"), max_length=120)
    bidder_kind = models.CharField(
        _("bidder kind"),
        max_length=12,
        choices=Lease.TenantKind.choices,
        default=Lease.TenantKind.PERSON,
    )
    bidder_contact = models.CharField(_("bidder contact"), max_length=60, blank=True)
    amount = _money(_("bid (yuan a year)"))
    placed_at = models.DateTimeField(_("bid at"))

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["auction", "placed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.auction} #{self.paddle} ¥{self.amount}"

    def get_absolute_url(self) -> str:
        return reverse("auctions:detail", args=[self.auction_id])

    @property
    def village_id_for_scope(self) -> int | None:
        return self.auction.asset.village_id if self.auction_id else None

    @property
    def bidder_public_name(self) -> str:
        from registry.privacy import public_name

        return public_name(self.bidder_name, self.bidder_kind)
