"""Every write to the record: validate, save, and append to the public event log, atomically.

The functions here are the only code that saves domain models; views, the admin and commands
call them. `actor=None` means the system itself (a management command). Every save asks
`registry.scoping.may` whether the actor may do the task that writing the record takes
(`registry.roles.RECORD_TASKS`) on it, before and after the change.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TypeVar

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import GEOSGeometry, LineString, WKTWriter
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.chain import GENESIS_HASH
from registry.models import (
    AdminUnit,
    Asset,
    Cooperative,
    DailyHead,
    Event,
    Lease,
    LeasePayment,
    Project,
    Route,
    RouteStop,
    Site,
    Stage,
)
from registry.models.projects import STAGE_DATE_FIELDS
from registry.privacy import scrub
from registry.roles import Task, task_for
from registry.scoping import ensure_may

M = TypeVar("M", bound=models.Model)
SYSTEM_ACTOR = "system"
_WKT = WKTWriter(precision=7)
_EVENT_LOCK_KEY = 7_233_001  # pg_advisory_xact_lock key serialising appends to the chain


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
    if isinstance(obj, Route) and name == "stops":
        if obj.pk is None:
            return []
        return [stop.site.name for stop in obj.stops.select_related("site").order_by("position")]
    return getattr(obj, name)


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


def _diff(before: dict, after: dict) -> dict:
    return {k: {"from": before.get(k), "to": v} for k, v in after.items() if before.get(k) != v}


def _scope_unit(obj: models.Model) -> int | None:
    return obj.village_id_for_scope


@transaction.atomic
def log_event(subject: models.Model, *, action: str, changes: dict, actor: User | None) -> Event:
    """Append one row to the hash chain. Serialised so two writers never share a prev_hash."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_EVENT_LOCK_KEY])
    last = Event.objects.order_by("-seq").values("seq", "hash").first()
    event = Event(
        seq=(last["seq"] + 1) if last else 1,
        at=timezone.now().replace(tzinfo=dt.UTC),
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        unit_id=_scope_unit(subject),
        actor=actor,
        actor_name=actor.get_username() if actor else SYSTEM_ACTOR,
        action=action,
        changes=changes,
        prev_hash=last["hash"] if last else GENESIS_HASH,
    )
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    DailyHead.objects.update_or_create(
        day=timezone.localdate(event.at), defaults={"seq": event.seq, "hash": event.hash}
    )
    return event


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
        changes = _diff(before_public, after_public)
        restricted_changed = sorted(_diff(before_restricted, after_restricted))
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


def _create(model: type[M], *, actor: User | None, **fields: object) -> M:
    return save_record(model(**fields), actor=actor)


def _update(obj: M, *, actor: User | None, **fields: object) -> M:
    for name, value in fields.items():
        setattr(obj, name, value)
    return save_record(obj, actor=actor)


def create_admin_unit(*, actor: User | None, **fields: object) -> AdminUnit:
    return _create(AdminUnit, actor=actor, **fields)


def create_cooperative(*, actor: User | None, **fields: object) -> Cooperative:
    return _create(Cooperative, actor=actor, **fields)


def create_asset(*, actor: User | None, **fields: object) -> Asset:
    return _create(Asset, actor=actor, **fields)


def update_asset(asset: Asset, *, actor: User | None, **fields: object) -> Asset:
    ensure_may(actor, Task.EDIT_RECORD, asset)
    if asset.status == Asset.Status.RETIRED:
        raise ValidationError(_("A retired asset can no longer be changed."))
    return _update(asset, actor=actor, **fields)


def mark_leased(asset: Asset, *, actor: User | None) -> Asset:
    """A running lease makes its asset leased: part of managing the lease, not an asset edit."""
    if asset.status == Asset.Status.LEASED:
        return asset
    asset.status = Asset.Status.LEASED
    return save_record(asset, actor=actor, task=Task.MANAGE_LEASE)


def retire_asset(asset: Asset, *, actor: User | None) -> Asset:
    asset.status = Asset.Status.RETIRED
    return save_record(asset, actor=actor, action=Event.Action.RETIRE)


# Moved only by `registry.procedure`, which checks each stage has its records first.
PROCEDURE_FIELDS = frozenset(
    {
        "stage",
        *STAGE_DATE_FIELDS.values(),
        "budget_price",
        "guidance_agency",
        "contracting_method",
        "contract_amount",
        "contract_signed_on",
        "contractor",
        "over_guidance_reason",
        "acceptance_passed",
        "acceptance_opinion",
        "settlement_amount",
        "audit_agency",
    }
)


