"""Django admin for staff, scoped to their admin units, writing only through services.

What a user may add or change here is what `registry.scoping.may` says for the task writing
that kind of record (registry.roles), on each record; the groups' model permissions, which the
admin also reads, are synced from the same table."""

from django.contrib import admin
from django.contrib.gis import admin as gis_admin
from django.utils.translation import gettext_lazy as _

from gis.widgets import MapWidget
from registry import services
from registry.forms import TypedInputModelForm
from registry.models import AdminUnit, Asset, Cooperative, Profile
from registry.roles import Task, task_for
from registry.scoping import in_scope, may, unit_ids_in_scope
from trail.models import Event

admin.site.site_header = _("Qinglian village assets — staff")
admin.site.site_title = _("Qinglian staff")
admin.site.index_title = _("Records of your admin units")

SCOPED_FOREIGN_KEYS = {"village", "unit", "parent", "owner", "asset", "lease"}
# How a choice of each related model reaches its village, to offer only those in the user's units.
SCOPE_PATHS = {
    "registry.adminunit": "pk",
    "registry.cooperative": "village",
    "registry.asset": "village",
    "leasing.lease": "asset__village",
}


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
    form = TypedInputModelForm  # numbers, amounts and dates as Chinese keyboards type them
    unit_path = "village"

    def get_queryset(self, request):
        return in_scope(request.user, super().get_queryset(request), self.unit_path)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name in SCOPED_FOREIGN_KEYS and field is not None:
            path = SCOPE_PATHS.get(db_field.related_model._meta.label_lower)
            if path:
                field.queryset = in_scope(request.user, field.queryset, path)
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
        # An admin method's None would print as "None"; a point has no area, shown as "-".
        return self.get_empty_value_display() if obj.area_mu is None else obj.area_mu


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
