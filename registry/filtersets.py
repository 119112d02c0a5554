"""One FilterSet per model, shared by list pages and the API (as NetBox does)."""

import django_filters
from django.db.models import Q

from registry.models import AdminUnit, Asset, Project, Route, Site


class VillageRecordFilterSet(django_filters.FilterSet):
    """Filters every record that belongs to a village has: its village, township and name."""

    village = django_filters.CharFilter(field_name="village__code", label="village division code")
    township = django_filters.CharFilter(
        field_name="village__parent__code", label="township division code"
    )
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="name")


class AssetFilterSet(VillageRecordFilterSet):
    class Meta:
        model = Asset
        fields = ["kind", "status", "land_use", "building_use", "village", "township", "q"]


class ProjectFilterSet(VillageRecordFilterSet):
    class Meta:
        model = Project
        fields = ["stage", "category", "village", "township", "q"]


class SiteFilterSet(django_filters.FilterSet):
    unit = django_filters.CharFilter(field_name="unit__code", label="unit division code")
    township = django_filters.CharFilter(method="in_township", label="township division code")
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="name")

    class Meta:
        model = Site
        fields = ["kind", "unit", "township", "q"]

    def in_township(self, queryset, name, value):
        return queryset.filter(Q(unit__code=value) | Q(unit__parent__code=value))


class RouteFilterSet(django_filters.FilterSet):
    unit = django_filters.CharFilter(field_name="unit__code", label="unit division code")

    class Meta:
        model = Route
        fields = ["unit"]


class UnitFilterSet(django_filters.FilterSet):
    parent = django_filters.CharFilter(field_name="parent__code", label="parent division code")

    class Meta:
        model = AdminUnit
        fields = ["level", "code", "parent"]
