"""The upload form of the import page."""

from pathlib import Path

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from registry.models import AdminUnit, Asset
from registry.scoping import unit_ids_in_scope
from transfer import importers

CRS_CHOICES = [
    ("", _("Detect from the file")),
    ("4326", _("Longitude/latitude, WGS84 (EPSG:4326)")),
    ("4490", _("Longitude/latitude, CGCS2000 (EPSG:4490)")),
    ("4549", _("CGCS2000 Gauss-Krüger, CM 120°E (EPSG:4549)")),
    ("4528", _("CGCS2000 Gauss-Krüger zone 40, zone in the easting (EPSG:4528)")),
    ("4548", _("CGCS2000 Gauss-Krüger, CM 117°E (EPSG:4548)")),
    ("4550", _("CGCS2000 Gauss-Krüger, CM 123°E (EPSG:4550)")),
]


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AdminUnit) -> str:
        parent = f"{obj.parent.name} · " if obj.parent else ""
        return f"{parent}{obj.name} ({obj.code})"


class ImportForm(forms.Form):
    """A file and the village its assets belong to; the villages offered are the user's own."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("GeoPackage, zipped Shapefile, GeoJSON, CSV or Excel (.xlsx)."),
    )
    village = VillageChoiceField(
        label=_("Village"),
        queryset=AdminUnit.objects.none(),
        to_field_name="code",
        empty_label=_("Choose the village"),
    )
    kind = forms.ChoiceField(
        label=_("Kind, for rows that do not give one"),
        choices=[("", _("As in the file")), *Asset.Kind.choices],
        required=False,
    )
    srid = forms.TypedChoiceField(
        label=_("Coordinate system"),
        choices=CRS_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        villages = AdminUnit.objects.filter(level=AdminUnit.Level.VILLAGE).select_related("parent")
        ids = unit_ids_in_scope(user)
        if ids is not None:
            villages = villages.filter(pk__in=ids)
        self.fields["village"].queryset = villages.order_by("code")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importers.max_bytes():
            raise forms.ValidationError(
                _("The file is %(size)s MB; at most %(max)s MB can be imported at once.")
                % {
                    "size": importers.megabytes(upload.size),
                    "max": importers.megabytes(importers.max_bytes()),
                }
            )
        try:
            importers.file_format(Path(upload.name).name)
        except importers.ImportRefused as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload
