"""Writes of supervision: reports received, cases moved through their states, stations, tours.

Every function validates, saves and logs in one transaction. The public log gets a case's
category, village, subject and state: never the reporter, never the text as sent.
"""

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fieldapp import photos as photo_pipeline
from gis.crs import distance_m
from registry import services as registry_services
from registry.models import AdminUnit
from registry.privacy import scrub
from registry.roles import Role, Task
from registry.scoping import ensure_may, group_names, may, sees_everything
from registry.text import clean, fold
from supervision import deadlines, receipts
from supervision.models import (
    Case,
    CaseMessage,
    CasePhoto,
    CaseState,
    Category,
    Finding,
    ProblemForm,
    RectificationTask,
    ReporterContact,
    State,
    Station,
    Tour,
)
from supervision.notifications import notify_later
from trail.models import Event

TEXT_MIN = 5
TEXT_MAX = 2000
MAX_PHOTOS = 3
REASON_MAX = 1000


@dataclass(frozen=True)
class Edge:
    """One allowed move: by staff handling the case or by the reporter (with the receipt),
    and whether it needs a reason (it ends or reopens something)."""

    by_reporter: bool = False
    reason: bool = False


# The state machine, edge by edge. Merging is its own service (it names the other case).
EDGES: dict[tuple[State, State], Edge] = {
    (State.RECEIVED, State.ACCEPTED): Edge(),
    (State.RECEIVED, State.DECLINED): Edge(reason=True),
    (State.ACCEPTED, State.VERIFYING): Edge(),
    (State.VERIFYING, State.FOUND): Edge(reason=True),
    (State.VERIFYING, State.NOT_FOUND): Edge(reason=True),
    (State.NOT_FOUND, State.CLOSED): Edge(reason=True),
    (State.FOUND, State.ORDERED): Edge(),
    (State.ORDERED, State.RECTIFIED): Edge(reason=True),
    (State.RECTIFIED, State.ORDERED): Edge(reason=True),
    (State.RECTIFIED, State.CLOSED): Edge(reason=True),
    (State.CLOSED, State.REOPEN_ASKED): Edge(by_reporter=True, reason=True),
    (State.DECLINED, State.REOPEN_ASKED): Edge(by_reporter=True, reason=True),
    (State.REOPEN_ASKED, State.VERIFYING): Edge(reason=True),
    (State.REOPEN_ASKED, State.CLOSED): Edge(reason=True),
}
MERGEABLE = frozenset({State.RECEIVED, State.ACCEPTED, State.VERIFYING})


def next_states(case: Case, *, by_reporter: bool = False) -> list[State]:
    """Where the case may go from here, for staff or for the reporter."""
    return [
        to
        for (start, to), edge in EDGES.items()
        if start == case.state and edge.by_reporter == by_reporter
    ]


# Who handles --------------------------------------------------------------------------------


def township_office(user: User) -> bool:
    """The township discipline office (or city staff, or a superuser)."""
    return sees_everything(user) or Role.DISCIPLINE in group_names(user)


def may_handle(user: User | None, case: Case) -> bool:
    """May `user` work this case? Staff with the task in the case's units; a case for the
    township only its discipline office; never the station member the report names."""
    if user is None:
        return True
    if not may(user, Task.HANDLE_CASES, case):
        return False
    if case.about_member_id is not None and case.about_member_id == user.pk:
        return False
    return case.route == Case.Route.STATION or township_office(user)


def ensure_may_handle(user: User | None, case: Case) -> None:
    ensure_may(user, Task.HANDLE_CASES, case)
    if not may_handle(user, case):
        raise PermissionDenied(
            _("This report is handled by the township discipline office, not the station.")
        )


def may_see_contact(user: User | None, case: Case) -> bool:
    """A named reporter's contact: whoever handles the case. A confidential one: only the
    station head and the township discipline office. An anonymous one has none."""
    if user is None or not may_handle(user, case):
        return False
    if case.identity == Case.Identity.NAMED:
        return True
    if case.identity == Case.Identity.CONFIDENTIAL:
        if may(user, Task.SEE_CONTACTS, case):
            return True
        try:
            station = case.village.station  # preloaded by lists (select_related)
        except Station.DoesNotExist:
            return False
        return station.head_id == user.pk
    return False


