"""The picture of a record's place on its public page (`gis.svgmap`), with what is around it."""

from django.contrib.gis.db.models.functions import Intersection
from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gis.svgmap import MAX_NEIGHBOURS, Neighbour, frame_for, place_svg
from projects.models import Project
from registry.models import AdminUnit, Asset
from trail.selectors import data_version
from visits.models import Site

PLACE_CACHE_SECONDS = 24 * 3600  # keyed by the log's head, so a change is never served stale
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


def place_picture(record: Asset | Project | Site) -> str:
    """The SVG text of the record's place (see `gis.svgmap.place_svg`), cached until the
    public log moves on. Raises ValueError when the record has no geometry."""
    key = f"place:{record._meta.model_name}:{record.pk}:{data_version()}:{get_language()}"
    svg = cache.get(key)
    if svg is None:
        svg = _draw(record)
        cache.set(key, svg, PLACE_CACHE_SECONDS)
    return svg


def _draw(record: Asset | Project | Site) -> str:
    geometry = getattr(record, GEOMETRY[type(record)])
    if geometry is None:
        raise ValueError("no geometry")
    box = frame_for(geometry).bbox()
    units = AdminUnit.objects.filter(boundary__bboverlaps=box).annotate(
        part=Intersection("boundary", box)
    )
    own_id = unit_id_of(record)
    own = next((u for u in units if u.pk == own_id), None)
    return place_svg(
        geometry,
        village=own.part if own else None,
        village_name=own.name if own else "",
        other_units=[
            u.part for u in units if u.pk != own_id and u.level == AdminUnit.Level.VILLAGE
        ],
        neighbours=_neighbours(record, box),
        title=_("Where %(name)s is") % {"name": record.name},
        north=_("N"),
    )
