"""The forms of what staff do with a warning. They only parse what was typed; the services
(`alerts.services`) check the rest (the least a reason says, the warning's state)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from alerts import services
from supervision.models import Category


def _text_field(label, help_text, required) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=services.REASON_MAX,
        min_length=services.REASON_MIN,
        widget=forms.Textarea(
            attrs={"rows": 3, "minlength": services.REASON_MIN, "maxlength": services.REASON_MAX}
        ),
        error_messages={"required": required},
    )


class AcknowledgeForm(forms.Form):
    """Nothing to type: the button says it."""


class DismissForm(forms.Form):
    reason = _text_field(
        _("Why it is not a problem"),
        _("Shown in the public log with the warning (no personal names)."),
        _("Say why, in a few words."),
    )


class ActionForm(forms.Form):
    action = _text_field(
        _("What was done"),
        _("What the station or the village did about it (处置情况)."),
        _("Say what was done, in a few words."),
    )


class CaseForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category of the case"),
        queryset=Category.objects.filter(active=True).order_by("position", "code"),
        required=False,
        empty_label=_("As the rule suggests"),
        to_field_name="code",
    )
