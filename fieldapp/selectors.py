"""Reads for the field app and for the public record's field section.

Every function makes a fixed number of queries whatever the data size: lists are sliced and
the "is it due?" questions are answered by subqueries, not by a query per row.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.db.models import (
    CharField,
    Count,
    Exists,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fieldapp.models import FollowUp, Inspection, Photo, ProgressReport, SupervisorNote
from projects.models import Project, Stage
from registry.models import Asset
from registry.scoping import in_scope

DUE_AFTER_DAYS = 30  # a record not inspected for this long is due again
LIST_LIMIT = 30
NEARBY_LIMIT = 12
PUBLIC_PHOTOS = 24
PUBLIC_INSPECTIONS = 10
KINDS = {"asset": Asset, "project": Project}


def kind_name(subject: Model) -> str:
    return "project" if isinstance(subject, Project) else "asset"


def _scoped(user: User, model: type[Model]) -> QuerySet:
    return in_scope(user, model.objects.select_related("village"), "village")


def subject_in_scope(user: User, kind: str, pk: int) -> Asset | Project:
    """The asset or project, or 404 when it does not exist or lies outside the user's units:
    staff of one village should not learn what another village's records are."""
    if kind not in KINDS:
        raise Http404(_("No such record."))
    try:
        return _scoped(user, KINDS[kind]).get(pk=pk)
    except KINDS[kind].DoesNotExist as exc:
        raise Http404(_("No such record.")) from exc


def _of(model: type[Model]) -> Q:
    return Q(subject_type=ContentType.objects.get_for_model(model), subject_id=OuterRef("pk"))


def _recently_inspected(model: type[Model], since: dt.datetime) -> Exists:
    return Exists(Inspection.objects.filter(_of(model), inspected_at__gte=since))


# The plaque codes belong to the electronic-ID app (qr), a layer above this one: it registers
# how to read a record's code here (`register_plaque_codes`, from its AppConfig.ready).
_plaque_code_of: Callable[[Q], Subquery] | None = None


def register_plaque_codes(code_of: Callable[[Q], Subquery]) -> None:
    """`code_of(subject)`: a subquery of the plaque code of the record the Q `subject` names."""
    global _plaque_code_of
    _plaque_code_of = code_of


def _plaque_code(subject: Q) -> Subquery | Value:
    """The plaque code of the record `subject` names, as a subquery, so that a list reads its
    records' codes in the same query; without the electronic-ID app there are no codes."""
    if _plaque_code_of is None:
        return Value(None, output_field=CharField())
    return _plaque_code_of(subject)


@dataclass
class MyWork:
    due_assets: list[Asset]
    due_projects: list[Project]
    follow_ups: list[FollowUp]
    limit: int = LIST_LIMIT


def my_work(user: User) -> MyWork:
    """What an inspector should visit next in their own units. (Stalled works are a warning
    of the alerts app, W08, which adds its own panel to this page.)"""
    due_since = timezone.now() - dt.timedelta(days=DUE_AFTER_DAYS)
    light = ("geometry", "description", "village__boundary")
    due_assets = (
        _scoped(user, Asset)
        .defer(*light)
        .exclude(status=Asset.Status.RETIRED)
        .filter(~_recently_inspected(Asset, due_since))
        .annotate(plaque_code=_plaque_code(_of(Asset)))
        .order_by("village__name", "kind", "name")
    )
    due_projects = (
        _scoped(user, Project)
        .defer("location", "description", "village__boundary")
        .filter(stage__in=[Stage.CONTRACTING, Stage.CONSTRUCTION, Stage.ACCEPTANCE])
        .filter(~_recently_inspected(Project, due_since))
        .annotate(plaque_code=_plaque_code(_of(Project)))
        .order_by("village__name", "name")
    )
    follow_ups = (
        in_scope(user, FollowUp.objects.filter(status=FollowUp.Status.OPEN), "village")
        .select_related("item", "village", "subject_type")
        .prefetch_related("subject")
        .annotate(
            plaque_code=_plaque_code(
                Q(subject_type=OuterRef("subject_type"), subject_id=OuterRef("subject_id"))
            )
        )
        .order_by("due_on", "pk")
    )
    return MyWork(
        due_assets=list(due_assets[: LIST_LIMIT + 1]),
        due_projects=list(due_projects[: LIST_LIMIT + 1]),
        follow_ups=list(follow_ups[: LIST_LIMIT + 1]),
    )


