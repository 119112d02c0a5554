"""Writes from the field. Each takes the phone's submission UUID and stores it exactly once:
a replay returns what the first call stored, so a flaky connection never doubles a record."""

import contextlib
import contextvars
import datetime as dt
import functools
import uuid
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fieldapp import photos
from fieldapp.models import (
    Answer,
    Checklist,
    ChecklistItem,
    FollowUp,
    Inspection,
    Photo,
    ProgressReport,
    SupervisorNote,
)
from gis.crs import distance_m
from projects import procedure
from projects import services as project_services
from projects.models import Project, Stage
from registry import services as registry_services
from registry.models import Asset
from registry.roles import Task
from registry.scoping import ensure_may
from trail.models import Event

YES = {"yes", "y", "true", "1", "是"}
NO = {"no", "n", "false", "0", "否"}
NOT_APPLICABLE = {"na", "n/a", "不适用"}


def once_per_submission(model: type[models.Model]):
    """Make a service that stores one `model` row per phone submission (`client_uuid`) answer a
    replay with the first row, `(row, False)`, even when the replay arrives at the same moment
    as the first: the unique constraint lets one insert win and the losers read its row,
    instead of failing with an IntegrityError (a 500 the phone would retry for nothing)."""

    def decorate(service):
        @functools.wraps(service)
        def run(*args, client_uuid: uuid.UUID, **kwargs):
            try:
                with transaction.atomic():
                    return service(*args, client_uuid=client_uuid, **kwargs)
            except IntegrityError:
                first = model.objects.filter(client_uuid=client_uuid).first()
                if first is None:
                    raise
                return first, False

        return run

    return decorate


CLOCK_AHEAD = dt.timedelta(minutes=5)  # a phone clock this far ahead of the server is doubted
CLOCK_BEHIND_PHOTO = dt.timedelta(days=1)  # ... and one this far behind the photo's own time


