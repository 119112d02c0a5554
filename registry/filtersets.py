"""One FilterSet per model, shared by list pages and the API (as NetBox does)."""

import django_filters

from registry.models import Asset, Project


class AssetFilterSet(django_filters.FilterSet):
    village = django_filters.CharFilter(field_name="village__code", label="village division code")
    township = django_filters.CharFilter(
        field_name="village__parent__code", label="township division code"
    )
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="name")

    class Meta:
        model = Asset
        fields = ["kind", "status", "land_use", "building_use", "village", "township", "q"]


class ProjectFilterSet(django_filters.FilterSet):
    village = django_filters.CharFilter(field_name="village__code", label="village division code")
    township = django_filters.CharFilter(
        field_name="village__parent__code", label="township division code"
    )
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="name")

    class Meta:
        model = Project
        fields = ["stage", "category", "village", "township", "q"]
