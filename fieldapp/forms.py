"""Forms of the field app. They check the shape of what a phone sent; the rules (who may write,
what counts as a failed check, stage conflicts) are the services' business."""

import uuid

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy as _

from fieldapp import photos
from fieldapp.models import ChecklistItem
from projects.models import Stage
from registry.forms import TypedInputForm

PHOTO_ACCEPT = {"accept": "image/*", "capture": "environment"}


def photo_uuid(form_uuid: uuid.UUID, index: int) -> uuid.UUID:
    """The nth photo of a submission gets the same UUID on every replay of that submission."""
    return uuid.uuid5(form_uuid, f"photo-{index}")


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several files under one name; each is checked as a photo by the service that stores it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs=PHOTO_ACCEPT | {"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]


class FieldLoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username or mobile number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class SubmissionForm(TypedInputForm):
    """What every field form carries: the submission's UUID, made when the page was rendered,
    so a double tap or a replay from the outbox stores once."""

    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    # When the work was done, by the phone's clock (static/fieldapp/forms.js fills it at the
    # tap, before an offline phone queues the form): ISO 8601 with its offset.
    made_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("client_uuid", uuid.uuid4())
        super().__init__(*args, **kwargs)


class InspectionForm(SubmissionForm):
    """Answers stay as typed: the service parses them, so a phone replaying raw values and this
    page get the same messages."""

    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    stage_seen = forms.ChoiceField(required=False, choices=Stage.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, items: list[ChecklistItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            if item.answer_type == ChecklistItem.AnswerType.PHOTO:
                self.fields[f"item_{item.pk}"] = MultiplePhotoField(required=False)
            else:
                self.fields[f"item_{item.pk}"] = forms.CharField(required=False, max_length=2000)

    def answers(self) -> dict[int, str]:
        return {
            item.pk: self.cleaned_data.get(f"item_{item.pk}", "")
            for item in self.items
            if item.answer_type != ChecklistItem.AnswerType.PHOTO
        }

    def photos(self) -> list[tuple[ChecklistItem, object]]:
        return [
            (item, upload)
            for item in self.items
            if item.answer_type == ChecklistItem.AnswerType.PHOTO
            for upload in self.cleaned_data.get(f"item_{item.pk}") or []
        ]

    def location(self) -> Point | None:
        lon, lat = self.cleaned_data.get("lon"), self.cleaned_data.get("lat")
        return Point(lon, lat, srid=4326) if photos.plausible(lon, lat) else None

    def rows(self) -> list[dict]:
        """Items with the value typed last time, so a refused form comes back as it was."""
        return [
            {"item": item, "name": f"item_{item.pk}", "value": self.data.get(f"item_{item.pk}", "")}
            for item in self.items
        ]


class PhotosForm(SubmissionForm):
    photos = MultiplePhotoField(label=_("Photos"))
    caption = forms.CharField(label=_("Caption"), required=False, max_length=200)
    public = forms.BooleanField(label=_("Show on the public record"), required=False, initial=True)


class ProgressForm(SubmissionForm):
    percent = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    stage_seen = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    advance = forms.BooleanField(label=_("Advance to the next stage"), required=False)
    photos = MultiplePhotoField(label=_("Photos"), required=False)
    caption = forms.CharField(label=_("Caption"), required=False, max_length=200)


class NoteForm(SubmissionForm):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 6}))
    public = forms.BooleanField(label=_("Show on the public record"), required=False)
    photos = MultiplePhotoField(label=_("Photos"), required=False)


class CloseFollowUpForm(SubmissionForm):
    evidence = forms.CharField(
        label=_("How was it put right?"), widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = MultiplePhotoField(label=_("Photo of the rectification"), required=False)


class NearbyForm(TypedInputForm):
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)

    def clean(self):
        """A position outside FIELD_PLAUSIBLE_EXTENT (China's) is no position: (0, 0) is what a
        phone sends when it has none, and a swapped longitude and latitude lands far away."""
        cleaned = super().clean()
        lon, lat = cleaned.get("lon"), cleaned.get("lat")
        if lon is not None and lat is not None:
            min_lon, min_lat, max_lon, max_lat = settings.FIELD_PLAUSIBLE_EXTENT
            if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
                raise forms.ValidationError(
                    _(
                        "%(lon)s, %(lat)s is not a position in China: is the location on, "
                        "or are longitude and latitude swapped?"
                    )
                    % {"lon": lon, "lat": lat}
                )
        return cleaned