def phone_clock(
    made_at: dt.datetime | None, *, taken_at: dt.datetime | None = None
) -> tuple[dt.datetime | None, str]:
    """(made_at, clock_note): when the phone says the work was done, and why that is doubted.

    A phone offline for a day sends its work late, so its own time is what the record shows;
    but its clock can be wrong. It is doubted (the record shows the server's receipt time and
    says why) when it is ahead of the server by more than CLOCK_AHEAD, or behind the photo's
    EXIF time (`taken_at`) by more than CLOCK_BEHIND_PHOTO."""
    if made_at is None:
        return None, ""
    now = timezone.now()
    if made_at > now + CLOCK_AHEAD:
        minutes = int((made_at - now).total_seconds() // 60)
        return made_at, _("The phone's clock was %(minutes)d minutes ahead of the server's.") % {
            "minutes": minutes
        }
    if taken_at is not None and made_at < taken_at - CLOCK_BEHIND_PHOTO:
        return made_at, _("The phone's clock was more than a day behind the photo's own time.")
    return made_at, ""


def _subject_fields(subject: models.Model) -> dict:
    return {
        "subject_type": ContentType.objects.get_for_model(subject),
        "subject_id": subject.pk,
        "village_id": subject.village_id,
    }


def geometry_of(subject: models.Model):
    return subject.geometry if isinstance(subject, Asset) else subject.location


def kind_of(subject: models.Model) -> str:
    return "project" if isinstance(subject, Project) else subject.kind


def checklists_for(subject: models.Model) -> models.QuerySet[Checklist]:
    checklists = Checklist.objects.filter(active=True, subject_kind=kind_of(subject))
    if isinstance(subject, Project):
        checklists = checklists.filter(models.Q(stage="") | models.Q(stage=subject.stage))
    return checklists.prefetch_related("items")


def _answer(item: ChecklistItem, raw: object) -> Answer | None:
    """An unsaved Answer, None when left blank, or a ValidationError naming the item."""
    text = str(raw).strip() if raw is not None else ""
    if not text:
        return None
    answer = Answer(item=item)
    if item.answer_type == ChecklistItem.AnswerType.YES_NO:
        lowered = text.lower()
        if lowered in NOT_APPLICABLE:
            answer.not_applicable = True
        elif lowered in YES | NO:
            answer.yes = lowered in YES
            answer.failed = not answer.yes
        else:
            raise ValidationError(_("“%(item)s”: answer yes, no or n/a.") % {"item": item.text})
    elif item.answer_type == ChecklistItem.AnswerType.NUMBER:
        try:
            answer.number = Decimal(text)
        except InvalidOperation as exc:
            raise ValidationError(
                _("“%(item)s”: %(value)s is not a number.") % {"item": item.text, "value": text}
            ) from exc
        answer.failed = item.minimum is not None and answer.number < item.minimum
    else:
        answer.text = text
    return answer


@once_per_submission(Inspection)
@transaction.atomic
def record_inspection(
    subject: models.Model,
    *,
    actor: User,
    checklist: Checklist,
    answers: dict[int, object],
    client_uuid: uuid.UUID,
    location: Point | None = None,
    note: str = "",
    stage_seen: str = "",
    photo_item_ids: frozenset[int] = frozenset(),
    inspected_at: dt.datetime | None = None,
    made_at: dt.datetime | None = None,
) -> tuple[Inspection, bool]:
    """Store an inspection and open a follow-up for every failed check.

    `inspected_at` is when it was made on site (an offline phone sends it later); now if None.
    Returns (inspection, created). A replay of the same UUID returns the first inspection.
    """
    existing = Inspection.objects.filter(client_uuid=client_uuid).first()
    if existing:
        return existing, False
    ensure_may(actor, Task.RECORD_FIELD_WORK, subject)
    if checklist.subject_kind != kind_of(subject):
        raise ValidationError(_("This checklist is not for this kind of record."))
    items = list(checklist.items.all())
    prepared, missing, errors = [], [], []
    for item in items:
        try:
            answer = _answer(item, answers.get(item.pk))
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        satisfied_by_photo = item.answer_type == "photo" and item.pk in photo_item_ids
        if answer is None and item.mandatory and not satisfied_by_photo:
            missing.append(item.text)
        if answer is not None:
            prepared.append(answer)
    if missing:
        errors.append(_("Please answer: %(items)s.") % {"items": "; ".join(missing)})
    if inspected_at is not None and inspected_at > timezone.now():
        errors.append(_("An inspection cannot be dated in the future."))
    made_at, clock_note = phone_clock(made_at)
    if inspected_at is None and made_at is not None and not clock_note:
        inspected_at = made_at
    if errors:
        raise ValidationError(errors)
    conflict = ""
    if isinstance(subject, Project) and stage_seen and stage_seen != subject.stage:
        conflict = _(
            "The project moved from “%(seen)s” to “%(now)s” while you were inspecting; your "
            "answers are kept as given."
        ) % {"seen": Stage(stage_seen).label, "now": subject.get_stage_display()}
    inspection = Inspection.objects.create(
        **_subject_fields(subject),
        client_uuid=client_uuid,
        checklist=checklist,
        inspector=actor,
        inspected_at=inspected_at or timezone.now(),
        made_at=made_at,
        clock_note=clock_note,
        location=location,
        note=note,
        failed_count=sum(a.failed for a in prepared),
        conflict=conflict,
    )
    for answer in prepared:
        answer.inspection = inspection
    Answer.objects.bulk_create(prepared)
    due = timezone.localdate() + dt.timedelta(days=settings.FOLLOW_UP_DAYS)
    FollowUp.objects.bulk_create(
        FollowUp(**_subject_fields(subject), inspection=inspection, item=a.item, due_on=due)
        for a in prepared
        if a.failed
    )
    registry_services.log_event(
        subject,
        action=Event.Action.INSPECT,
        changes={
            "checklist": checklist.name,
            "checks": len(prepared),
            "failed": inspection.failed_count,
            "inspected_on": timezone.localdate(inspection.inspected_at).isoformat(),
            **({"stage": subject.stage} if isinstance(subject, Project) else {}),
        },
        actor=actor,
    )
    return inspection, True


@transaction.atomic
def close_follow_up(follow_up: FollowUp, *, actor: User, evidence: str) -> FollowUp:
    ensure_may(actor, Task.RECORD_FIELD_WORK, follow_up.subject)
    if not evidence.strip():
        raise ValidationError(_("Describe how the problem was put right."))
    if follow_up.status == FollowUp.Status.CLOSED:
        return follow_up
    follow_up.status = FollowUp.Status.CLOSED
    follow_up.closed_at = timezone.now()
    follow_up.closed_by = actor
    follow_up.evidence = evidence.strip()
    follow_up.save()
    registry_services.log_event(
        follow_up.subject,
        action=Event.Action.RECTIFIED,
        changes={"check": follow_up.item.text, "evidence": follow_up.evidence},
        actor=actor,
    )
    return follow_up


_NEW_FILES: contextvars.ContextVar[list | None] = contextvars.ContextVar("new_files", default=None)


@contextlib.contextmanager
def track_new_files():
    """Delete the photo files written inside this block if it fails: a refused submission
    leaves no file behind (a database rollback does not remove files)."""
    written: list = []
    token = _NEW_FILES.set(written)
    try:
        yield
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise
    finally:
        _NEW_FILES.reset(token)


@once_per_submission(Photo)
@transaction.atomic
def add_photo(
    subject: models.Model,
    *,
    actor: User,
    data: bytes,
    client_uuid: uuid.UUID,
    purpose: str = Photo.Purpose.PROGRESS,
    caption: str = "",
    public: bool = True,
    inspection: Inspection | None = None,
    follow_up: FollowUp | None = None,
    made_at: dt.datetime | None = None,
) -> tuple[Photo, bool]:
    """Store a photo once. Off-site photos are kept and flagged, never dropped."""
    existing = Photo.objects.filter(client_uuid=client_uuid).first()
    if existing:
        return existing, False
    ensure_may(actor, Task.RECORD_FIELD_WORK, subject)
    prepared = photos.prepare(data)
    where = None
    distance = None
    if prepared.lon is not None:
        where = Point(prepared.lon, prepared.lat, srid=4326)
        distance = distance_m(geometry_of(subject), where)
    name = f"{client_uuid}.jpg"
    made_at, clock_note = phone_clock(made_at, taken_at=prepared.taken_at)
    photo = Photo(
        made_at=made_at,
        clock_note=clock_note,
        **_subject_fields(subject),
        client_uuid=client_uuid,
        sha256=prepared.sha256,
        uploaded_by=actor,
        purpose=purpose,
        width=prepared.width,
        height=prepared.height,
        taken_at=prepared.taken_at,
        location=where,
        distance_m=distance,
        off_site=distance is not None and distance > settings.FIELD_GEOFENCE_M,
        public=public,
        caption=caption[:200],
        inspection=inspection,
        follow_up=follow_up,
    )
    photo.original.save(f"{client_uuid}.orig", ContentFile(prepared.original), save=False)
    photo.public_image.save(name, ContentFile(prepared.public_jpeg), save=False)
    photo.thumbnail.save(name, ContentFile(prepared.thumbnail_jpeg), save=False)
    written = _NEW_FILES.get()
    if written is not None:
        written.extend(
            (f.storage, f.name) for f in (photo.original, photo.public_image, photo.thumbnail)
        )
    photo.save()
    if public:
        registry_services.log_event(
            subject,
            action=Event.Action.PHOTO,
            changes={"purpose": purpose, "sha256": prepared.sha256, "caption": photo.caption},
            actor=actor,
        )
    return photo, True


@once_per_submission(ProgressReport)
@transaction.atomic
def report_progress(
    project: Project,
    *,
    actor: User,
    client_uuid: uuid.UUID,
    percent: int,
    stage_seen: str,
    advance_to: str = "",
    evidence: Sequence[Photo] = (),
    made_at: dt.datetime | None = None,
) -> tuple[ProgressReport, bool]:
    """Record progress from the site; a stage moved by someone else meanwhile is a conflict
    shown to the reporter, and the report is kept rather than applied blindly.

    Moving the stage from the site needs `evidence`: at least one photo of this project,
    stored with the report. Raises ValidationError (and saves nothing) otherwise.
    """
    existing = ProgressReport.objects.filter(client_uuid=client_uuid).first()
    if existing:
        return existing, False
    ensure_may(actor, Task.RECORD_FIELD_WORK, project)
    if advance_to and advance_to not in Stage.values:
        raise ValidationError(_("There is no stage “%(stage)s”.") % {"stage": advance_to[:40]})
    if not 0 <= percent <= 100:
        raise ValidationError(_("Progress is a percentage from 0 to 100."))
    made_at, clock_note = phone_clock(made_at)
    report = ProgressReport(
        **_subject_fields(project),
        client_uuid=client_uuid,
        made_at=made_at,
        clock_note=clock_note,
        reporter=actor,
        percent=percent,
        stage_seen=stage_seen,
        advance_to=advance_to,
    )
    if stage_seen != project.stage:
        report.conflict = _(
            "The project is now at “%(now)s”, not “%(seen)s” as on your phone: progress was "
            "not changed. Check the record and send it again."
        ) % {"now": project.get_stage_display(), "seen": Stage(stage_seen).label}
        report.save()
        return report, True
    report.save()
    if percent != project.progress_percent:
        project = project_services.report_project_progress(project, actor=actor, percent=percent)
    if advance_to and advance_to != project.stage:
        project_type = ContentType.objects.get_for_model(Project)
        if not any(
            (p.subject_type_id, p.subject_id) == (project_type.pk, project.pk) for p in evidence
        ):
            raise ValidationError(_("Attach at least one photo of the site to move the stage."))
        # The procedure decides: the next stage only, and only with its records complete.
        procedure.advance(project, actor=actor, to=advance_to, on=timezone.localdate())
    return report, True


@once_per_submission(SupervisorNote)
@transaction.atomic
def write_note(
    subject: models.Model,
    *,
    actor: User,
    text: str,
    public: bool,
    client_uuid: uuid.UUID,
    made_at: dt.datetime | None = None,
) -> tuple[SupervisorNote, bool]:
    existing = SupervisorNote.objects.filter(client_uuid=client_uuid).first()
    if existing:
        return existing, False
    ensure_may(actor, Task.RECORD_FIELD_WORK, subject)
    if not text.strip():
        raise ValidationError(_("The note is empty."))
    made_at, clock_note = phone_clock(made_at)
    note = SupervisorNote.objects.create(
        **_subject_fields(subject),
        client_uuid=client_uuid,
        made_at=made_at,
        clock_note=clock_note,
        author=actor,
        text=text.strip(),
        public=public,
    )
    if public:
        registry_services.log_event(
            subject, action=Event.Action.NOTE, changes={"note": note.text}, actor=actor
        )
    return note, True
