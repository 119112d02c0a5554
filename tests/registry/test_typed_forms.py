"""Staff and field forms read numbers, amounts and dates as Chinese keyboards type them, and
leave text exactly as typed (issue 13, part 2)."""

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.http import QueryDict

from fieldapp.forms import NearbyForm
from projects.forms import ContractForm
from registry.forms import TypedInputForm


class Sample(TypedInputForm):
    amount = forms.DecimalField()
    count = forms.IntegerField()
    on = forms.DateField()
    note = forms.CharField()


def test_numbers_amounts_and_dates_are_folded_and_text_is_kept():
    form = Sample(
        QueryDict(
            "amount=%EF%BC%91%EF%BC%8C%EF%BC%92%EF%BC%90%EF%BC%90.5%E5%85%83"  # １，２００.5元
            "&count=%EF%BC%98%EF%BC%95"  # ８５
            "&on=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96%EF%BC%8D%EF%BC%90%EF%BC%91%EF%BC%8D%EF%BC%90%EF%BC%92"
            "&note=%E6%96%BD%E5%B7%A5%EF%BC%8C%E6%AD%A3%E5%B8%B8"  # 施工，正常
        )
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "amount": Decimal("1200.5"),
        "count": 85,
        "on": dt.date(2026, 1, 2),
        "note": "施工，正常",  # the Chinese comma stays
    }


def test_a_position_typed_in_full_width_is_read_by_the_field_app():
    form = NearbyForm({"lon": "１２０．５０５", "lat": "２７．９１５"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["lon"] == pytest.approx(120.505)


@pytest.mark.parametrize("field", ["contract_amount"])
def test_a_contract_amount_typed_with_separators_is_read(field):
    form = ContractForm({field: "１９８，０００元"})
    form.is_valid()
    assert field not in form.errors
    assert form.cleaned_data[field] == Decimal("198000")


@pytest.mark.django_db
@pytest.mark.parametrize("layer", ["assets", "sites"])
def test_a_map_search_typed_in_full_width_finds_what_the_plain_one_finds(client, layer):
    plain = client.get(f"/api/{layer}/", {"q": "1号"}).json()["features"]
    wide = client.get(f"/api/{layer}/", {"q": "１号"}).json()["features"]
    assert wide == plain
    if layer == "assets":
        assert plain