def role_users(village: AdminUnit, role: str) -> list[User]:
    """Active users of `role` whose units cover the village (the village or its township)."""
    units = [u for u in (village.pk, village.parent_id) if u]
    return list(
        User.objects.filter(is_active=True, groups__name=role, profile__units__in=units)
        .distinct()
        .order_by("first_name", "pk")
    )


def station_members(village: AdminUnit) -> list[User]:
    """The village supervisors whose units cover the village (its station's members)."""
    return role_users(village, Role.SUPERVISOR)


def township_officers(village: AdminUnit) -> list[User]:
    """The discipline office staff of the village's township."""
    return role_users(village, Role.DISCIPLINE)


def route_for(*, village: AdminUnit, category: Category, about_cadre: bool, about_member) -> str:
    """Where a report goes, by the first rule that matches (in order):
    about a station member or village cadre → the township discipline office;
    a category for the township → the township; a village without a station → the township;
    otherwise the village's station."""
    if about_cadre or about_member is not None:
        return Case.Route.TOWNSHIP
    if category.to_township:
        return Case.Route.TOWNSHIP
    if not Station.objects.filter(village=village).exists():
        return Case.Route.TOWNSHIP
    return Case.Route.STATION


# Reports ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    case: Case
    receipt: str
    created: bool


def _clean_text(text: str, *, field: str = "text") -> str:
    text = clean(text or "")
    if len(text) < TEXT_MIN:
        raise ValidationError(
            {field: _("Say what is wrong in at least %(n)s characters.") % {"n": TEXT_MIN}}
        )
    if len(text) > TEXT_MAX:
        raise ValidationError({field: _("Keep it under %(n)s characters.") % {"n": TEXT_MAX}})
    return text


# A landline with its area code (0577-6589 0006, (0577)65890006): a villager's home number
# identifies them as surely as a mobile does. Published case text hides these too.
LANDLINE = re.compile(r"(?<![0-9])\(?0[1-9][0-9]{1,3}\)?[ -]?[0-9]{3,4}[ -]?[0-9]{4}(?![0-9])")
LANDLINE_MASK = "[电话已隐去]"


def published(text: str) -> str:
    """Text staff publish about a case: ID-card, mobile and landline numbers hidden."""
    return LANDLINE.sub(LANDLINE_MASK, scrub(text)) if text else text


# A phone in China as people type it: a mobile (11 digits from 1) or a landline with its area
# code (0577-6589 0006), with or without +86, spaces, dashes and brackets.
PHONE = re.compile(r"(?:\+?86)?(?:1[3-9][0-9]{9}|0[1-9][0-9]{1,3}[0-9]{7,8})")
PHONE_SEPARATORS = re.compile(r"[\s\-()]")


def _phone(typed: str) -> str:
    digits = PHONE_SEPARATORS.sub("", fold(typed or ""))
    if digits and not PHONE.fullmatch(digits):
        raise ValidationError(
            {
                "phone": _(
                    "This is not a phone number: a mobile has 11 digits, a landline starts "
                    "with its area code (0577-…)."
                )
            }
        )
    return digits


def _contact(identity: str, contact: dict | None) -> dict | None:
    if identity == Case.Identity.ANONYMOUS:
        return None
    contact = {k: v or "" for k, v in (contact or {}).items()}
    contact = {
        "name": clean(contact.get("name", ""))[:60],
        "phone": _phone(contact.get("phone", "")),
        "email": fold(contact.get("email", "")),
    }
    if not (contact.get("phone") or contact.get("email")):
        raise ValidationError(
            {"phone": _("Give a phone number or an e-mail address, or report anonymously.")}
        )
    if identity == Case.Identity.NAMED and not contact.get("name"):
        raise ValidationError({"name": _("A named report needs your name.")})
    return contact


