"""Reads for the public pages, each in a bounded number of queries whatever the data size."""

import json
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import Count, Max, Model, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from registry.models import AdminUnit, Asset, Event, Lease, Project, Route, Site


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


def assets_in(unit: AdminUnit) -> QuerySet[Asset]:
    qs = Asset.objects.select_related("village")
    if unit.level == AdminUnit.Level.VILLAGE:
        return qs.filter(village=unit)
    if unit.level == AdminUnit.Level.TOWNSHIP:
        return qs.filter(village__parent=unit)
    return qs


def projects_in(unit: AdminUnit) -> QuerySet[Project]:
    qs = Project.objects.select_related("village")
    if unit.level == AdminUnit.Level.VILLAGE:
        return qs.filter(village=unit)
    if unit.level == AdminUnit.Level.TOWNSHIP:
        return qs.filter(village__parent=unit)
    return qs


def extent_of_villages(unit: AdminUnit) -> tuple[float, float, float, float] | None:
    """Where a unit's villages lie: a township's map opens on them, not on its empty hills."""
    villages = AdminUnit.objects.filter(
        Q(pk=unit.pk, level=AdminUnit.Level.VILLAGE)
        | Q(parent=unit, level=AdminUnit.Level.VILLAGE)
        | Q(parent__parent=unit, level=AdminUnit.Level.VILLAGE)
    )
    return villages.aggregate(extent=Extent("boundary"))["extent"]


def totals() -> dict:
    projects = Project.objects.aggregate(
        count=Count("pk"), contract=Sum("contract_amount"), paid=Sum("paid_amount")
    )
    return {"assets": Asset.objects.count(), "projects": projects, "sites": Site.objects.count()}


def _features(qs: QuerySet, geometry: str, precision: int, properties) -> dict:
    rows = qs.annotate(_geojson=AsGeoJSON(geometry, precision=precision))
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": json.loads(row._geojson), "properties": properties(row)}
            for row in rows
            if row._geojson
        ],
    }


def unit_features(qs: QuerySet[AdminUnit]) -> dict:
    return _features(
        qs.defer("boundary"),
        "boundary",
        4,
        lambda u: {"name": u.name, "url": reverse("registry:unit-detail", args=[u.code])},
    )


def asset_features(qs: QuerySet[Asset]) -> dict:
    return _features(
        qs.defer("geometry", "description"),
        "geometry",
        6,
        lambda a: {
            "name": a.name,
            "kind": a.kind,
            "label": f"{a.get_kind_display()} · {a.get_status_display()}",
            "url": reverse("registry:asset-detail", args=[a.pk]),
        },
    )


def project_features(qs: QuerySet[Project]) -> dict:
    return _features(
        qs.defer("location", "description"),
        "location",
        6,
        lambda p: {
            "name": p.name,
            "stage": p.stage,
            "label": f"{p.get_stage_display()} · {p.progress_percent}%",
            "url": reverse("registry:project-detail", args=[p.pk]),
        },
    )


def site_features(qs: QuerySet[Site]) -> dict:
    return _features(
        qs.defer("location", "story"),
        "location",
        6,
        lambda s: {
            "name": s.name,
            "label": s.get_kind_display(),
            "url": reverse("registry:site-detail", args=[s.pk]),
        },
    )


def site_record(pk: int) -> Site:
    return (
        Site.objects.select_related("unit__parent")
        .defer("unit__boundary", "unit__parent__boundary")
        .get(pk=pk)
    )


def routes_through(site: Site) -> QuerySet[Route]:
    return Route.objects.filter(stops__site=site).annotate(stop_count=Count("stops")).distinct()


def event_history(subject: Model) -> QuerySet[Event]:
    """The subject's public log, newest first."""
    return Event.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
    ).order_by("-seq")


@dataclass
class LeaseView:
    lease: Lease
    paid: object
    arrears: object
    due: object = None
    payments: list = field(default_factory=list)


def current_lease(asset: Asset) -> LeaseView | None:
    today = timezone.localdate()
    lease = (
        asset.leases.filter(start_on__lte=today, end_on__gt=today)
        .annotate(paid_total=Sum("payments__amount"))
        .order_by("-start_on")
        .first()
    )
    if lease is None:
        return None
    lease.asset = asset
    paid = lease.paid_total or 0
    return LeaseView(
        lease=lease,
        paid=paid,
        arrears=lease.arrears(today, paid),
        due=lease.amount_due(today),
        payments=list(lease.payments.order_by("-paid_on").only("lease_id", "paid_on", "amount")),
    )


def asset_record(pk: int) -> Asset:
    return (
        Asset.objects.select_related("village__parent", "owner")
        .defer("village__boundary", "village__parent__boundary")
        .get(pk=pk)
    )


def project_record(pk: int) -> Project:
    return (
        Project.objects.select_related("village__parent")
        .defer("village__boundary", "village__parent__boundary")
        .get(pk=pk)
    )


def unit_record(code: str) -> AdminUnit:
    return AdminUnit.objects.select_related("parent__parent").defer("boundary").get(code=code)


def last_event() -> Event | None:
    return Event.objects.order_by("-seq").only("seq", "hash").first()


def data_version() -> int:
    """The head of the public event log: every write to the record appends an event, so one
    index lookup tells whether anything public may have changed (ETags of public answers)."""
    return Event.objects.aggregate(head=Max("seq"))["head"] or 0
