"""Admin of education bases, culture sites and visitor routes."""

from django.contrib import admin

from registry.admin import RecordAdmin
from visits.models import Route, RouteStop, Site


@admin.register(Site)
class SiteAdmin(RecordAdmin):
    unit_path = "unit"
    map_unit_field = "unit"
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
    map_unit_field = "unit"
    list_display = ("name", "unit")
    search_fields = ("name",)
    inlines = [RouteStopInline]
