"""Forms of the auction-day screen. Rules live in leasing.auctions; forms only parse input."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leasing.models import Lease
from registry.forms import TypedInputForm


class BidForm(TypedInputForm):
    paddle = forms.IntegerField(label=_("Bidder number"), min_value=1)
    bidder_name = forms.CharField(label=_("Bidder"), max_length=120)
    bidder_kind = forms.ChoiceField(
        label=_("Bidder kind"), choices=Lease.TenantKind.choices, initial=Lease.TenantKind.PERSON
    )
    bidder_contact = forms.CharField(label=_("Bidder contact"), max_length=60, required=False)
    amount = forms.DecimalField(
        label=_("Bid (yuan a year)"), max_digits=12, decimal_places=2, min_value=0
    )
    placed_at = forms.DateTimeField(
        label=_("Bid at"),
        required=False,
        help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.attrs["inputmode"] = "decimal"
        self.fields["paddle"].widget.attrs["inputmode"] = "numeric"

    def clean_placed_at(self):
        return self.cleaned_data["placed_at"] or timezone.now()


class PublishForm(TypedInputForm):
    published_on = forms.DateField(
        label=_("Result published on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class CancelForm(TypedInputForm):
    reason = forms.CharField(
        label=_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 2})
    )
