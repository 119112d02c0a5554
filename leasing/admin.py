"""Admin of leases and rent payments, auctions, bids and declared sublets. Adding goes
through the services (the form shows their refusals next to the fields); an announced auction
is then run on the auction-day screen, never edited here, so what was announced stays what the
public saw."""

from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from leasing import auctions
from leasing import services as lease_services
from leasing.models.auctions import Auction, Bid
from leasing.models.leases import Lease, LeasePayment, Sublet
from registry import services as registry_services
from registry.admin import ReadOnlyAdmin, RecordAdmin, TownshipFilter
from registry.forms import TypedInputModelForm
from registry.scoping import in_scope


class LeasePaymentInline(admin.TabularInline):
    model = LeasePayment
    extra = 0
    can_delete = False
    fields = ("paid_on", "amount", "bank_reference")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LeaseTownshipFilter(TownshipFilter):
    unit_path = "asset__village__parent"


@admin.register(Lease)
class LeaseAdmin(RecordAdmin):
    unit_path = "asset__village"
    list_display = (
        "asset",
        "tenant_name",
        "start_on",
        "end_on",
        "annual_rent",
        "valuation",
        "arrears",
        "warnings",
    )
    list_filter = ("awarded_by", "payment_schedule", LeaseTownshipFilter)
    search_fields = ("asset__name", "tenant_name", "asset__village__name")
    list_select_related = ("asset", "asset__village")
    inlines = [LeasePaymentInline]
    # What the auction fixed: the winner, the asset, the term and the price stay as published.
    AUCTION_FIXED = (
        "asset",
        "tenant_name",
        "tenant_kind",
        "start_on",
        "end_on",
        "annual_rent",
        "deposit",
        "payment_schedule",
        "awarded_by",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(paid_total=Sum("payments__amount"))

    def get_form(self, request, obj=None, change=False, **kwargs):
        """The lease rules run in the form (leasing.services.check_lease), so a refusal shows
        next to the fields; "auction" is not offered: only an auction's result awards it."""
        kwargs["form"] = LeaseForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        """A renewal is made by renewing (leasing.services.renew_lease, /api/leases/<id>/renew/),
        which checks its rules; here `renews` is only shown."""
        if obj is None or obj.pk is None:
            return ("renews",)
        if hasattr(obj, "auction"):
            return (*self.AUCTION_FIXED, "renews")
        if obj.awarded_by == Lease.Award.AUCTION:  # imported with an auction held before us
            return ("awarded_by", "renews")
        return ("renews",)

    def save_model(self, request, obj, form, change):
        if change:
            registry_services.save_record(obj, actor=request.user)
            return
        fields = {
            f.attname: getattr(obj, f.attname)
            for f in Lease._meta.concrete_fields
            if f.editable and not f.primary_key
        }
        lease = lease_services.create_lease(actor=request.user, **fields)
        vars(obj).update(vars(lease))  # the admin goes on with `obj` (its inlines, redirect)

    @admin.display(description=_("warnings"))
    def warnings(self, obj):
        return " ".join(obj.flags())

    @admin.display(description=_("arrears (yuan)"))
    def arrears(self, obj):
        return obj.arrears(timezone.localdate(), obj.paid_total or 0)


@admin.register(LeasePayment)
class LeasePaymentAdmin(RecordAdmin):
    unit_path = "lease__asset__village"
    list_display = ("lease", "paid_on", "amount", "bank_reference")
    list_select_related = ("lease", "lease__asset")
    search_fields = ("lease__asset__name", "lease__tenant_name", "bank_reference")

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = LeasePaymentForm
        return super().get_form(request, obj, change, **kwargs)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        payment = lease_services.record_lease_payment(
            obj.lease,
            actor=request.user,
            paid_on=obj.paid_on,
            amount=obj.amount,
            bank_reference=obj.bank_reference,
        )
        vars(obj).update(vars(payment))


class ServiceCheckedForm(TypedInputModelForm):
    """Runs the service's own rules after the model's, so a refusal is a form error, not a 500."""

    check = staticmethod(lambda instance: None)

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            self.check(self.instance)
        except ValidationError as exc:
            self._update_errors(self._shown(exc))

    def _shown(self, exc: ValidationError) -> ValidationError:
        """A refusal about a field not on the form (read-only there) goes above the form."""
        if not hasattr(exc, "error_dict"):
            return exc
        shown: dict[str, list] = {}
        for field, errors in exc.error_dict.items():
            shown.setdefault(field if field in self.fields else NON_FIELD_ERRORS, []).extend(errors)
        return ValidationError(shown)


class AuctionForm(ServiceCheckedForm):
    check = staticmethod(auctions.check_announcement)  # by a person: dated today, not earlier

    class Meta:
        model = Auction
        fields = Auction.ANNOUNCEMENT_FIELDS


class LeaseForm(ServiceCheckedForm):
    """The lease admin's form (registry.admin.LeaseAdmin): the lease rules of the services."""

    check = staticmethod(lease_services.check_lease)

    class Meta:
        model = Lease
        fields = (
            "asset",
            "tenant_name",
            "tenant_kind",
            "tenant_contact",
            "start_on",
            "end_on",
            "annual_rent",
            "payment_schedule",
            "deposit",
            "awarded_by",
            "valuation",
            "renews",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if (awarded_by := self.fields.get("awarded_by")) is not None:
            awarded_by.choices = [
                choice for choice in awarded_by.choices if choice[0] != Lease.Award.AUCTION
            ]


class LeasePaymentForm(ServiceCheckedForm):
    """Rent received: dated today at the latest, like services.record_lease_payment."""

    check = staticmethod(
        lambda payment: payment.paid_on and lease_services.not_in_future(payment.paid_on, "paid_on")
    )

    class Meta:
        model = LeasePayment
        fields = ("lease", "paid_on", "amount", "bank_reference")


class SubletForm(ServiceCheckedForm):
    check = staticmethod(lease_services.check_sublet)

    class Meta:
        model = Sublet
        fields = (
            "lease",
            "subtenant_name",
            "subtenant_kind",
            "subtenant_contact",
            "start_on",
            "end_on",
            "purpose",
            "declared_on",
        )


class BidInline(admin.TabularInline):
    model = Bid
    extra = 0
    can_delete = False
    fields = ("paddle", "bidder_name", "bidder_kind", "bidder_contact", "amount", "placed_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AddOnlyAdmin(RecordAdmin):
    """Records written once through a service: added here, then only looked at."""

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


class AuctionTownshipFilter(TownshipFilter):
    unit_path = "asset__village__parent"


@admin.register(Auction)
class AuctionAdmin(AddOnlyAdmin):
    unit_path = "asset__village"
    form = AuctionForm
    list_display = ("title", "asset", "held_on", "status", "reserve_price", "winning_amount")
    list_filter = ("status", AuctionTownshipFilter)
    search_fields = ("title", "asset__name", "asset__village__name", "place")
    list_select_related = ("asset",)
    date_hierarchy = "held_on"
    inlines = [BidInline]
    readonly_fields = ("auction_day",)

    @admin.display(description=_("auction day screen"))
    def auction_day(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        url = reverse("auctions:day", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Record bids and publish the result"))

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": Auction.ANNOUNCEMENT_FIELDS})]
        return [
            (None, {"fields": Auction.ANNOUNCEMENT_FIELDS}),
            (_("Result"), {"fields": (*Auction.OUTCOME_FIELDS, "auction_day")}),
        ]

    def save_model(self, request, obj, form, change):
        auctions.announce(obj, actor=request.user)


class SubletTownshipFilter(LeaseTownshipFilter):
    unit_path = "lease__asset__village__parent"


@admin.register(Sublet)
class SubletAdmin(AddOnlyAdmin):
    unit_path = "lease__asset__village"
    form = SubletForm
    list_display = ("lease", "subtenant_name", "start_on", "end_on", "purpose", "declared_on")
    list_filter = (SubletTownshipFilter,)
    search_fields = ("lease__asset__name", "lease__tenant_name", "subtenant_name")
    list_select_related = ("lease", "lease__asset")

    def save_model(self, request, obj, form, change):
        lease_services.declare(obj, actor=request.user)


@admin.register(Bid)
class BidAdmin(ReadOnlyAdmin):
    list_display = ("auction", "paddle", "bidder_name", "amount", "placed_at")
    list_select_related = ("auction",)
    search_fields = ("auction__title", "bidder_name")

    def get_queryset(self, request):
        return in_scope(request.user, super().get_queryset(request), "auction__asset__village")