def plaque_codes(work: MyWork) -> dict[str, tuple[str, int]]:
    """The plaque code of each record of `work` (read with it, see `_plaque_code`), with the
    record's kind and id: the scanner opens these records' field pages even offline."""
    found: dict[str, tuple[str, int]] = {}
    for kind, subjects in (("asset", work.due_assets), ("project", work.due_projects)):
        found |= {s.plaque_code: (kind, s.pk) for s in subjects if s.plaque_code}
    for follow_up in work.follow_ups:
        if follow_up.plaque_code and follow_up.subject_type.model in KINDS:
            found[follow_up.plaque_code] = (follow_up.subject_type.model, follow_up.subject_id)
    return found


def nearby(user: User, lon: float, lat: float) -> list[tuple[str, Model]]:
    """The closest assets and projects in scope, nearest first, each with `.distance`.

    Distance on a geodetic field is measured on the spheroid by the database, so the
    ordering is right in metres without a projection of our own.
    """
    here = Point(lon, lat, srid=4326)
    assets = (
        _scoped(user, Asset)
        .defer("description", "village__boundary")
        .annotate(distance=Distance("geometry", here))
        .order_by("distance")[:NEARBY_LIMIT]
    )
    projects = (
        _scoped(user, Project)
        .defer("description", "village__boundary")
        .annotate(distance=Distance("location", here))
        .order_by("distance")[:NEARBY_LIMIT]
    )
    rows = [("asset", a) for a in assets] + [("project", p) for p in projects]
    rows.sort(key=lambda row: row[1].distance.m)
    return rows[:NEARBY_LIMIT]


def open_follow_ups(subject: Model) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.filter(
            subject_type=ContentType.objects.get_for_model(subject),
            subject_id=subject.pk,
            status=FollowUp.Status.OPEN,
        )
        .select_related("item")
        .order_by("due_on")
    )


def follow_up_in_scope(user: User, pk: int) -> FollowUp:
    try:
        return in_scope(user, FollowUp.objects.select_related("item"), "village").get(pk=pk)
    except FollowUp.DoesNotExist as exc:
        raise Http404(_("No such follow-up.")) from exc


def inspection_in_scope(user: User, client_uuid) -> Inspection:
    found = (
        in_scope(user, Inspection.objects.all(), "village")
        .select_related("checklist")
        .prefetch_related("follow_ups__item", "photos", "subject")
        .filter(client_uuid=client_uuid)
        .first()
    )
    if found is None:
        raise Http404(_("No such inspection."))
    return found


def progress_in_scope(user: User, client_uuid) -> ProgressReport:
    found = (
        in_scope(user, ProgressReport.objects.all(), "village")
        .prefetch_related("subject")
        .filter(client_uuid=client_uuid)
        .first()
    )
    if found is None:
        raise Http404(_("No such progress report."))
    return found


def public_field_record(subject: Model) -> dict | None:
    """Public photos, public notes and inspection results for a record's public page.

    Three queries. Off-site flags and internal notes stay for staff: the public sees the work,
    not the staff's bookkeeping about it. None when there is nothing to show.
    """
    of_subject = {
        "subject_type": ContentType.objects.get_for_model(subject),
        "subject_id": subject.pk,
    }
    photos = list(
        Photo.objects.filter(**of_subject, public=True)
        .only(
            "thumbnail",
            "public_image",
            "caption",
            "created",
            "made_at",
            "clock_note",
            "taken_at",
            "width",
            "height",
        )
        .order_by("-created")[:PUBLIC_PHOTOS]
    )
    notes = list(SupervisorNote.objects.filter(**of_subject, public=True).order_by("-created"))
    inspections = list(
        Inspection.objects.filter(**of_subject)
        .select_related("checklist")
        .only("inspected_at", "created", "made_at", "clock_note", "failed_count", "checklist__name")
        .annotate(
            passed_count=Count(
                "answers", filter=Q(answers__failed=False, answers__not_applicable=False)
            )
        )
        .order_by("-inspected_at")[:PUBLIC_INSPECTIONS]
    )
    if not (photos or notes or inspections):
        return None
    return {"photos": photos, "notes": notes, "inspections": inspections}
