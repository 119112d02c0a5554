"""Turn public log rows into lines a villager can read: field names, choice labels, money."""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils.timezone import is_aware, localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trail.models import Event

ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})")
GEOMETRY_PREFIXES = ("POINT", "MULTIPOLYGON", "POLYGON", "LINESTRING")
EXTRA_LABELS = {
    "tenant_public_name": gettext_lazy("tenant"),
    "bidder_public_name": gettext_lazy("bidder"),
    "subtenant_public_name": gettext_lazy("subtenant"),
    "stops": gettext_lazy("stops"),
    "by": gettext_lazy("asked by"),
    "public_summary": gettext_lazy("summary"),
    "checklist": gettext_lazy("checklist"),
    "checks": gettext_lazy("checks answered"),
    "failed": gettext_lazy("checks failed"),
    "inspected_on": gettext_lazy("inspected on"),
    "purpose": gettext_lazy("photo of"),
    "caption": gettext_lazy("caption"),
    "sha256": gettext_lazy("SHA-256"),
    "note": gettext_lazy("note"),
    "check": gettext_lazy("check"),
    "evidence": gettext_lazy("how it was put right"),
    "code": gettext_lazy("electronic ID"),
    "chain": gettext_lazy("approval chain"),
    "power_item": gettext_lazy("power list item followed"),
}
# Events logged on a subject about one of its child records (a project's deliberation): the
# child's model names the fields. Apps register theirs (`register_action_model`) when ready.
ACTION_MODELS: dict[str | tuple[str, str], type[Model]] = {}
# Events whose changes carry, beside the subject's own fields, fields of a related record (a
# payment request's approval step): names the subject lacks are read by that model's fields.
EXTRA_MODELS: dict[str, type[Model]] = {}


def register_action_model(
    action: str, model: type[Model], *, subject: type[Model] | None = None
) -> None:
    """Read the changes of events with `action` by the field names of `model` (for events about
    records of `subject` only, when given)."""
    ACTION_MODELS[(action, subject._meta.label_lower) if subject else action] = model


def register_extra_model(subject: type[Model], model: type[Model]) -> None:
    """Read change names that are no field of `subject` by the fields of `model`."""
    EXTRA_MODELS[subject._meta.label_lower] = model


def _has_field(model: type[Model], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


@dataclass
class ChangeLine:
    label: str
    old: str | None
    new: str


@dataclass
class EventView:
    event: Event
    lines: list[ChangeLine]
    restricted_changed: bool
    actor: str = ""


def _actor_by_name(event: Event) -> str:
    return str(_("system")) if event.actor_id is None else event.actor_name


# Who acted, as the public sees it; the registry, which knows the roles, registers its own
# (`register_actor_label`) so the log never shows login names.
_actor_label = _actor_by_name


def register_actor_label(label) -> None:
    """`label(user | None) -> str` names the actor of each event shown to the public."""
    global _actor_label
    _actor_label = lambda event: label(event.actor if event.actor_id else None)  # noqa: E731


def _same_number(old: object, new: object) -> bool:
    """165100.00 and 165100 are one amount: no change to show."""
    try:
        return Decimal(str(old)) == Decimal(str(new))
    except (InvalidOperation, ValueError):
        return False


def _label(model: type[Model], name: str) -> str:
    """The change's field named as people read it. A reverse relation (a route's `stops`) has
    no verbose_name of its own: it is named by EXTRA_LABELS or the related model's plural."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return str(EXTRA_LABELS.get(name, name))
    if field.auto_created and not field.concrete:
        return str(EXTRA_LABELS.get(name, field.related_model._meta.verbose_name_plural))
    return str(field.verbose_name)


# Who asked, where an event says so by role rather than by a user (a reporter has none).
ASKED_BY = {"reporter": gettext_lazy("the reporter")}

# Media types as people name them.
FILE_KINDS = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/heic": "HEIC",
    "image/webp": "WebP",
}


def _value(model: type[Model], name: str, value: object) -> str:
    if value in (None, "", []):
        return "—"
    if name == "content_type" and value in FILE_KINDS:
        return FILE_KINDS[value]
    if name == "by" and value in ASKED_BY:
        return str(ASKED_BY[value])
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return " → ".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith(GEOMETRY_PREFIXES):
        return _("position on the map")
    if isinstance(value, str) and ISO_DATETIME.fullmatch(value):
        moment = dt.datetime.fromisoformat(value)
        return localtime(moment).strftime("%Y-%m-%d %H:%M") if is_aware(moment) else value
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _line(model: type[Model], name: str, change: object, *, created: bool) -> ChangeLine | None:
    """One change as a line, or None when an amount only changed its writing (165100.00)."""
    if created or not isinstance(change, dict):
        return ChangeLine(_label(model, name), None, _value(model, name, change))
    if _same_number(change.get("from"), change.get("to")):
        return None
    return ChangeLine(
        _label(model, name),
        _value(model, name, change.get("from")),
        _value(model, name, change.get("to")),
    )


def event_view(event: Event, subject_model: type[Model]) -> EventView:
    label = subject_model._meta.label_lower if subject_model else ""
    model = (
        ACTION_MODELS.get((event.action, label)) or ACTION_MODELS.get(event.action) or subject_model
    )
    extra = EXTRA_MODELS.get(label)
    created = event.action == Event.Action.CREATE
    lines = []
    for name, change in event.changes.items():
        if name.startswith("_"):
            continue
        if extra is not None and not _has_field(model, name) and _has_field(extra, name):
            line = _line(extra, name, change, created=created)
        else:
            line = _line(model, name, change, created=created)
        if line is not None:
            lines.append(line)
    return EventView(
        event, lines, bool(event.changes.get("_restricted_fields_changed")), _actor_label(event)
    )


def event_views(events, model: type[Model]) -> list[EventView]:
    return [event_view(e, model) for e in events]
