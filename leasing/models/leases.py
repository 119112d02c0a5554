import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from registry.models.assets import Asset
from registry.models.base import TimeStampedModel


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by `months` calendar months, kept at the month's last day if it is shorter.

    Past the calendar's ends (year 1 or 9999) the result is date.min or date.max, never an
    error: a date typed by a person near those ends must not break a page that shows it.
    """
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if year > dt.MAXYEAR:
        return dt.date.max
    if year < dt.MINYEAR:
        return dt.date.min
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days_in_month = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return dt.date(year, month, min(day.day, days_in_month))


class Lease(TimeStampedModel):
    """Who rents which collective asset, on what terms (资产出租)."""

    class TenantKind(models.TextChoices):
        PERSON = "person", _("Individual")
        ORGANISATION = "organisation", _("Company or organisation")

    class Schedule(models.TextChoices):
        ANNUAL = "annual", _("Yearly in advance")
        SEMIANNUAL = "semiannual", _("Half-yearly in advance")
        QUARTERLY = "quarterly", _("Quarterly in advance")
        MONTHLY = "monthly", _("Monthly in advance")

    SCHEDULE_MONTHS = {"annual": 12, "semiannual": 6, "quarterly": 3, "monthly": 1}

    class Award(models.TextChoices):
        AUCTION = "auction", _("Public auction (公开拍租)")
        TENDER = "tender", _("Public tender")
        NEGOTIATION = "negotiation", _("Negotiated")
        RENEWAL = "renewal", _("Renewal")

    PUBLIC_FIELDS = (
        "asset",
        "tenant_public_name",
        "tenant_kind",
        "start_on",
        "end_on",
        "annual_rent",
        "payment_schedule",
        "deposit",
        "awarded_by",
        "valuation",
        "renews",
    )

    asset = models.ForeignKey(
        Asset, verbose_name=_("asset"), on_delete=models.PROTECT, related_name="leases"
    )
    tenant_name = models.CharField(_("tenant"), max_length=120)
    tenant_kind = models.CharField(
        _("tenant kind"), max_length=12, choices=TenantKind.choices, default=TenantKind.PERSON
    )
    tenant_contact = models.CharField(_("tenant contact"), max_length=60, blank=True)
    start_on = models.DateField(_("start"))
    end_on = models.DateField(_("end"))
    annual_rent = models.DecimalField(
        _("annual rent (yuan)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    payment_schedule = models.CharField(
        _("payment schedule"), max_length=10, choices=Schedule.choices, default=Schedule.ANNUAL
    )
    deposit = models.DecimalField(
        _("deposit (yuan)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    awarded_by = models.CharField(_("awarded by"), max_length=12, choices=Award.choices)
    valuation = models.DecimalField(
        _("assessed annual rent (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("The rent valuation (租金评估) the lease is compared with."),
    )
    renews = models.OneToOneField(
        "self",
        verbose_name=_("renews"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewal",
        help_text=_("The lease this one continues (续租)."),
    )

    class Meta:
        verbose_name = _("lease")
        verbose_name_plural = _("leases")
        ordering = ["-start_on"]
        constraints = [
            models.CheckConstraint(
                name="lease_end_after_start",
                condition=Q(end_on__gt=F("start_on")),
                violation_error_message=_("A lease must end after it starts."),
            ),
            models.CheckConstraint(
                name="lease_amounts_not_negative",
                condition=Q(annual_rent__gte=0, deposit__gte=0),
                violation_error_message=_("Rent and deposit cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset} — {self.tenant_public_name}"

    def get_absolute_url(self) -> str:
        return reverse("portal:asset-detail", args=[self.asset_id])

    @property
    def village_id_for_scope(self) -> int | None:
        return self.asset.village_id if self.asset_id else None

    @property
    def tenant_public_name(self) -> str:
        """Organisations are named in full; an individual only by family name (张**)."""
        from registry.privacy import public_name

        return public_name(self.tenant_name, self.tenant_kind)

    @property
    def is_overlong(self) -> bool:
        limits = settings.LEASE_MAX_YEARS
        limit = limits.get(self.asset.kind)
        if limit is None:
            return False
        if self.start_on.year + limit > dt.MAXYEAR:
            return True  # the longest allowed term ends past the calendar: treat as over-long
        return add_months(self.start_on, 12 * limit) < self.end_on

    @property
    def is_favour_rent(self) -> bool:
        """Rent below the valuation by more than FAVOUR_RENT_PERCENT: a possible 人情租."""
        if not self.valuation:
            return False
        allowed = Decimal(100 - settings.FAVOUR_RENT_PERCENT) / 100
        return self.annual_rent < self.valuation * allowed

    def flags(self) -> list[str]:
        """Warnings for the public and for staff, in the language of the request."""
        found = []
        if self.is_overlong:
            found.append(gettext("The term is longer than the rules allow for this kind of asset."))
        if self.is_favour_rent:
            found.append(
                gettext("The rent is well below the valuation: a possible favour rent (人情租).")
            )
        return found

    def is_active(self, on: dt.date) -> bool:
        return self.start_on <= on < self.end_on

    def amount_due(self, on: dt.date) -> Decimal:
        """Rent fallen due by `on`: each period is paid at its start, the last one pro rata."""
        months = self.SCHEDULE_MONTHS[self.payment_schedule]
        per_period = self.annual_rent * months / 12
        due = Decimal("0")
        period_start = self.start_on
        while period_start <= on and period_start < self.end_on:
            period_end = add_months(period_start, months)
            if period_end > self.end_on:
                fraction = Decimal((self.end_on - period_start).days) / Decimal(
                    (period_end - period_start).days
                )
                due += per_period * fraction
            else:
                due += per_period
            period_start = period_end
        return due.quantize(Decimal("0.01"))

    def arrears(self, on: dt.date, paid: Decimal) -> Decimal:
        return max(self.amount_due(on) - paid, Decimal("0"))

    def clean(self) -> None:
        if self.start_on and self.end_on and self.end_on <= self.start_on:
            raise ValidationError({"end_on": _("A lease must end after it starts.")})


class LeasePayment(TimeStampedModel):
    """Rent received for a lease, always through the bank (去现金化)."""

    PUBLIC_FIELDS = ("lease", "paid_on", "amount")

    lease = models.ForeignKey(
        Lease, verbose_name=_("lease"), on_delete=models.PROTECT, related_name="payments"
    )
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    bank_reference = models.CharField(_("bank reference"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("rent payment")
        verbose_name_plural = _("rent payments")
        ordering = ["paid_on"]
        constraints = [
            models.CheckConstraint(
                name="leasepayment_amount_positive",
                condition=Q(amount__gt=0),
                violation_error_message=_("A payment must be more than zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lease} {self.paid_on} ¥{self.amount}"

    def get_absolute_url(self) -> str:
        return reverse("portal:asset-detail", args=[self.lease.asset_id])

    @property
    def village_id_for_scope(self) -> int | None:
        return self.lease.asset.village_id if self.lease_id else None


class Sublet(TimeStampedModel):
    """A sublet the tenant declared (转租申报). A sublet not declared here is not allowed."""

    PUBLIC_FIELDS = (
        "lease",
        "subtenant_public_name",
        "subtenant_kind",
        "start_on",
        "end_on",
        "purpose",
        "declared_on",
    )

    lease = models.ForeignKey(
        Lease, verbose_name=_("lease"), on_delete=models.PROTECT, related_name="sublets"
    )
    subtenant_name = models.CharField(_("subtenant"), max_length=120)
    subtenant_kind = models.CharField(
        _("subtenant kind"),
        max_length=12,
        choices=Lease.TenantKind.choices,
        default=Lease.TenantKind.PERSON,
    )
    subtenant_contact = models.CharField(_("subtenant contact"), max_length=60, blank=True)
    start_on = models.DateField(_("start"))
    end_on = models.DateField(_("end"))
    purpose = models.CharField(_("use"), max_length=200, blank=True)
    declared_on = models.DateField(_("declared on"))

    class Meta:
        verbose_name = _("declared sublet")
        verbose_name_plural = _("declared sublets")
        ordering = ["lease", "start_on"]
        constraints = [
            models.CheckConstraint(
                name="sublet_end_after_start",
                condition=Q(end_on__gt=F("start_on")),
                violation_error_message=_("A sublet must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lease} → {self.subtenant_public_name}"

    def get_absolute_url(self) -> str:
        return reverse("portal:asset-detail", args=[self.lease.asset_id])

    @property
    def village_id_for_scope(self) -> int | None:
        return self.lease.asset.village_id if self.lease_id else None

    @property
    def subtenant_public_name(self) -> str:
        from registry.privacy import public_name

        return public_name(self.subtenant_name, self.subtenant_kind)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.start_on and self.end_on and self.end_on <= self.start_on:
            errors["end_on"] = [_("A sublet must end after it starts.")]
        inside = self.lease_id and self.start_on and self.end_on
        if inside and (self.start_on < self.lease.start_on or self.end_on > self.lease.end_on):
            errors.setdefault("end_on", []).append(
                _("A sublet must lie within the term of the lease (%(start)s to %(end)s).")
                % {"start": self.lease.start_on, "end": self.lease.end_on}
            )
        if errors:
            raise ValidationError(errors)
