"""Every write to the record: validate, save, and append to the public event log, atomically.

The functions here are the only code that saves domain models; views, the admin and commands
call them. `actor=None` means the system itself (a management command). Every save asks
`registry.scoping.may` whether the actor may do the task that writing the record takes
(`registry.roles.RECORD_TASKS`) on it, before and after the change.
"""

import datetime as dt
from decimal import Decimal
from typing import TypeVar

from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry, WKTWriter
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from registry.models import AdminUnit, Asset, Cooperative
from registry.privacy import scrub
from registry.roles import Task, task_for
from registry.scoping import ensure_may
from trail.models import Event
from trail.services import append_event

M = TypeVar("M", bound=models.Model)
_WKT = WKTWriter(precision=7)


def public_value(value: object) -> object:
    """A field value as JSON that survives a database round trip unchanged (for the hash)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return str(round(value, 7))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, GEOSGeometry):
        return _WKT.write(value).decode()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple):
        return [public_value(v) for v in value]
    return str(value)


def _field_value(obj: models.Model, name: str) -> object:
    """A public field's value; a model gives a public field that is no column (a route's stops)
    as a method `public_<name>()`."""
    public = getattr(obj, f"public_{name}", None)
    return public() if callable(public) else getattr(obj, name)


def _public(value: object) -> object:
    """Public text never carries ID-card or mobile numbers, whatever field it is in."""
    return scrub(value) if isinstance(value, str) else value


def snapshot(obj: models.Model) -> tuple[dict, dict]:
    """(public values, restricted values) of a record, as JSON-ready values."""
    public_names = set(obj.PUBLIC_FIELDS)
    public = {name: _public(public_value(_field_value(obj, name))) for name in obj.PUBLIC_FIELDS}
    restricted = {
        f.name: public_value(getattr(obj, f.attname))
        for f in obj._meta.concrete_fields
        if f.name not in public_names
        and not f.primary_key
        and f.name not in {"created", "updated", "area_m2"}
        and f.attname.removesuffix("_id") not in public_names
    }
    return public, restricted


def diff(before: dict, after: dict) -> dict:
    return {k: {"from": before.get(k), "to": v} for k, v in after.items() if before.get(k) != v}


def log_event(subject: models.Model, *, action: str, changes: dict, actor: User | None) -> Event:
    """Append one row about `subject` to the public log, filed under the unit it belongs to."""
    return append_event(
        subject, action=action, changes=changes, actor=actor, unit_id=subject.village_id_for_scope
    )


@transaction.atomic
def save_record(
    obj: M, *, actor: User | None, action: str | None = None, task: Task | None = None
) -> M:
    """Validate and save `obj`, then log what changed in its public fields.

    `task` is what the actor does (`registry.roles.Task`); by default the task writing a record
    of this model takes. The actor must be allowed it on the record as it was and as it will be.
    A change to restricted fields is logged by name only, never by value.
    """
    task = task or task_for(obj)
    ensure_may(actor, task)
    creating = obj._state.adding or obj.pk is None
    before_public: dict = {}
    before_restricted: dict = {}
    if not creating:
        original = type(obj).objects.select_for_update().get(pk=obj.pk)
        ensure_may(actor, task, original)
        before_public, before_restricted = snapshot(original)
    obj.full_clean()
    ensure_may(actor, task, obj)
    after_public, after_restricted = snapshot(obj)
    if creating:
        changes = {k: v for k, v in after_public.items() if v not in (None, "", [])}
        restricted_changed = sorted(k for k, v in after_restricted.items() if v not in (None, ""))
    else:
        changes = diff(before_public, after_public)
        restricted_changed = sorted(diff(before_restricted, after_restricted))
        if not changes and not restricted_changed:
            return obj
    obj.save()
    if restricted_changed:
        changes["_restricted_fields_changed"] = restricted_changed
    log_event(
        obj,
        action=action or (Event.Action.CREATE if creating else Event.Action.UPDATE),
        changes=changes,
        actor=actor,
    )
    return obj


def create(model: type[M], *, actor: User | None, **fields: object) -> M:
    return save_record(model(**fields), actor=actor)


def update(obj: M, *, actor: User | None, **fields: object) -> M:
    for name, value in fields.items():
        setattr(obj, name, value)
    return save_record(obj, actor=actor)


def create_admin_unit(*, actor: User | None, **fields: object) -> AdminUnit:
    return create(AdminUnit, actor=actor, **fields)


def create_cooperative(*, actor: User | None, **fields: object) -> Cooperative:
    return create(Cooperative, actor=actor, **fields)


def create_asset(*, actor: User | None, **fields: object) -> Asset:
    return create(Asset, actor=actor, **fields)


def update_asset(asset: Asset, *, actor: User | None, **fields: object) -> Asset:
    ensure_may(actor, Task.EDIT_RECORD, asset)
    if asset.status == Asset.Status.RETIRED:
        raise ValidationError(_("A retired asset can no longer be changed."))
    return update(asset, actor=actor, **fields)


def mark_leased(asset: Asset, *, actor: User | None) -> Asset:
    """A running lease makes its asset leased: part of managing the lease, not an asset edit."""
    if asset.status == Asset.Status.LEASED:
        return asset
    asset.status = Asset.Status.LEASED
    return save_record(asset, actor=actor, task=Task.MANAGE_LEASE)


def retire_asset(asset: Asset, *, actor: User | None) -> Asset:
    asset.status = Asset.Status.RETIRED
    return save_record(asset, actor=actor, action=Event.Action.RETIRE)
