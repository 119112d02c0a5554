"""Reads of supervision for the public pages: stations, public cases, and the counts the source
report gives (clues collected → problems found → rectified), each in a bounded number of queries.

Nothing here reads what identifies a reporter: not `Case.text`, not `ReporterContact`, not
`about_member`. The public querysets defer the raw text so a template cannot show it by mistake.
"""

from dataclasses import dataclass

from django.contrib.gis.db.models import PointField
from django.contrib.gis.db.models.functions import PointOnSurface
from django.db import models as db
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from registry.models import AdminUnit
from registry.roles import ROLE_LABELS, Role
from registry.selectors import features
from supervision import services
from supervision.models import RESTING, Case, CaseMessage, CasePhoto, CaseState, State, Station

RECENT_CASES = 10


@dataclass(frozen=True)
class Counts:
    """Clues collected (every case but the merged), problems found, rectified."""

    clues: int = 0
    found: int = 0
    rectified: int = 0


@dataclass(frozen=True)
class Member:
    name: str
    role: str
    head: bool


_COUNTS = {
    "clues": Count("pk", distinct=True),
    "found": Count("pk", filter=Q(states__state=State.FOUND), distinct=True),
    "rectified": Count("pk", filter=Q(states__state=State.RECTIFIED), distinct=True),
}


def counted() -> QuerySet[Case]:
    """The cases the counts count: all but those merged into another."""
    return Case.objects.exclude(state=State.MERGED)


def counts(cases: QuerySet[Case] | None = None) -> Counts:
    """The three numbers over `cases` (all counted cases by default), in one query."""
    cases = counted() if cases is None else cases.exclude(state=State.MERGED)
    return Counts(**cases.aggregate(**_COUNTS))


def counts_by(level: str, cases: QuerySet[Case] | None = None) -> dict[int, Counts]:
    """The numbers per village ("village") or per township ("township"), keyed by unit id."""
    key = {"village": "village_id", "township": "village__parent_id"}[level]
    cases = counted() if cases is None else cases.exclude(state=State.MERGED)
    rows = cases.order_by().values(key).annotate(**_COUNTS)
    return {row[key]: Counts(row["clues"], row["found"], row["rectified"]) for row in rows}


def unit_counts(unit: AdminUnit) -> Counts:
    if unit.level == AdminUnit.Level.VILLAGE:
        return counts(Case.objects.filter(village=unit))
    if unit.level == AdminUnit.Level.TOWNSHIP:
        return counts(Case.objects.filter(village__parent=unit))
    return counts()


def station_and_counts(unit: AdminUnit) -> tuple[Station | None, Counts]:
    """A village's station with the village's numbers (one query), or a township's numbers."""
    if unit.level == AdminUnit.Level.VILLAGE:
        cases = counted().filter(village=OuterRef("village")).order_by().values("village")
        numbers = {
            name: Coalesce(Subquery(cases.annotate(n=count).values("n")), 0)
            for name, count in _COUNTS.items()
        }
        station = (
            Station.objects.select_related("head").filter(village=unit).annotate(**numbers).first()
        )
        if station is not None:
            station.village = unit
            return station, Counts(station.clues, station.found, station.rectified)
    return None, unit_counts(unit)


def township_rows() -> list[tuple[AdminUnit, Counts]]:
    """Every township with its numbers (zeros included), in code order: two queries."""
    numbers = counts_by("township")
    townships = AdminUnit.objects.filter(level=AdminUnit.Level.TOWNSHIP).defer("boundary")
    return [(t, numbers.get(t.pk, Counts())) for t in townships.order_by("code")]


def village_rows(township: AdminUnit) -> list[tuple[AdminUnit, Counts]]:
    """The villages of a township with their numbers: two queries."""
    numbers = counts_by("village", Case.objects.filter(village__parent=township))
    villages = AdminUnit.objects.filter(parent=township, level=AdminUnit.Level.VILLAGE)
    return [(v, numbers.get(v.pk, Counts())) for v in villages.defer("boundary").order_by("code")]


def public_cases() -> QuerySet[Case]:
    """Cases as the public may see them: what the report said stays out of the query."""
    return (
        Case.objects.select_related("category", "village__parent")
        .defer("text", "village__boundary", "village__parent__boundary")
        .order_by("-created", "-pk")
    )


