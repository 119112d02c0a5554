"""One FilterSet per model, shared by list pages and the API (as NetBox does)."""

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy

from registry.models import AdminUnit, Asset
from registry.text import fold


class DivisionCodeField(forms.CharField):
    """A division code as typed (folded: full-width digits, spaces), checked to be one: a
    mistyped code is a 400 that says so, never a filter silently left out or an empty list."""

    default_validators = [
        RegexValidator(
            r"^[0-9]{6}(?:[0-9]{3}){0,2}$",
            gettext_lazy("A division code has 6, 9 or 12 digits, like 330381102201."),
        )
    ]

    def to_python(self, value):
        text = super().to_python(value)
        return fold(text).replace(" ", "") if text else text


class DivisionCodeFilter(django_filters.CharFilter):
    field_class = DivisionCodeField


class SearchFilter(django_filters.CharFilter):
    """A name search as people type it: what was typed is folded (`registry.text.fold`:
    full-width letters and digits, dashes, ideographic spaces) and matched anywhere in the
    name, case-insensitively."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "icontains")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return super().filter(qs, fold(value) if value else value)


class VillageRecordFilterSet(django_filters.FilterSet):
    """Filters every record that belongs to a village has: its village, township and name."""

    village = DivisionCodeFilter(field_name="village__code", label="village division code")
    township = DivisionCodeFilter(
        field_name="village__parent__code", label="township division code"
    )
    q = SearchFilter(field_name="name", label="name")


class AssetFilterSet(VillageRecordFilterSet):
    class Meta:
        model = Asset
        fields = ["kind", "status", "land_use", "building_use", "village", "township", "q"]


class UnitFilterSet(django_filters.FilterSet):
    parent = DivisionCodeFilter(field_name="parent__code", label="parent division code")

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
