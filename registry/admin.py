"""Django admin for staff, scoped to their admin units, writing only through services.

What a user may add or change here is what `registry.scoping.may` says for the task writing
that kind of record (registry.roles), on each record; the groups' model permissions, which the
admin also reads, are synced from the same table."""

from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.contrib.gis import admin as gis_admin
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gis.widgets import MapWidget
from registry import selectors, services
from registry.forms import TypedInputModelForm
from registry.models import AdminUnit, Asset, Cooperative, Profile
from registry.roles import Task, task_for
from registry.scoping import in_scope, may, unit_ids_in_scope
from trail.models import Event

admin.site.site_header = _("Qinglian village assets — staff")
admin.site.site_title = _("Qinglian staff")
admin.site.index_title = _("Records of your admin units")


def boolean_icon(value: bool | None) -> str:
    """The admin's yes/no icon, described in the page's language.

    Django's own (admin_list._boolean_icon, used by every list and read-only field) writes
    alt="True", alt="False" or alt="None": English a screen reader reads out on a Chinese page.
    A yes/no not given yet (None) shows as an empty value, as other empty fields do.
    """
    if value is None:
        return admin.site.empty_value_display
    icon = static(f"admin/img/icon-{'yes' if value else 'no'}.svg")
    return format_html('<img src="{}" alt="{}">', icon, gettext("Yes") if value else gettext("No"))


admin_list._boolean_icon = boolean_icon

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

    # The form field naming the unit a record lies in. With one, the map widget shows that
    # unit's boundary and, in grey, what is already mapped in it, so a clerk draws in the
    # right place even with no basemap (BASEMAP=none, the default).
    map_unit_field: str | None = None

    def get_urls(self):
        urls = super().get_urls()
        if not self.map_unit_field:
            return urls
        view = self.admin_site.admin_view(self.map_surroundings_view)
        return [path("map-surroundings/", view, name=self._surroundings_url_name()), *urls]

    def _surroundings_url_name(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_map_surroundings"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if self.map_unit_field:
            surroundings = {
                "url": reverse(f"admin:{self._surroundings_url_name()}"),
                "unit_input": f"id_{self.map_unit_field}",
                "unit": getattr(obj, f"{self.map_unit_field}_id", None),
                "exclude": obj.pk if obj else None,
            }
            for field in form.base_fields.values():
                if isinstance(field.widget, MapWidget):
                    field.widget.surroundings = surroundings
        return form

    def map_surroundings_view(self, request):
        """GeoJSON of a unit's boundary (`unit`) and of what is mapped in it (`others`): the
        assets of a village, the villages of a township. Public data only, names and shapes,
        as the public map shows them; `exclude` leaves out the record being edited."""
        if not (self.has_view_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied
        unit = AdminUnit.objects.filter(pk=_whole_number(request.GET.get("unit"))).first()
        if unit is None:
            return JsonResponse({"unit": EMPTY_COLLECTION, "others": EMPTY_COLLECTION})
        if unit.level == AdminUnit.Level.VILLAGE:
            others, geometry, kind = Asset.objects.filter(village=unit), "geometry", "assets"
        else:
            others, geometry, kind = AdminUnit.objects.filter(parent=unit), "boundary", "units"
        if others.model is self.model:
            others = others.exclude(pk=_whole_number(request.GET.get("exclude")))
        return JsonResponse(
            {
                "unit": _named_features(AdminUnit.objects.filter(pk=unit.pk), "boundary"),
                "others": _named_features(others, geometry),
                "others_are": kind,
            }
        )


EMPTY_COLLECTION = {"type": "FeatureCollection", "features": []}


def _whole_number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _named_features(queryset, geometry: str) -> dict:
    return selectors.features(
        queryset.only("pk", "name").order_by("pk"), geometry, 6, lambda row: {"name": row.name}
    )


@admin.register(AdminUnit)
class AdminUnitAdmin(RecordAdmin):
    unit_path = "pk"
    map_unit_field = "parent"
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
    map_unit_field = "village"
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


class RecordKindFilter(admin.RelatedFieldListFilter):
    """The log's filter by kind of record, titled in the page's language (the field has no
    label of its own: trail knows no language)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("Kind of record")


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "at", "record_kind", "record_id", "action", "actor_name", "unit")
    list_filter = ("action", ("subject_type", RecordKindFilter))
    search_fields = ("actor_name", "hash")
    list_select_related = ("subject_type", "unit")
    fields = (
        "seq",
        "at",
        "record_kind",
        "record_id",
        "unit",
        "actor",
        "actor_name",
        "action",
        "changes",
        "previous_hash",
        "row_hash",
    )
    readonly_fields = fields
    unit_path = "unit"

    def get_queryset(self, request):
        return in_scope(request.user, super().get_queryset(request), "unit")

    @admin.display(description=_("Kind of record"), ordering="subject_type")
    def record_kind(self, event: Event) -> str:
        return str(event.subject_type)

    @admin.display(description=_("record number"), ordering="subject_id")
    def record_id(self, event: Event) -> int:
        return event.subject_id

    @admin.display(description=_("hash of the event before"))
    def previous_hash(self, event: Event) -> str:
        return event.prev_hash

    @admin.display(description=_("hash"))
    def row_hash(self, event: Event) -> str:
        return event.hash


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("login", "phone")
    list_select_related = ("user",)
    filter_horizontal = ("units",)
    search_fields = ("user__username", "phone")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["label"] = _("user")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("user"), ordering="user__username")
    def login(self, profile: Profile) -> str:
        return profile.user.get_username()