def _prepared_photos(uploads: Sequence[bytes]) -> list[photo_pipeline.Prepared]:
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(n)s photos.") % {"n": MAX_PHOTOS}})
    prepared = []
    for number, data in enumerate(uploads, start=1):
        try:
            prepared.append(photo_pipeline.prepare(data))
        except ValidationError as exc:
            raise ValidationError(
                {"photos": _("Photo %(n)s: %(why)s") % {"n": number, "why": exc.messages[0]}}
            ) from exc
    return prepared


def _village_at(point: Point) -> AdminUnit:
    village = AdminUnit.objects.filter(
        level=AdminUnit.Level.VILLAGE, boundary__intersects=point
    ).first()
    if village is None:
        raise ValidationError({"location": _("This place is not in any village of the city.")})
    return village


def _store_photo(
    case: Case, prepared, *, purpose: str, location=None, distance=None, client_uuid=None
):
    name = uuid.uuid4().hex
    photo = CasePhoto(
        case=case,
        purpose=purpose,
        location=location,
        distance_m=distance,
        client_uuid=client_uuid,
    )
    photo.image.save(f"{name}.jpg", ContentFile(prepared.public_jpeg), save=False)
    photo.thumbnail.save(f"{name}-t.jpg", ContentFile(prepared.thumbnail_jpeg), save=False)
    photo.save()
    return photo


def _log(case: Case, *, action: str, actor: User | None, **changes: object) -> Event:
    public = {
        "category": case.category.name,
        "village": case.village.name,
        "state": case.state,
    }
    if case.subject_code:
        public["subject_code"] = case.subject_code
    public.update({k: registry_services.public_value(v) for k, v in changes.items()})
    return registry_services.log_event(case, action=action, changes=public, actor=actor)


def submit_report(
    *,
    client_uuid: uuid.UUID,
    category: Category,
    text: str,
    identity: str,
    village: AdminUnit | None = None,
    subject=None,
    subject_code: str = "",
    location: Point | None = None,
    about_cadre: bool = False,
    about_member: User | None = None,
    contact: dict | None = None,
    photos: Sequence[bytes] = (),
    source: str = Case.Source.VILLAGER,
    received_on: dt.date | None = None,
) -> Submitted:
    """File a villager's report as a case and return it with its receipt code.

    The place is the subject's (a plaque's record), else `village`, else the village that holds
    `location`. A resent form (same `client_uuid`) finds the case it made and shows the same
    receipt, whoever sends it; nothing about the sender is stored but what they typed.
    Raises ValidationError naming the field.
    """
    if identity not in Case.Identity.values:
        raise ValidationError({"identity": _("Choose named, confidential or anonymous.")})
    submission = receipts.submission_hash(client_uuid)
    receipt = receipts.receipt_for(client_uuid)
    existing = Case.objects.filter(submission=submission).first()
    if existing is not None:
        return Submitted(existing, receipt, False)
    if not category.active:
        raise ValidationError({"category": _("Choose one of the listed categories.")})
    text = _clean_text(text)
    contact = _contact(identity, contact) if source == Case.Source.VILLAGER else None
    prepared = _prepared_photos(photos)
    if subject is not None:
        village = subject.village if hasattr(subject, "village") else subject.unit
        place = getattr(subject, "geometry", None) or getattr(subject, "location", None)
        if location is None and place is not None:
            location = place if place.geom_type == "Point" else place.point_on_surface
    if location is not None and village is None:
        village = _village_at(location)
    if village is None:
        raise ValidationError({"village": _("Say which village this is about.")})
    if about_member is not None and about_member not in station_members(village):
        raise ValidationError({"about_member": _("Choose a member of this village's station.")})
    received_on = received_on or timezone.localdate()
    try:
        with transaction.atomic():
            case = Case.objects.create(
                submission=submission,
                receipt_hash=receipts.receipt_hash(receipt),
                source=source,
                identity=identity,
                category=category,
                village=village,
                subject_code=subject_code,
                subject_name=str(subject) if subject is not None else "",
                location=location,
                text=text,
                about_cadre=about_cadre,
                about_member=about_member,
                route=route_for(
                    village=village,
                    category=category,
                    about_cadre=about_cadre,
                    about_member=about_member,
                ),
                due_on=deadlines.add_days(
                    received_on, category.days_allowed, working=category.working_days
                ),
            )
            CaseState.objects.create(case=case, state=State.RECEIVED)
            if contact:
                ReporterContact.objects.create(case=case, **contact)
            for item in prepared:
                _store_photo(case, item, purpose=CasePhoto.Purpose.REPORT)
            _log(case, action=Event.Action.REPORT, actor=None, source=case.source)
    except IntegrityError:
        # The same form sent twice at the same moment: the other copy made the case.
        existing = Case.objects.filter(submission=submission).first()
        if existing is None:
            raise
        return Submitted(existing, receipt, False)
    notify_later(case, "new")
    return Submitted(case, receipt, True)