def with_public_place(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Each case with `public_place`, where public maps put it: the record the report is about
    (its plaque's place), else a point inside its village. Never a point the reporter tapped:
    that may be their own door."""
    return cases.annotate(
        public_place=db.Case(
            db.When(
                ~Q(subject_code=""),
                then=Coalesce("location", PointOnSurface("village__boundary")),
            ),
            default=PointOnSurface("village__boundary"),
            output_field=PointField(srid=4326),
        )
    )


def nearby_reports(village: AdminUnit | None, code: str = "", limit: int = 5) -> list[Case]:
    """Open cases a reporter should see before sending (as FixMyStreet shows nearby reports):
    those about the same record first, then the village's latest."""
    if village is None:
        return []
    cases = public_cases().filter(village=village).exclude(state__in=RESTING)
    if code:
        cases = cases.annotate(same=db.Case(db.When(subject_code=code, then=0), default=1))
        cases = cases.order_by("same", "-created", "-pk")
    return list(cases[:limit])


def public_case(pk: int) -> Case:
    """Raises Case.DoesNotExist."""
    return public_cases().select_related("merged_into").get(pk=pk)


def public_history(case: Case) -> list[CaseState]:
    """The states a case passed through, with their dates (the public page shows no reasons:
    a reporter's reason for reopening is their own words)."""
    return list(case.states.only("state", "at", "case_id"))


def published_photos(case: Case) -> list[CasePhoto]:
    return list(case.photos.filter(published=True))


def recent_cases(village: AdminUnit, limit: int = RECENT_CASES) -> list[Case]:
    return list(public_cases().filter(village=village)[:limit])


def open_cases_about(code: str) -> int:
    """How many cases about the record with electronic ID `code` are still being worked on."""
    return Case.objects.filter(subject_code=code).exclude(state__in=RESTING).count()


def station_of(unit: AdminUnit | None) -> Station | None:
    """A village's liaison station, or None (a township or a village without one)."""
    if unit is None or unit.level != AdminUnit.Level.VILLAGE:
        return None
    station = Station.objects.select_related("head").filter(village=unit).first()
    if station is not None:
        station.village = unit
    return station


def station_and_open_cases(unit: AdminUnit, code: str | None) -> tuple[Station | None, int]:
    """A village's station and how many open cases there are about the record with
    electronic ID `code`: one query where the village has a station (a plaque page's panel)."""
    open_cases = (
        Case.objects.filter(subject_code=code or "")
        .exclude(state__in=RESTING)
        .order_by()
        .values("subject_code")
        .annotate(n=Count("pk"))
        .values("n")
    )
    station = None
    if unit.level == AdminUnit.Level.VILLAGE:
        station = (
            Station.objects.select_related("head")
            .filter(village=unit)
            .annotate(open_cases=Coalesce(Subquery(open_cases), 0))
            .first()
        )
    if station is None:
        return None, open_cases_about(code) if code else 0
    station.village = unit
    return station, station.open_cases


def station_by_code(village_code: str) -> Station:
    """Raises Station.DoesNotExist."""
    return Station.objects.select_related("village__parent", "head").get(village__code=village_code)


def public_members(station: Station) -> list[Member]:
    """The station's head and members by the public display name staff give themselves and
    their role; never a login name or a phone number."""
    role = str(ROLE_LABELS[Role.SUPERVISOR])
    members = [
        Member(name=user.first_name, role=role, head=user.pk == station.head_id)
        for user in services.station_members(station.village)
    ]
    return sorted(members, key=lambda m: not m.head)


def member_choices(village: AdminUnit) -> list[tuple[int, str]]:
    """The station members a report may name, by public display name (empty names left out)."""
    return [(u.pk, u.first_name) for u in services.station_members(village) if u.first_name]


def reporter_history(case: Case) -> list[CaseState]:
    """What the reporter reads with the receipt: every state, when, and why."""
    return list(case.states.only("state", "at", "reason", "by_reporter", "case_id"))


def reporter_messages(case: Case) -> list[CaseMessage]:
    return list(case.messages.only("kind", "text", "created", "case_id"))


def case_features(cases: QuerySet[Case]) -> dict:
    """The cases as GeoJSON points for the public map, each at its public place."""
    return features(
        with_public_place(cases),
        "public_place",
        6,
        lambda c: {
            "name": f"{c.category} · {c.village.name}",
            "label": c.get_state_display(),
            "state": c.state,
            "url": reverse("supervision:case-detail", args=[c.pk]),
        },
    )


def village_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Villages grouped by township, by division code, for the report form when no map tap
    is possible."""
    groups: dict[str, list[tuple[str, str]]] = {}
    villages = (
        AdminUnit.objects.filter(level=AdminUnit.Level.VILLAGE)
        .select_related("parent")
        .only("pk", "name", "code", "parent__name")
        .order_by("code")
    )
    for village in villages:
        groups.setdefault(village.parent.name if village.parent else "", []).append(
            (village.code, village.name)
        )
    return list(groups.items())
