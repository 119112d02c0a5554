"""The one FilterSet of public cases, for the list page (and any API that lists them)."""

import django_filters

from registry.filtersets import DivisionCodeFilter
from supervision.models import Case, State


class CaseFilterSet(django_filters.FilterSet):
    township = DivisionCodeFilter(
        field_name="village__parent__code", label="township division code"
    )
    village = DivisionCodeFilter(field_name="village__code", label="village division code")
    state = django_filters.ChoiceFilter(choices=State.choices)
    category = django_filters.CharFilter(field_name="category__code", label="category code")

    class Meta:
        model = Case
        fields = ["township", "village", "state", "category"]
