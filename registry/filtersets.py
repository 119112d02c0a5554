"""One FilterSet per model, shared by list pages and the API (as NetBox does)."""

import django_filters
from django import forms

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


BIGINT_MAX = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A record's id: a whole number from 1 to 2⁶³−1 (the largest bigint), else a 400 naming
    the parameter. A decimal field would pass `99999999999999999999` on to SQLite, which
    cannot hold it (OverflowError)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(*args, **kwargs)
