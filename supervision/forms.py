"""The public forms: a villager's report, a receipt code typed to follow it, and what the
reporter adds with the receipt. Validation that must hold whoever writes lives in the services;
these forms check what a browser sends and say which field is wrong."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gis.basemaps import current_basemap
from gis.chinacoords import gcj02_to_wgs84
from registry.models import AdminUnit
from registry.text import fold
from supervision import selectors, services
from supervision.models import Case, Category

HONEYPOT = "website"
# Anonymous first and chosen: nobody should have to give a name to be heard.
IDENTITIES = [
    (Case.Identity.ANONYMOUS, _("Anonymous")),
    (Case.Identity.CONFIDENTIAL, _("Confidential")),
    (Case.Identity.NAMED, _("Named")),
]


class CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return str(obj)


class LongText(forms.CharField):
    """Free text in a text box. Its length is checked on the server, which says how long it
    is; the box carries no `maxlength`, with which a browser cuts a paste short silently."""

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class ContactForm(forms.Form):
    """How a named or confidential reporter can be reached (the service checks which is due)."""

    name = forms.CharField(label=_("Your name"), max_length=60, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)


class ReportForm(ContactForm):
    """A report about a plaque's record (`subject_unit` set), a village known from the link
    (`village` set), or a place tapped on the map (lat/lon) or a village chosen in the list."""

    category = CategoryChoice(
        label=_("What is it about?"),
        queryset=Category.objects.filter(active=True),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose what the report is about.")},
    )
    text = LongText(
        label=_("What is wrong?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        min_length=services.TEXT_MIN,
        max_length=services.TEXT_MAX,
        error_messages={
            "required": _("Say what is wrong."),
            "min_length": _("Say what is wrong in at least %(limit_value)d characters."),
            "max_length": _("Keep it to %(limit_value)d characters (it has %(show_value)d)."),
        },
    )
    identity = forms.ChoiceField(
        label=_("Who you are"),
        choices=IDENTITIES,
        widget=forms.RadioSelect,
        initial=Case.Identity.ANONYMOUS,
        error_messages={"required": _("Choose named, confidential or anonymous.")},
    )
    about_cadre = forms.BooleanField(
        label=_("It is about a station member or a village cadre"), required=False
    )
    about_member = forms.TypedChoiceField(
        label=_("Which station member (optional)"), coerce=int, required=False, empty_value=None
    )
    village = forms.ChoiceField(label=_("Village"), required=False)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    client_uuid = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("This form is incomplete: please send it again."),
            "invalid": _("This form is incomplete: please send it again."),
        },
    )

    def __init__(self, *args, fixed_village: AdminUnit | None = None, subject=False, **kwargs):
        """`fixed_village`: the village the link or the plaque names; `subject`: a plaque's
        record is the subject (its village comes from it, no place to choose)."""
        super().__init__(*args, **kwargs)
        self.fixed_village = fixed_village
        self.subject = subject
        if not self.is_bound:
            self.initial.setdefault("client_uuid", uuid.uuid4())
        if fixed_village is not None or subject:
            del self.fields["village"], self.fields["lat"], self.fields["lon"]
        else:
            self.fields["village"].choices = [
                ("", _("Choose the village, or tap the map")),
                *[
                    (township, [(code, name) for code, name in villages])
                    for township, villages in selectors.village_choices()
                ],
            ]
        village = fixed_village or self._posted_village()
        members = selectors.member_choices(village) if village is not None else []
        if members:
            self.fields["about_member"].choices = [("", _("I would rather not say")), *members]
        else:
            del self.fields["about_member"]

    def _posted_village(self) -> AdminUnit | None:
        if not self.is_bound or "village" not in self.fields:
            return None
        code = fold(str(self.data.get("village", "")))
        if not code:
            return None
        return AdminUnit.objects.filter(code=code, level=AdminUnit.Level.VILLAGE).first()

    @property
    def members(self) -> bool:
        return "about_member" in self.fields

    def clean_village(self) -> AdminUnit | None:
        code = self.cleaned_data.get("village")
        if not code:
            return None
        village = AdminUnit.objects.filter(code=code, level=AdminUnit.Level.VILLAGE).first()
        if village is None:
            raise ValidationError(_("Choose one of the listed villages."))
        return village

    def clean(self) -> dict:
        data = super().clean()
        lat, lon = data.get("lat"), data.get("lon")
        if (lat is None) != (lon is None):
            raise ValidationError(_("Tap the map again to mark the place."))
        if lat is not None and current_basemap().is_shifted:
            data["lon"], data["lat"] = gcj02_to_wgs84(lon, lat)
        if data.get("identity") == Case.Identity.ANONYMOUS:
            for key in ("name", "phone", "email"):
                data[key] = ""
        return data

    @property
    def spam(self) -> bool:
        return bool(self.data.get(HONEYPOT, "").strip())

    def add_service_errors(self, exc: ValidationError) -> None:
        """A service's ValidationError on the fields it names (or above the form)."""
        errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
        for key, messages in errors.items():
            field = key if key in self.fields else None
            if key in ("location", "lat", "lon") and "village" in self.fields:
                field = "village"
            for message in messages:
                self.add_error(field, message)


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("Receipt code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "XXXX-XXXX-XXXX",
            }
        ),
    )


class ReporterMessageForm(forms.Form):
    text = LongText(
        label=_("Your answer or more information"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=services.TEXT_MAX,
    )
    client_uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_uuid", uuid.uuid4())


class DiscloseForm(ContactForm):
    """The reporter gives more of who they are (never less): to confidential or named."""

    identity = forms.ChoiceField(label=_("Report it as"), widget=forms.RadioSelect)
    field_order = ["identity", "name", "phone", "email"]

    def __init__(self, *args, modes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(IDENTITIES)
        self.fields["identity"].choices = [(mode, labels[mode]) for mode in modes]


class ReopenForm(forms.Form):
    reason = LongText(
        label=_("Why you are not satisfied"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=services.TEXT_MAX,
    )