def case_for_receipt(code: str) -> Case | None:
    """The case a receipt code opens, or None: one indexed lookup of a keyed hash, the same
    work whatever was typed."""
    return (
        Case.objects.select_related("category", "village__parent", "merged_into")
        .filter(receipt_hash=receipts.receipt_hash(code))
        .first()
    )


# Moving a case ------------------------------------------------------------------------------


def _enter(
    case: Case,
    to: State,
    *,
    actor: User | None,
    reason: str,
    by_reporter: bool = False,
    client_uuid: uuid.UUID | None = None,
):
    case.state = to
    case.closed_at = timezone.now() if to == State.CLOSED else None
    case.save()
    CaseState.objects.create(
        case=case,
        state=to,
        actor=actor,
        by_reporter=by_reporter,
        reason=reason,
        client_uuid=client_uuid,
    )


@transaction.atomic
def move(
    case: Case,
    *,
    to: str,
    actor: User | None,
    reason: str = "",
    rectify_who: str = "",
    rectify_by: dt.date | None = None,
    outcome: str = "",
    client_uuid: uuid.UUID | None = None,
) -> Case:
    """Move a case along one edge of `EDGES` as staff handling it. Ending or reopening
    something needs a reason; ordering rectification needs who and by when; closing may set
    the outcome the public reads. A phone's replay of the same move (`client_uuid`) answers
    with the case as it is. Raises PermissionDenied or ValidationError."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    ensure_may_handle(actor, case)
    if client_uuid is not None and CaseState.objects.filter(client_uuid=client_uuid).exists():
        return case
    edge = EDGES.get((case.state, to))
    if edge is None or edge.by_reporter:
        raise ValidationError(
            {
                "to": _("A case that is “%(now)s” cannot be moved to “%(to)s”.")
                % {"now": State(case.state).label, "to": _label(to)}
            }
        )
    reason = clean(reason or "")[:REASON_MAX]
    if edge.reason and not reason:
        raise ValidationError({"reason": _("Say why (the reporter and the log read it).")})
    if to == State.ORDERED:
        rectify_who = clean(rectify_who or "")
        if not rectify_who or rectify_by is None:
            raise ValidationError({"rectify_by": _("Say who rectifies, and by which day.")})
        if rectify_by < timezone.localdate():
            raise ValidationError({"rectify_by": _("The day to rectify by has passed already.")})
        case.rectify_who, case.rectify_by = rectify_who[:200], rectify_by
    if to == State.RECTIFIED:
        _ensure_evidence(case)
    changes: dict = {"rectify_by": case.rectify_by}
    if to == State.CLOSED and outcome:
        case.outcome = published(clean(outcome))[:REASON_MAX]
        changes["outcome"] = case.outcome
    _enter(case, to, actor=actor, reason=reason, client_uuid=client_uuid)
    if to == State.ORDERED:
        RectificationTask.objects.create(
            case=case,
            text=(reason or str(case.category))[:300],
            who=case.rectify_who[:120],
            due_on=case.rectify_by,
        )
    if to == State.RECTIFIED:
        case.tasks.filter(done_on__isnull=True).update(
            done_on=timezone.localdate(), evidence=reason
        )
    _log(case, action=Event.Action.CASE, actor=actor, **changes)
    notify_later(case, "moved")
    return case


def _ensure_evidence(case: Case) -> None:
    """A case is rectified on evidence: a photo of the rectification (or, for a tour's finding,
    a document's photo), taken before the move."""
    if not case.photos.filter(purpose=CasePhoto.Purpose.RECTIFIED).exists():
        raise ValidationError(
            {
                "to": _(
                    "Add a photo of the rectification first: it is the evidence the case rests on."
                )
            }
        )


def _label(state: str) -> str:
    try:
        return State(state).label
    except ValueError:
        return state


@transaction.atomic
def merge(case: Case, *, into: Case, actor: User | None, reason: str = "") -> Case:
    """Close `case` as a duplicate of `into`; both must be open and in the same township."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    into = Case.objects.select_related("village").get(pk=into.pk)
    ensure_may_handle(actor, case)
    ensure_may_handle(actor, into)
    if case.pk == into.pk or into.state in (State.MERGED, State.CLOSED, State.DECLINED):
        raise ValidationError({"into": _("Merge into another case that is still open.")})
    if case.state not in MERGEABLE:
        raise ValidationError({"into": _("Only a case not yet found or rectified can be merged.")})
    if case.village.parent_id != into.village.parent_id:
        raise ValidationError({"into": _("Only cases of one township can be merged.")})
    reason = clean(reason or "")[:REASON_MAX]
    if not reason:
        raise ValidationError({"reason": _("Say why (the reporter and the log read it).")})
    case.merged_into = into
    _enter(case, State.MERGED, actor=actor, reason=reason)
    _log(case, action=Event.Action.CASE, actor=actor, merged_into=into.reference)
    return case


@transaction.atomic
def reporter_reopen(case: Case, *, reason: str) -> Case:
    """The reporter, with the receipt, says they are not satisfied: a reopen is asked for."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if (case.state, State.REOPEN_ASKED) not in EDGES:
        raise ValidationError({"reason": _("Only a closed or declined case can be reopened.")})
    reason = _clean_text(reason, field="reason")
    _enter(case, State.REOPEN_ASKED, actor=None, reason=reason, by_reporter=True)
    _log(case, action=Event.Action.CASE, actor=None, by="reporter")
    notify_later(case, "moved")
    return case


@transaction.atomic
def reporter_message(case: Case, *, text: str, client_uuid: uuid.UUID | None = None) -> CaseMessage:
    """The reporter answers the handlers' question, or adds information. A resent form
    (`client_uuid`) answers with the message stored first."""
    if client_uuid is not None:
        stored = CaseMessage.objects.filter(client_uuid=client_uuid, case=case).first()
        if stored is not None:
            return stored
    text = _clean_text(text)
    asked = case.messages.filter(kind=CaseMessage.Kind.QUESTION).exists()
    kind = CaseMessage.Kind.ANSWER if asked else CaseMessage.Kind.ADDED
    return CaseMessage.objects.create(case=case, kind=kind, text=text, client_uuid=client_uuid)


# How far each identity mode discloses the reporter: a report may move up, never down.
DISCLOSURE = {Case.Identity.ANONYMOUS: 0, Case.Identity.CONFIDENTIAL: 1, Case.Identity.NAMED: 2}


def disclosures_open(case: Case) -> list[str]:
    """The identity modes the reporter may give a contact under: the report's own (to correct
    the contact) unless it is anonymous, and those that disclose more."""
    return [
        mode
        for mode, rank in DISCLOSURE.items()
        if rank > DISCLOSURE[case.identity]
        or (rank == DISCLOSURE[case.identity] and mode != Case.Identity.ANONYMOUS)
    ]


@transaction.atomic
def reporter_disclose(case: Case, *, identity: str, contact: dict) -> Case:
    """The reporter, with the receipt, gives more of who they are: anonymous to confidential
    or named, confidential to named (as GlobaLeaks allows), or corrects the contact of the same
    mode. Never back: what was disclosed stays with the case. Raises ValidationError naming
    the field."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if identity not in disclosures_open(case):
        raise ValidationError(
            {"identity": _("A report can only give more of who you are, never less.")}
        )
    contact = _contact(identity, contact)
    ReporterContact.objects.update_or_create(case=case, defaults=contact)
    case.identity = identity
    case.save(update_fields=["identity", "updated"])
    return case


FIXED_QUESTION = gettext_noop(
    "It was put right two weeks ago: is it still fixed? If not, tell us here."
)


def fixed_question() -> str:
    """The question, in the site's language (it is stored as the reporter will read it)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(FIXED_QUESTION)


@transaction.atomic
def ask_if_fixed(today: dt.date | None = None, *, after_days: int = 14) -> int:
    """Two weeks after a villager's case closed, ask the reporter once whether it stayed
    fixed (FixMyStreet's questionnaire); they read and answer it with the receipt."""
    today = today or timezone.localdate()
    cutoff = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=after_days), dt.time.max)
    )
    due = Case.objects.filter(
        state=State.CLOSED, source=Case.Source.VILLAGER, closed_at__lte=cutoff
    )
    question = fixed_question()
    due = due.exclude(messages__kind=CaseMessage.Kind.QUESTION, messages__text=question)
    asked = 0
    for case in due:
        CaseMessage.objects.create(case=case, kind=CaseMessage.Kind.QUESTION, text=question)
        asked += 1
    return asked


