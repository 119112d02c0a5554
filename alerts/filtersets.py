"""The one FilterSet of warnings, shared by the staff list page and the API (as NetBox does).

Without a `state` the list shows the warnings still to be dealt with (open, acknowledged,
turned into a case); `state=all` shows every state. A township filter takes the township's own
(township-wide) warnings and its villages'; a mistyped division code is a 400 that says so.
"""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from alerts.models import ACTIVE_STATES, Alert, AlertState, Level
from alerts.rules import all_rules
from registry.filtersets import DivisionCodeFilter

ACTIVE = "active"
ALL = "all"


def rule_choices() -> list[tuple[str, str]]:
    """The registered rules, read when a form is made (rules load in `AlertsConfig.ready`)."""
    return [(rule.code, f"{rule.code} {rule.name}") for rule in all_rules()]


def state_choices() -> list[tuple[str, str]]:
    return [(ACTIVE, _("To be dealt with")), *AlertState.choices, (ALL, _("All"))]


class AlertFilterSet(django_filters.FilterSet):
    rule = django_filters.ChoiceFilter(choices=rule_choices, label=_("rule"))
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("warning level"))
    state = django_filters.ChoiceFilter(
        choices=state_choices, method="filter_state", label=_("state")
    )
    township = DivisionCodeFilter(method="filter_township", label=_("township division code"))
    village = DivisionCodeFilter(field_name="unit__code", label=_("village division code"))

    class Meta:
        model = Alert
        fields = ["rule", "level", "state", "township", "village"]

    def filter_state(self, queryset: QuerySet[Alert], name: str, value: str) -> QuerySet[Alert]:
        if value == ALL:
            return queryset
        if value == ACTIVE:
            return queryset.filter(state__in=ACTIVE_STATES)
        return queryset.filter(state=value)

    def filter_township(self, queryset: QuerySet[Alert], name: str, value: str):
        return queryset.filter(Q(unit__code=value) | Q(unit__parent__code=value))

    def filter_queryset(self, queryset: QuerySet[Alert]) -> QuerySet[Alert]:
        if not self.form.cleaned_data.get("state"):
            queryset = queryset.filter(state__in=ACTIVE_STATES)
        return super().filter_queryset(queryset)