def _refuse_procedure_fields(fields: dict, allowed: frozenset = frozenset()) -> None:
    named = sorted(set(fields) & (PROCEDURE_FIELDS - allowed))
    if named:
        raise ValidationError(
            {
                name: _(
                    "This is part of the project procedure and changes only through its "
                    "stages (/staff/projects/ or /api/procedure/)."
                )
                for name in named
            }
        )


def create_project(*, actor: User | None, **fields: object) -> Project:
    """A new project starts at the proposal stage, registered today unless a date is given."""
    ensure_may(actor, Task.EDIT_RECORD)
    if fields.get("stage", Stage.PROPOSAL) != Stage.PROPOSAL:
        raise ValidationError({"stage": _("A new project starts at the proposal stage.")})
    _refuse_procedure_fields(fields, allowed=frozenset({"stage", "proposed_on"}))
    fields.setdefault("proposed_on", timezone.localdate())
    return _create(Project, actor=actor, **fields)


def update_project(project: Project, *, actor: User | None, **fields: object) -> Project:
    ensure_may(actor, Task.EDIT_RECORD, project)
    _refuse_procedure_fields(fields)
    return _update(project, actor=actor, **fields)


def report_project_progress(project: Project, *, actor: User | None, percent: int) -> Project:
    """Progress seen on the site: field work, which may change this one field of the project."""
    project.progress_percent = percent
    return save_record(project, actor=actor, task=Task.RECORD_FIELD_WORK)


@transaction.atomic
def create_lease(
    *, actor: User | None, from_auction: models.Model | None = None, **fields: object
) -> Lease:
    """A new lease, refused if another lease of the asset or an announced auction of it covers
    some day of its term (registry.leasing.check_lease). Only publishing an auction's result
    (`from_auction`, the Auction) awards a lease by auction; the system (actor=None) may also import
    historical leases won at auctions held before this register."""
    from registry import leasing  # leasing builds on these services

    lease = Lease(**fields)
    if lease.asset_id:
        Asset.objects.select_for_update().filter(pk=lease.asset_id).first()  # one at a time
        ensure_may(actor, Task.MANAGE_LEASE, lease)
    lease.full_clean()
    if actor is not None and lease.asset.status == Asset.Status.RETIRED:
        raise ValidationError({"asset": _("A retired asset cannot be leased.")})
    leasing.check_lease(lease, from_auction=from_auction, historical=actor is None)
    lease = save_record(lease, actor=actor)
    if lease.is_active(timezone.localdate()):
        mark_leased(lease.asset, actor=actor)
    return lease


def record_lease_payment(
    lease: Lease, *, actor: User | None, paid_on: dt.date, amount: Decimal, bank_reference: str = ""
) -> LeasePayment:
    ensure_may(actor, Task.MANAGE_LEASE, lease)
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("A date cannot be in the future.")})
    payment = LeasePayment(
        lease=lease, paid_on=paid_on, amount=amount, bank_reference=bank_reference
    )
    return save_record(payment, actor=actor, action=Event.Action.PAYMENT)


def create_site(*, actor: User | None, **fields: object) -> Site:
    return _create(Site, actor=actor, **fields)


def update_site(site: Site, *, actor: User | None, **fields: object) -> Site:
    return _update(site, actor=actor, **fields)


@transaction.atomic
def set_route_stops(route: Route, *, actor: User | None, sites: Iterable[Site]) -> Route:
    """Replace the route's stops and redraw its path through them in order."""
    sites = list(sites)
    if len(sites) < 2:
        raise ValidationError(_("A route needs at least two sites."))
    ensure_may(actor, Task.EDIT_RECORD, route)
    before, _restricted = snapshot(route)
    route.stops.all().delete()
    RouteStop.objects.bulk_create(
        RouteStop(route=route, site=site, position=i) for i, site in enumerate(sites, start=1)
    )
    route.path = LineString([site.location.coords for site in sites], srid=4326)
    route.save(update_fields=["path", "updated"])
    after, _restricted = snapshot(route)
    log_event(route, action=Event.Action.UPDATE, changes=_diff(before, after), actor=actor)
    return route


@transaction.atomic
def create_route(
    *, actor: User | None, name: str, unit: AdminUnit, sites: Iterable[Site], description: str = ""
) -> Route:
    route = _create(Route, actor=actor, name=name, unit=unit, description=description)
    return set_route_stops(route, actor=actor, sites=sites)