@transaction.atomic
def ask_reporter(
    case: Case, *, text: str, actor: User | None, client_uuid: uuid.UUID | None = None
) -> CaseMessage:
    """A question the reporter reads with the receipt ("was it fixed?"). A phone's replay
    (`client_uuid`) answers with the question stored first."""
    ensure_may_handle(actor, case)
    if client_uuid is not None:
        stored = CaseMessage.objects.filter(client_uuid=client_uuid).first()
        if stored is not None:
            return stored
    if case.source != Case.Source.VILLAGER:
        raise ValidationError({"text": _("A tour's finding has no reporter to ask.")})
    return CaseMessage.objects.create(
        case=case,
        kind=CaseMessage.Kind.QUESTION,
        text=_clean_text(text),
        author=actor,
        client_uuid=client_uuid,
    )


@transaction.atomic
def publish(case: Case, *, public_text: str, outcome: str, actor: User | None) -> Case:
    """What the public reads of the case: a redacted version of the report and the outcome.
    ID-card and phone numbers are taken out whatever staff typed."""
    ensure_may_handle(actor, case)
    public_text = published(clean(public_text or ""))[:TEXT_MAX]
    outcome = published(clean(outcome or ""))[:REASON_MAX]
    if (public_text, outcome) == (case.public_text, case.outcome):
        return case
    case.public_text, case.outcome = public_text, outcome
    case.save(update_fields=["public_text", "outcome", "updated"])
    _log(
        case,
        action=Event.Action.UPDATE,
        actor=actor,
        public_text=case.public_text,
        outcome=case.outcome,
    )
    return case


