"""The filter of education and culture sites, written once for the visitors' page and any API."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from registry.filtersets import DivisionCodeFilter, SearchFilter
from registry.models import AdminUnit
from visits.models import Route, Site


def _townships(request=None) -> QuerySet[AdminUnit]:
    return AdminUnit.objects.filter(level=AdminUnit.Level.TOWNSHIP).only("pk", "code", "name")


def in_township(sites: QuerySet[Site], township: AdminUnit) -> QuerySet[Site]:
    """Sites of a township's villages, or of the township itself (Beiji's hall is)."""
    return sites.filter(Q(unit=township) | Q(unit__parent=township))


class SiteFilterSet(django_filters.FilterSet):
    """Sites by kind and by township, given as its division code (a stable, shareable link)."""

    kind = django_filters.ChoiceFilter(choices=Site.Kind.choices, label=_("kind"))
    township = django_filters.ModelChoiceFilter(
        queryset=_townships,
        to_field_name="code",
        method="filter_township",
        label=_("Township or subdistrict"),
    )

    class Meta:
        model = Site
        fields = ["kind", "township"]

    def filter_township(
        self, queryset: QuerySet[Site], name: str, value: AdminUnit
    ) -> QuerySet[Site]:
        return in_township(queryset, value)


# The API's site and route layers filter by division codes, like the other layers.
class SiteLayerFilterSet(django_filters.FilterSet):
    unit = DivisionCodeFilter(field_name="unit__code", label="unit division code")
    township = DivisionCodeFilter(method="in_township", label="township division code")
    q = SearchFilter(field_name="name", label="name")

    class Meta:
        model = Site
        fields = ["kind", "unit", "township", "q"]

    def in_township(self, queryset, name, value):
        return queryset.filter(Q(unit__code=value) | Q(unit__parent__code=value))


class RouteFilterSet(django_filters.FilterSet):
    unit = DivisionCodeFilter(field_name="unit__code", label="unit division code")

    class Meta:
        model = Route
        fields = ["unit"]
