"""One FilterSet per model, shared by list pages and the API (as NetBox does)."""

import django_filters

from registry.models import AdminUnit, Asset


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


class UnitFilterSet(django_filters.FilterSet):
    parent = django_filters.CharFilter(field_name="parent__code", label="parent division code")

    class Meta:
        model = AdminUnit
        fields = ["level", "code", "parent"]