@transaction.atomic
def add_task(
    case: Case,
    *,
    text: str,
    who: str,
    due_on: dt.date,
    actor: User | None,
    client_uuid: uuid.UUID | None = None,
) -> RectificationTask:
    """One thing to put right, with who and by when; a phone's replay is stored once."""
    ensure_may_handle(actor, case)
    if client_uuid is not None:
        stored = RectificationTask.objects.filter(client_uuid=client_uuid).first()
        if stored is not None:
            return stored
    if case.state not in (State.FOUND, State.ORDERED):
        raise ValidationError({"text": _("Rectification tasks follow a problem found.")})
    text, who = clean(text or ""), clean(who or "")
    if not text or not who:
        raise ValidationError({"text": _("Say what is to be put right, and who does it.")})
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("The day to rectify by has passed already.")})
    return RectificationTask.objects.create(
        case=case, text=text[:300], who=who[:120], due_on=due_on, client_uuid=client_uuid
    )


def add_evidence_photo(
    case: Case,
    data: bytes,
    *,
    purpose: str,
    actor: User | None,
    client_uuid: uuid.UUID | None,
    location: Point | None = None,
) -> CasePhoto:
    """A verification or rectification photo from the site. Its position (the photo's GPS,
    else `location`, the phone's own) is checked against where the case is; a photo far from
    it is kept and its distance shown. A replay of the same submission (`client_uuid`)
    answers with the photo stored first."""
    ensure_may_handle(actor, case)
    if client_uuid is not None:
        stored = CasePhoto.objects.filter(client_uuid=client_uuid).first()
        if stored is not None:
            return stored
    prepared = _prepared_photos([data])[0]
    if prepared.lon is not None and prepared.lat is not None:
        location = Point(prepared.lon, prepared.lat, srid=4326)
    distance = None
    if location is not None and case.location is not None:
        distance = distance_m(location, case.location)
    try:
        with transaction.atomic():
            return _store_photo(
                case,
                prepared,
                purpose=purpose,
                location=location,
                distance=distance,
                client_uuid=client_uuid,
            )
    except IntegrityError:
        stored = CasePhoto.objects.filter(client_uuid=client_uuid).first()
        if stored is None:
            raise
        return stored


