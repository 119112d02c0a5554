"""The dashboards' filters, read from the query string so that a view can be shared as a link:
`township` and `village` (division codes), `from` and `to` (days, YYYY-MM-DD). A value that is
not understood is a form error that names it (the page answers 400 with the reason); a unit
outside the user's own is an error too (403)."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from alerts.dashboards import Unit
from registry.filtersets import DivisionCodeField
from registry.models import AdminUnit

DEFAULT_MONTHS = 12
MAX_DAYS = 3660  # ten years: a day-by-day chart stays a few thousand points
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
OUT_OF_SCOPE = "out_of_scope"


def months_back(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` − 1 months before `day`'s: `months` whole months
    ending with `day`'s month."""
    index = day.year * 12 + day.month - 1 - (months - 1)
    return dt.date(index // 12, index % 12 + 1, 1)


def _day_field(label, invalid) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": invalid},
    )


class DashboardFilterForm(forms.Form):
    """Where and when. The form's fields `start` and `end` are read from `from` and `to`."""

    PARAMETERS = {"start": "from", "end": "to"}

    township = DivisionCodeField(label=_("Township"), required=False, widget=forms.Select)
    village = DivisionCodeField(label=_("Village"), required=False, widget=forms.Select)
    start = _day_field(_("From"), _("“from” must be a day written like 2026-01-31."))
    end = _day_field(_("To"), _("“to” must be a day written like 2026-01-31."))

    def __init__(self, data, *, units: list[Unit], allowed: set[int] | None, today: dt.date):
        super().__init__(data)
        self.today = today
        self.allowed = allowed
        self.by_code = {unit.code: unit for unit in units}
        visible = [u for u in units if allowed is None or u.pk in allowed]
        townships = [u for u in visible if u.level == AdminUnit.Level.TOWNSHIP]
        self.fields["township"].widget.choices = [
            ("", _("All townships")),
            *((t.code, t.name) for t in townships),
        ]
        chosen = self.by_code.get(DivisionCodeField().to_python(data.get("township", "")))
        groups = []
        for township in townships:
            if chosen is not None and chosen.pk != township.pk:
                continue
            villages = [
                (v.code, v.name)
                for v in visible
                if v.parent_id == township.pk and v.level == AdminUnit.Level.VILLAGE
            ]
            if villages:
                groups.append((township.name, villages))
        self.fields["village"].widget.choices = [("", _("All villages")), *groups]

    def add_prefix(self, field_name: str) -> str:
        return self.PARAMETERS.get(field_name, field_name)

    def _unit(self, field: str, level: str, missing) -> Unit | None:
        code = self.cleaned_data.get(field)
        if not code:
            return None
        unit = self.by_code.get(code)
        if unit is None or unit.level != level:
            raise ValidationError(missing, params={"code": code})
        if self.allowed is not None and unit.pk not in self.allowed:
            raise ValidationError(
                _("%(name)s is not one of your units."),
                code=OUT_OF_SCOPE,
                params={"name": unit.name},
            )
        return unit

    def clean_township(self) -> Unit | None:
        return self._unit(
            "township",
            AdminUnit.Level.TOWNSHIP,
            _("No township or subdistrict has the division code %(code)s."),
        )

    def clean_village(self) -> Unit | None:
        return self._unit(
            "village",
            AdminUnit.Level.VILLAGE,
            _("No village or community has the division code %(code)s."),
        )

    def _day(self, field: str) -> dt.date | None:
        day = self.cleaned_data.get(field)
        if day is not None and not EARLIEST <= day <= LATEST:
            raise ValidationError(
                _("“%(name)s” must lie between %(earliest)s and %(latest)s."),
                params={"name": self.PARAMETERS[field], "earliest": EARLIEST, "latest": LATEST},
            )
        return day

    def clean_start(self) -> dt.date | None:
        return self._day("start")

    def clean_end(self) -> dt.date | None:
        return self._day("end")

    def clean(self) -> dict:
        data = super().clean()
        township, village = data.get("township"), data.get("village")
        if village is not None and township is not None and village.parent_id != township.pk:
            self.add_error(
                "village",
                ValidationError(
                    _("%(village)s is not in %(township)s."),
                    params={"village": village.name, "township": township.name},
                ),
            )
        if self.has_error("start") or self.has_error("end"):
            return data
        end = data.get("end") or self.today
        start = data.get("start") or months_back(end, DEFAULT_MONTHS)
        if start > end:
            raise ValidationError(
                _("The period ends (%(end)s) before it starts (%(start)s)."),
                params={"start": start, "end": end},
            )
        if (end - start).days > MAX_DAYS:
            raise ValidationError(_("A period can be at most ten years long."))
        data["start"], data["end"] = start, end
        return data

    @property
    def out_of_scope(self) -> bool:
        return any(self.has_error(field, code=OUT_OF_SCOPE) for field in ("township", "village"))
