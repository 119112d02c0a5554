"""Reads for the public pages, each in a bounded number of queries whatever the data size."""

import json

from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import Q, QuerySet
from django.urls import reverse

from registry.models import AdminUnit, Asset


def assets_in(unit: AdminUnit) -> QuerySet[Asset]:
    qs = Asset.objects.select_related("village")
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


def features(qs: QuerySet, geometry: str, precision: int, properties) -> dict:
    """A GeoJSON FeatureCollection of `qs`, the geometry rounded to `precision` decimals of a
    degree by the database, each feature's properties from `properties(row)`."""
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
    return features(
        qs.defer("boundary"),
        "boundary",
        4,
        lambda u: {"name": u.name, "url": reverse("portal:unit-detail", args=[u.code])},
    )


def asset_features(qs: QuerySet[Asset]) -> dict:
    return features(
        qs.defer("geometry", "description"),
        "geometry",
        6,
        lambda a: {
            "name": a.name,
            "kind": a.kind,
            "label": f"{a.get_kind_display()} · {a.get_status_display()}",
            "url": reverse("portal:asset-detail", args=[a.pk]),
        },
    )


def asset_record(pk: int) -> Asset:
    return (
        Asset.objects.select_related("village__parent", "owner")
        .defer("village__boundary", "village__parent__boundary")
        .get(pk=pk)
    )


def unit_record(code: str) -> AdminUnit:
    return AdminUnit.objects.select_related("parent__parent").defer("boundary").get(code=code)
