"""Admin of auctions, bids and declared sublets. Adding goes through the services (the form
shows their refusals next to the fields); an announced auction is then run on the auction-day
screen, never edited here, so what was announced stays what the public saw."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from registry import auctions, leasing
from registry.admin import LeaseTownshipFilter, ReadOnlyAdmin, RecordAdmin, TownshipFilter
from registry.models.auctions import Auction, Bid
from registry.models.leases import Sublet
from registry.scoping import in_scope


class ServiceCheckedForm(forms.ModelForm):
    """Runs the service's own rules after the model's, so a refusal is a form error, not a 500."""

    check = staticmethod(lambda instance: None)

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            self.check(self.instance)
        except ValidationError as exc:
            self._update_errors(exc)


class AuctionForm(ServiceCheckedForm):
    check = staticmethod(auctions.check_announcement)

    class Meta:
        model = Auction
        fields = Auction.ANNOUNCEMENT_FIELDS


class SubletForm(ServiceCheckedForm):
    check = staticmethod(leasing.check_sublet)

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
        leasing.declare(obj, actor=request.user)


@admin.register(Bid)
class BidAdmin(ReadOnlyAdmin):
    list_display = ("auction", "paddle", "bidder_name", "amount", "placed_at")
    list_select_related = ("auction",)
    search_fields = ("auction__title", "bidder_name")

    def get_queryset(self, request):
        return in_scope(request.user, super().get_queryset(request), "auction__asset__village")
