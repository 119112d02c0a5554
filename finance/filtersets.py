"""Filters of payment requests, shared by the staff list and the public API."""

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from finance.models import PaymentRequest
from registry.filtersets import VillageRecordFilterSet


class MonthField(forms.CharField):
    """A month as YYYY-MM (2026-11); anything else is a 400 that says so."""

    default_validators = [
        RegexValidator(
            r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])$",
            _("A month is written YYYY-MM, like 2026-11 (years 1900 to 2999)."),
        )
    ]


class MonthFilter(django_filters.CharFilter):
    field_class = MonthField


class PaymentFilterSet(VillageRecordFilterSet):
    """`village`, `township` (division codes), `state`, `category`, `paid_month` (YYYY-MM),
    `project` (id) and `q` (purpose)."""

    q = None
    purpose = django_filters.CharFilter(lookup_expr="icontains", label="purpose")
    paid_month = MonthFilter(method="filter_paid_month", label="month paid (YYYY-MM)")

    class Meta:
        model = PaymentRequest
        fields = ["village", "township", "state", "category", "project", "paid_month", "purpose"]

    def filter_paid_month(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        year, month = (int(part) for part in value.split("-"))
        return queryset.filter(paid_on__year=year, paid_on__month=month)
