"""Checks every geometry must pass before it is stored, with messages a clerk understands."""

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gis.crs import STORAGE_SRID

# Mainland China, Hainan and the islands, generously: lon 73.4-135.1 E, lat 3.8-53.6 N.
CHINA_BBOX = (73.4, 3.8, 135.1, 53.6)


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
            _("The geometry is invalid: %(reason)s.") % {"reason": geom.valid_reason},
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
