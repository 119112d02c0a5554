"""Reads for the pages that bring the domains together: counts across assets, projects and sites."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Model, QuerySet, Sum

from projects.models import Project
from registry.models import AdminUnit, Asset
from trail.models import Event
from trail.presenters import EventView, event_view
from visits.models import Site


def townships() -> QuerySet[AdminUnit]:
    return (
        AdminUnit.objects.filter(level=AdminUnit.Level.TOWNSHIP)
        .annotate(
            village_count=Count("children", distinct=True),
            asset_count=Count("children__assets", distinct=True),
            project_count=Count("children__projects", distinct=True),
        )
        .order_by("code")
    )


def child_units(unit: AdminUnit) -> QuerySet[AdminUnit]:
    return unit.children.annotate(
        asset_count=Count("assets", distinct=True),
        project_count=Count("projects", distinct=True),
    ).order_by("code")


def totals() -> dict:
    projects = Project.objects.aggregate(
        count=Count("pk"), contract=Sum("contract_amount"), paid=Sum("paid_amount")
    )
    return {"assets": Asset.objects.count(), "projects": projects, "sites": Site.objects.count()}


@dataclass
class LogItem:
    """One event of the public log as a person reads it: the record's public name and page."""

    view: EventView
    name: str
    url: str | None


# What a record's public name (its __str__) and page need, fetched with it.
_NAME_NEEDS = {"lease": "lease__asset", "asset": "asset", "auction": "auction"}


def _subjects(events: list[Event]) -> dict[tuple[int, int], Model]:
    """The records the events are about, one query per kind of record."""
    wanted: dict = defaultdict(set)
    for event in events:
        wanted[event.subject_type].add(event.subject_id)
    found = {}
    for content_type, ids in wanted.items():
        model = content_type.model_class()
        if model is None:
            continue
        fields = {f.name for f in model._meta.concrete_fields}
        related = [path for name, path in _NAME_NEEDS.items() if name in fields]
        queryset = model.objects.select_related(*related[:1]) if related else model.objects
        for pk, record in queryset.in_bulk(ids).items():
            found[(content_type.pk, pk)] = record
    return found


def log_items(events: Iterable[Event]) -> list[LogItem]:
    """Each event with its changes in words (trail.presenters), the record's public name
    (`str()`, which hides private tenants and bidders) and a link to its public page."""
    events = list(events)
    subjects = _subjects(events)
    items = []
    for event in events:
        record = subjects.get((event.subject_type_id, event.subject_id))
        model = event.subject_type.model_class()
        name = str(record) if record else f"{event.subject_type.name} #{event.subject_id}"
        link = getattr(record, "get_public_url", None) or getattr(record, "get_absolute_url", None)
        url = link() if link else None
        items.append(LogItem(event_view(event, model), name, url))
    return items
