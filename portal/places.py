"""The picture of a record's place on its public page (`gis.svgmap`), with what is around it."""

import math

from django.contrib.gis.db.models.functions import Intersection
from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gis.svgmap import (
    AREA_PADDING,
    MAX_NEIGHBOURS,
    METRES_PER_DEGREE_LAT,
    METRES_PER_DEGREE_LON_EQUATOR,
    Neighbour,
    frame_for,
    place_svg,
)
from projects.models import Project
from registry.models import AdminUnit, Asset
from trail.selectors import data_version
from visits.models import Site

PLACE_CACHE_SECONDS = 24 * 3600  # keyed by the log's head, so a change is never served stale
WHOLE_VILLAGE_MAX_M = 5000  # a larger village is shown around the record instead
GEOMETRY = {Asset: "geometry", Project: "location", Site: "location"}


def unit_id_of(record: Asset | Project | Site) -> int:
    return record.unit_id if isinstance(record, Site) else record.village_id


def _neighbours(record, box) -> list[Neighbour]:
    """Other records whose shapes reach into the frame, clipped there by the database."""
    found: list[Neighbour] = []
    for model, kind in ((Asset, None), (Project, "project"), (Site, "site")):
        field = GEOMETRY[model]
        rows = model.objects.filter(**{f"{field}__bboverlaps": box})
        if model is type(record):
            rows = rows.exclude(pk=record.pk)
        rows = rows.annotate(part=Intersection(field, box)).values_list(
            "part", *(["kind"] if kind is None else [])
        )[:MAX_NEIGHBOURS]
        found += [Neighbour(row[0], kind or row[1]) for row in rows if row[0] is not None]
    return found


def place_picture(record: Asset | Project | Site, *, version: int | None = None) -> str:
    """The SVG text of the record's place (see `gis.svgmap.place_svg`), cached until the
    public log moves on (`version`, the log's head, read here unless the caller has it).
    Raises ValueError when the record has no geometry."""
    version = data_version() if version is None else version
    key = f"place:{record._meta.model_name}:{record.pk}:{version}:{get_language()}"
    svg = cache.get(key)
    if svg is None:
        svg = _draw(record)
        cache.set(key, svg, PLACE_CACHE_SECONDS)
    return svg


def _draw(record: Asset | Project | Site) -> str:
    geometry = getattr(record, GEOMETRY[type(record)])
    if geometry is None:
        raise ValueError("no geometry")
    village = AdminUnit.objects.filter(pk=unit_id_of(record)).only("name", "boundary").first()
    show = village.boundary if village is not None and _fits(village.boundary) else None
    box = (frame_for(show, padding=AREA_PADDING) if show else frame_for(geometry)).bbox()
    others = (
        AdminUnit.objects.filter(level=AdminUnit.Level.VILLAGE, boundary__bboverlaps=box)
        .exclude(pk=unit_id_of(record))
        .annotate(part=Intersection("boundary", box))
        .values_list("part", flat=True)
    )
    own = village.boundary.intersection(box) if village and village.boundary else None
    return place_svg(
        geometry,
        village=own,
        village_name=village.name if village else "",
        other_units=list(others),
        neighbours=_neighbours(record, box),
        title=_("Where %(name)s is") % {"name": record.name},
        north=_("N"),
        show=show,
    )


def _fits(boundary) -> bool:
    """Whether a village is small enough (WHOLE_VILLAGE_MAX_M across at most) to be shown whole
    with a record in it still visible."""
    if boundary is None or boundary.empty:
        return False
    min_x, min_y, max_x, max_y = boundary.extent
    cos_lat = math.cos(math.radians((min_y + max_y) / 2))
    across = max(
        (max_x - min_x) * METRES_PER_DEGREE_LON_EQUATOR * cos_lat,
        (max_y - min_y) * METRES_PER_DEGREE_LAT,
    )
    return across <= WHOLE_VILLAGE_MAX_M
