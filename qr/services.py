"""Issuing electronic IDs and counting scans."""

import random
import tempfile
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.models import Project
from qr.codes import MAX_SERIAL, PREFIXES, format_code, place_of
from qr.models import ElectronicId, PlaqueJob, ScanCount
from qr.plaques import build_sheets
from qr.selectors import plaque_items
from registry import background
from registry.models import AdminUnit, Asset
from registry.roles import Task
from registry.scoping import ensure_may
from registry.services import log_event
from trail.models import Event
from visits.models import Site

KINDS = ("building", "parcel", "facility", "project", "site")
PROGRESS_EVERY = 25


def prefix_for(subject: Model) -> str:
    if isinstance(subject, Asset):
        return PREFIXES[subject.kind]
    if isinstance(subject, Project):
        return PREFIXES["project"]
    if isinstance(subject, Site):
        return PREFIXES["site"]
    raise TypeError(f"{type(subject).__name__} carries no electronic ID")


def unit_of(subject: Model) -> AdminUnit:
    return subject.unit if isinstance(subject, Site) else subject.village


@transaction.atomic
def issue_code(subject: Model, *, actor: User | None) -> ElectronicId:
    """The subject's code: the existing one, or a new one with the unit's next serial."""
    ensure_may(actor, Task.ISSUE_CODES, subject)
    subject_type = ContentType.objects.get_for_model(subject)
    existing = ElectronicId.objects.filter(subject_type=subject_type, subject_id=subject.pk).first()
    if existing:
        return existing
    unit = AdminUnit.objects.select_for_update().get(pk=unit_of(subject).pk)
    prefix = prefix_for(subject)
    last = ElectronicId.objects.filter(prefix=prefix, unit=unit).aggregate(m=Max("serial"))["m"]
    serial = (last or 0) + 1
    if serial > MAX_SERIAL:
        raise ValidationError(
            _("%(unit)s has used all %(max)s serials for this kind.")
            % {"unit": unit.name, "max": MAX_SERIAL}
        )
    eid = ElectronicId.objects.create(
        code=format_code(prefix, place_of(unit.code), serial),
        prefix=prefix,
        unit=unit,
        serial=serial,
        subject_type=subject_type,
        subject_id=subject.pk,
    )
    log_event(subject, action=Event.Action.ISSUE, changes={"code": eid.code}, actor=actor)
    return eid


def subjects_in(unit: AdminUnit, kinds: Iterable[str] = KINDS) -> list[Model]:
    """Every asset, project and site of `unit` and the units below it, of the given kinds."""
    kinds = set(kinds)
    below = Q(pk=unit.pk) | Q(parent=unit) | Q(parent__parent=unit)
    units = AdminUnit.objects.filter(below)
    subjects: list[Model] = []
    asset_kinds = kinds & {"building", "parcel", "facility"}
    if asset_kinds:
        subjects += Asset.objects.filter(village__in=units, kind__in=asset_kinds).order_by("pk")
    if "project" in kinds:
        subjects += Project.objects.filter(village__in=units).order_by("pk")
    if "site" in kinds:
        subjects += Site.objects.filter(unit__in=units).select_related("unit").order_by("pk")
    return subjects


@transaction.atomic
def issue_codes(
    unit: AdminUnit, *, actor: User | None, kinds: Iterable[str] = KINDS
) -> list[ElectronicId]:
    """Issue codes in bulk for a unit; records that have one keep it. Returns the new ones."""
    ensure_may(actor, Task.ISSUE_CODES, unit)
    issued = []
    had = set(
        ElectronicId.objects.filter(
            unit__in=AdminUnit.objects.filter(
                Q(pk=unit.pk) | Q(parent=unit) | Q(parent__parent=unit)
            )
        ).values_list("subject_type_id", "subject_id")
    )
    for subject in subjects_in(unit, kinds):
        key = (ContentType.objects.get_for_model(subject).pk, subject.pk)
        if key not in had:
            issued.append(issue_code(subject, actor=actor))
    return issued


def record_scan(eid_id: int) -> None:
    """Count one opening of the public page for today; no address or identity is stored.

    One of `ScanCount.SHARDS` rows picked at random takes the count, so simultaneous scans of
    one plaque rarely wait for each other's row lock. On PostgreSQL the count is committed
    without waiting for the disk (`synchronous_commit = off` for this transaction only): a
    crash may lose the last fraction of a second of counts, never a record.
    """
    key = {
        "electronic_id_id": eid_id,
        "day": timezone.localdate(),
        "shard": random.randrange(ScanCount.SHARDS),  # noqa: S311 (spreading load, not secrecy)
    }
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            # One round trip: the setting, and the count added to its row or the row begun.
            cursor.execute(SCAN_UPSERT, [key["electronic_id_id"], key["day"], key["shard"]])
        return
    if ScanCount.objects.filter(**key).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            ScanCount.objects.create(**key, count=1)
    except IntegrityError:
        ScanCount.objects.filter(**key).update(count=F("count") + 1)


SCAN_UPSERT = f"""
SET LOCAL synchronous_commit TO OFF;
INSERT INTO {ScanCount._meta.db_table} (electronic_id_id, day, shard, count)
VALUES (%s, %s, %s, 1)
ON CONFLICT (electronic_id_id, day, shard)
DO UPDATE SET count = {ScanCount._meta.db_table}.count + 1
"""  # noqa: S608 - the table name is ours, the values are parameters


def run_plaque_job(job: PlaqueJob) -> PlaqueJob:
    """Build a job's sheets, saving progress as it goes so a status page can show it."""
    PlaqueJob.objects.filter(pk=job.pk).update(status=PlaqueJob.Status.RUNNING, done=0)
    items = plaque_items(ElectronicId.objects.filter(code__in=job.codes))

    def progress(done: int) -> None:
        if done % PROGRESS_EVERY == 0:
            PlaqueJob.objects.filter(pk=job.pk).update(done=done)

    try:
        with tempfile.TemporaryFile() as out:
            count = build_sheets(items, out, layout=job.layout, progress=progress)
            out.seek(0)
            job.file.save(f"plaques-{job.pk}.pdf", File(out), save=False)
    except Exception as exc:
        PlaqueJob.objects.filter(pk=job.pk).update(status=PlaqueJob.Status.FAILED, error=str(exc))
        raise
    job.done, job.total, job.status = count, count, PlaqueJob.Status.DONE
    job.save(update_fields=["file", "done", "total", "status"])
    return job


def start_plaque_job(codes: list[str], *, layout: int, actor: User | None) -> PlaqueJob:
    """Queue a sheet; a worker of the task queue builds it once this transaction commits."""
    job = PlaqueJob.objects.create(
        requested_by=actor, codes=sorted(codes), layout=layout, total=len(codes)
    )
    background.enqueue_after_commit("qr.services.plaque_job_task", str(job.pk))
    return job


def plaque_job_task(job_id: str) -> None:
    """The queue's task: build the sheet of job `job_id`, unless it is done or has failed."""
    job = background.claim(PlaqueJob, job_id)
    if job is not None:
        run_plaque_job(job)