# Deadlines ----------------------------------------------------------------------------------


def lateness(case: Case, today: dt.date | None = None) -> int:
    """How many times over its allowed time an open case is: 0 in time, 1 late, 3 three times."""
    if case.is_resting:
        return 0
    today = today or timezone.localdate()
    if today <= case.due_on:
        return 0
    received = case.created.date() if case.created else today
    working = case.category.working_days
    allowed = max(deadlines.days_between(received, case.due_on, working=working), 1)
    taken = deadlines.days_between(received, today, working=working)
    return max(1, taken // allowed)


@transaction.atomic
def escalate_overdue(today: dt.date | None = None) -> int:
    """Cases past their deadline go up to the township discipline office (once each)."""
    today = today or timezone.localdate()
    late = list(
        Case.objects.select_for_update()
        .filter(due_on__lt=today, escalated=False)
        .exclude(state__in=[State.DECLINED, State.CLOSED, State.MERGED])
    )
    for case in late:
        case.escalated = True
        case.save(update_fields=["escalated", "updated"])
        _log(case, action=Event.Action.CASE, actor=None, escalated=True)
        notify_later(case, "overdue")
    return len(late)


@transaction.atomic
def wipe_contacts(today: dt.date | None = None) -> int:
    """Reporters' contacts go a year after their case closed."""
    now = (
        timezone.now()
        if today is None
        else timezone.make_aware(dt.datetime.combine(today, dt.time()))
    )
    old = ReporterContact.objects.filter(
        case__state__in=[State.CLOSED, State.DECLINED, State.MERGED],
        case__updated__lt=now - dt.timedelta(days=365),
    )
    count, _ = old.delete()
    return count


# Stations and tours -------------------------------------------------------------------------


def check_station(station: Station) -> None:
    """A station's own rule, for forms to show before saving: its head is one of its members
    (a village supervisor whose units cover the village). Raises ValidationError on `head`."""
    if station.head_id and station.head not in station_members(station.village):
        raise ValidationError({"head": _("The head must be a village supervisor of this village.")})


def save_station(station: Station, *, actor: User | None) -> Station:
    """Create or change a station (see `check_station`)."""
    check_station(station)
    return registry_services.save_record(station, actor=actor)


@transaction.atomic
def record_finding(
    tour: Tour, *, form: ProblemForm, text: str, category: Category, actor: User | None
) -> Finding:
    """A tour's finding, which opens a case handled by the township discipline office."""
    ensure_may(actor, Task.RUN_TOURS, tour)
    text = _clean_text(text)
    submitted = submit_report(
        client_uuid=uuid.uuid4(),
        category=category,
        text=f"{form.text}：{text}",
        identity=Case.Identity.NAMED,
        village=tour.village,
        about_cadre=True,
        source=Case.Source.TOUR,
    )
    return Finding.objects.create(tour=tour, form=form, text=text, case=submitted.case)
