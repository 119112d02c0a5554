"""Checks every geometry must pass before it is stored, with messages a clerk understands."""

import re

from django.contrib.gis.geos import (
    GEOSGeometry,
    LineString,
    MultiLineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gis.crs import STORAGE_SRID

# Mainland China, Hainan and the islands, generously: lon 73.4-135.1 E, lat 3.8-53.6 N.
CHINA_BBOX = (73.4, 3.8, 135.1, 53.6)
# GEOS says why a geometry is invalid in English ("Self-intersection[120.5 27.9]"): the reasons
# it gives (GEOS IsValidOp), in words a clerk reads, and where.
GEOS_REASONS = {
    "Self-intersection": gettext_lazy("the outline crosses itself"),
    "Ring Self-intersection": gettext_lazy("a ring of the outline touches itself"),
    "Too few points in geometry component": gettext_lazy("a part has too few points"),
    "Hole lies outside shell": gettext_lazy("a hole lies outside its outline"),
    "Nested holes": gettext_lazy("a hole lies inside another hole"),
    "Interior is disconnected": gettext_lazy("the holes cut the shape in two"),
    "Nested shells": gettext_lazy("one part lies inside another"),
    "Duplicate Rings": gettext_lazy("a ring is repeated"),
    "Invalid Coordinate": gettext_lazy("a coordinate is not a number"),
    "Ring is not closed": gettext_lazy("a ring does not end where it starts"),
}
_REASON = re.compile(r"(?P<reason>[^\[]+?)\s*(?:\[(?P<x>\S+) (?P<y>\S+)\])?$")
# A collection of one part is that part (a MultiPoint holding one point is a Point).
_SINGLE = {MultiPoint: Point, MultiLineString: LineString}


def explain_invalid(reason: str) -> str:
    """GEOS's reason, in the page's language, with the place it names (lon, lat)."""
    match = _REASON.fullmatch(reason.strip())
    if not match:
        return reason
    words = GEOS_REASONS.get(match["reason"], match["reason"])
    if match["x"] is None:
        return str(words)
    return _("%(reason)s, at %(x)s, %(y)s") % {
        "reason": words,
        "x": match["x"][:12],
        "y": match["y"][:12],
    }


def clean_geometry(geom: GEOSGeometry | None, *, allowed: tuple[str, ...]) -> GEOSGeometry | None:
    """Return the geometry in storage form (Polygon promoted to MultiPolygon) or raise.

    Refuses: a type outside `allowed`, an SRID other than 4326, an empty or invalid
    (e.g. self-intersecting) shape, and anything outside China's bounding box.
    """
    if geom is None:
        return None
    if geom.srid not in (None, STORAGE_SRID):
        raise ValidationError(
            _("Coordinates must be WGS84 longitude/latitude (EPSG:4326), not EPSG:%(srid)s.")
            % {"srid": geom.srid},
            code="wrong_srid",
        )
    geom.srid = STORAGE_SRID
    if isinstance(geom, Polygon) and "MultiPolygon" in allowed:
        geom = MultiPolygon(geom, srid=STORAGE_SRID)
    single = _SINGLE.get(type(geom))
    if single and len(geom) == 1 and single.__name__ in allowed:
        geom = geom[0]
        geom.srid = STORAGE_SRID
    if geom.geom_type not in allowed:
        raise ValidationError(
            _("A %(got)s is not accepted here; expected %(allowed)s.")
            % {"got": geom.geom_type, "allowed": " / ".join(allowed)},
            code="wrong_geometry_type",
        )
    if geom.empty:
        raise ValidationError(_("The geometry is empty."), code="empty_geometry")
    if not geom.valid:
        raise ValidationError(
            _("The geometry is invalid: %(reason)s.")
            % {"reason": explain_invalid(geom.valid_reason)},
            code="invalid_geometry",
        )
    min_x, min_y, max_x, max_y = geom.extent
    lon_min, lat_min, lon_max, lat_max = CHINA_BBOX
    if min_x < lon_min or max_x > lon_max or min_y < lat_min or max_y > lat_max:
        raise ValidationError(
            _(
                "The geometry lies outside China (longitude %(lon_min)s-%(lon_max)s, "
                "latitude %(lat_min)s-%(lat_max)s). Were longitude and latitude swapped?"
            )
            % {"lon_min": lon_min, "lon_max": lon_max, "lat_min": lat_min, "lat_max": lat_max},
            code="outside_china",
        )
    return geom
