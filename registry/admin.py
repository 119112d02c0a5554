"""Django admin for staff, scoped to their admin units, writing only through services.

What a user may add or change here is what `registry.scoping.may` says for the task writing
that kind of record (registry.roles), on each record; the groups' model permissions, which the
admin also reads, are synced from the same table."""

from django.contrib import admin
from django.contrib.gis import admin as gis_admin
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gis.widgets import MapWidget
from registry import services
from registry.models import (
    AdminUnit,
    Asset,
    Cooperative,
    Deliberation,
    Disclosure,
    Event,
    Lease,
    LeasePayment,
    Profile,
    Project,
    ProjectDocument,
    Route,
    RouteStop,
    Site,
)
from registry.roles import Task, task_for
from registry.scoping import in_scope, may, unit_ids_in_scope

admin.site.site_header = _("Qinglian village assets — staff")
admin.site.site_title = _("Qinglian staff")
admin.site.index_title = _("Records of your admin units")

SCOPED_FOREIGN_KEYS = {"village", "unit", "parent", "owner", "asset", "lease"}


class TownshipFilter(admin.SimpleListFilter):
    """Filter by a unit of one level, offering only the units the user covers."""

    title = _("township")
    parameter_name = "township"
    unit_path = "village__parent"
    level = AdminUnit.Level.TOWNSHIP

    def lookups(self, request, model_admin):
        units = AdminUnit.objects.filter(level=self.level).only("code", "name")
        ids = unit_ids_in_scope(request.user)
        if ids is not None:
            units = units.filter(pk__in=ids)
        return [(unit.code, unit.name) for unit in units]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.unit_path}__code": self.value()})
        return queryset


class VillageFilter(TownshipFilter):
    title = _("village")
    parameter_name = "village"
    unit_path = "village"
    level = AdminUnit.Level.VILLAGE


class RecordAdmin(gis_admin.GISModelAdmin):
    """Scope lists and choices to the user's units; save through services; never delete."""

    gis_widget = MapWidget
    unit_path = "village"

    def get_queryset(self, request):
        return in_scope(request.user, super().get_queryset(request), self.unit_path)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name in SCOPED_FOREIGN_KEYS and field is not None:
            related = db_field.related_model
            path = {
                AdminUnit: "pk",
                Cooperative: "village",
                Asset: "village",
                Lease: "asset__village",
            }
            if related in path:
                field.queryset = in_scope(request.user, field.queryset, path[related])
        return field

    def has_add_permission(self, request):
        return super().has_add_permission(request) and may(request.user, task_for(self.model))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and may(request.user, task_for(obj or self.model), obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_issue_codes_permission(self, request):
        """The electronic-ID actions (qr.admin) are for those who may issue codes."""
        return may(request.user, Task.ISSUE_CODES)

    def save_model(self, request, obj, form, change):
        services.save_record(obj, actor=request.user)


@admin.register(AdminUnit)
class AdminUnitAdmin(RecordAdmin):
    unit_path = "pk"
    list_display = ("name", "level", "code", "parent")
    list_filter = ("level",)
    search_fields = ("name", "code")
    list_select_related = ("parent",)


@admin.register(Cooperative)
class CooperativeAdmin(RecordAdmin):
    list_display = ("name", "village", "credit_code")
    list_filter = (TownshipFilter, VillageFilter)
    search_fields = ("name", "village__name", "village__code", "credit_code")
    list_select_related = ("village",)


@admin.register(Asset)
class AssetAdmin(RecordAdmin):
    list_display = ("name", "kind", "village", "status", "area_m2", "area_mu")
    list_filter = ("kind", "status", TownshipFilter, VillageFilter)
    search_fields = ("name", "village__name", "village__code", "owner__name", "external_id")
    list_select_related = ("village",)
    readonly_fields = ("area_m2", "area_mu")

    @admin.display(description=_("area (亩)"))
    def area_mu(self, obj):
        return obj.area_mu


class ProcedureRecordInline(admin.TabularInline):
    """The procedure's records, to read here; they are made on the procedure screen."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DeliberationInline(ProcedureRecordInline):
    model = Deliberation
    fields = ("step", "held_on", "entitled", "present", "votes_for", "votes_against")


class DisclosureInline(ProcedureRecordInline):
    model = Disclosure
    fields = ("kind", "published_on", "until", "place")


class DocumentInline(ProcedureRecordInline):
    model = ProjectDocument
    fields = ("stage", "kind", "title", "issued_on", "sha256", "size")


@admin.register(Project)
class ProjectAdmin(RecordAdmin):
    inlines = [DeliberationInline, DisclosureInline, DocumentInline]
    list_display = ("name", "village", "category", "stage", "contract_amount", "progress_percent")
    list_filter = ("stage", "category", TownshipFilter, VillageFilter)
    search_fields = ("name", "village__name", "village__code", "contractor")
    list_select_related = ("village",)

    def get_readonly_fields(self, request, obj=None):
        """The procedure moves only on its own screen, stage by stage, with its records."""
        movable = {"proposed_on"} if obj is None else set()
        fixed = [name for name in services.PROCEDURE_FIELDS if name not in movable]
        return ("procedure_link", *sorted(fixed))

    @admin.display(description=_("procedure"))
    def procedure_link(self, obj):
        if obj is None or obj.pk is None:
            return _("A new project starts at the proposal stage.")
        url = reverse("staff:project", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open the procedure screen"))


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
        """The lease rules run in the form (registry.leasing.check_lease), so a refusal shows
        next to the fields; "auction" is not offered: only an auction's result awards it."""
        from registry.admin_leasing import LeaseForm

        kwargs["form"] = LeaseForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        """A renewal is made by renewing (registry.leasing.renew_lease, /api/leases/<id>/renew/),
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
            services.save_record(obj, actor=request.user)
            return
        fields = {
            f.attname: getattr(obj, f.attname)
            for f in Lease._meta.concrete_fields
            if f.editable and not f.primary_key
        }
        lease = services.create_lease(actor=request.user, **fields)
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
        from registry.admin_leasing import LeasePaymentForm

        kwargs["form"] = LeasePaymentForm
        return super().get_form(request, obj, change, **kwargs)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        payment = services.record_lease_payment(
            obj.lease,
            actor=request.user,
            paid_on=obj.paid_on,
            amount=obj.amount,
            bank_reference=obj.bank_reference,
        )
        vars(obj).update(vars(payment))


@admin.register(Site)
class SiteAdmin(RecordAdmin):
    unit_path = "unit"
    list_display = ("name", "kind", "unit", "opening_hours")
    list_filter = ("kind",)
    search_fields = ("name", "unit__name", "address")
    list_select_related = ("unit",)


class RouteStopInline(admin.TabularInline):
    model = RouteStop
    extra = 0
    fields = ("position", "site")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Route)
class RouteAdmin(RecordAdmin):
    unit_path = "unit"
    list_display = ("name", "unit")
    search_fields = ("name",)
    inlines = [RouteStopInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services (logs, counters): staff may look, nobody edits here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "at", "subject_type", "subject_id", "action", "actor_name", "unit")
    list_filter = ("action", "subject_type")
    search_fields = ("actor_name", "hash")
    list_select_related = ("subject_type", "unit")
    unit_path = "unit"

    def get_queryset(self, request):
        return in_scope(request.user, super().get_queryset(request), "unit")


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "phone")
    filter_horizontal = ("units",)
    search_fields = ("user__username", "phone")


from registry import admin_leasing  # noqa: E402, F401  (auctions, bids, sublets)
