"""Finding what a code names."""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet, Sum
from django.utils import translation

from projects.models import Project
from qr.codes import PREFIXES, MalformedCode, near_misses, parse
from qr.images import public_url
from qr.models import ElectronicId, ScanCount
from qr.plaques import Plaque
from registry.models import AdminUnit, Asset
from visits.models import Site


@dataclass
class UnknownCode(Exception):
    code: str
    suggestions: list[str] = field(default_factory=list)
    check_failed: bool = False


SUBJECT_QUERYSETS = {
    Asset: Asset.objects.select_related("village__parent", "owner").defer(
        "village__boundary", "village__parent__boundary"
    ),
    Project: Project.objects.select_related("village__parent").defer(
        "village__boundary", "village__parent__boundary"
    ),
    Site: Site.objects.select_related("unit__parent").defer(
        "unit__boundary", "unit__parent__boundary"
    ),
}


def resolve(text: str) -> tuple[ElectronicId, Model]:
    """The ID and its record, or MalformedCode, or UnknownCode with likely intended codes."""
    eid = resolve_id(text)
    return eid, subject_of(eid)


def subject_of(eid: ElectronicId) -> Model:
    """The record an ID names, with what its public page reads alongside it."""
    return SUBJECT_QUERYSETS[eid.subject_type.model_class()].get(pk=eid.subject_id)


def resolve_id(text: str) -> ElectronicId:
    """The ID `text` names (one query), or MalformedCode, or UnknownCode with likely codes."""
    parsed = parse(text)
    if not parsed.is_valid:
        suggestions = ElectronicId.objects.filter(code__in=near_misses(parsed)).values_list(
            "code", flat=True
        )
        raise UnknownCode(text.strip().upper(), list(suggestions[:5]), check_failed=True)
    eid = ElectronicId.objects.select_related("subject_type").filter(code=str(parsed)).first()
    if eid is None:
        raise UnknownCode(str(parsed))
    return eid


def code_of_pk(model: type[Model], pk: int) -> ElectronicId | None:
    return ElectronicId.objects.filter(
        subject_type=ContentType.objects.get_for_model(model), subject_id=pk
    ).first()


def plaque_items(eids: QuerySet[ElectronicId]) -> list[Plaque]:
    """What each plaque prints, in code order, in Chinese whatever the request's language."""
    eids = list(eids.select_related("unit", "subject_type").order_by("code"))
    subjects: dict[tuple[int, int], Model] = {}
    for model, queryset in SUBJECT_QUERYSETS.items():
        type_id = ContentType.objects.get_for_model(model).pk
        ids = [e.subject_id for e in eids if e.subject_type_id == type_id]
        if ids:
            subjects |= {(type_id, s.pk): s for s in queryset.filter(pk__in=ids)}
    with translation.override("zh-hans"):
        return [
            Plaque(
                code=e.code,
                name=subjects[(e.subject_type_id, e.subject_id)].name,
                unit=e.unit.name,
                kind=_kind_label(subjects[(e.subject_type_id, e.subject_id)]),
                url=public_url(e.code),
            )
            for e in eids
            if (e.subject_type_id, e.subject_id) in subjects
        ]


def _kind_label(subject: Model) -> str:
    if isinstance(subject, Project):
        return str(Project._meta.verbose_name)
    return str(subject.get_kind_display())


def codes_in(unit: AdminUnit, kinds: list[str] | None = None) -> QuerySet[ElectronicId]:
    """The IDs of a unit and the units below it, optionally only some kinds."""
    below = Q(unit=unit) | Q(unit__parent=unit) | Q(unit__parent__parent=unit)
    eids = ElectronicId.objects.filter(below)
    if kinds:
        eids = eids.filter(prefix__in=[PREFIXES[k] for k in kinds])
    return eids


__all__ = ["MalformedCode", "UnknownCode", "resolve"]


def scans_on(eid: ElectronicId, day) -> int:
    """How often `eid` was opened on `day` (the sum of its counter rows)."""
    return (
        ScanCount.objects.filter(electronic_id=eid, day=day).aggregate(total=Sum("count"))["total"]
        or 0
    )
