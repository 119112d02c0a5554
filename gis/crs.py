"""Coordinate reference systems used by the project.

Geometry is stored in EPSG:4326 (WGS84, within a metre of CGCS2000). Areas and lengths are
measured in the CGCS2000 3-degree Gauss-Krüger zone whose central meridian is nearest the
geometry (EPSG:4534 = CM 75°E ... EPSG:4554 = CM 135°E; Rui'an lies in EPSG:4549, CM 120°E).
"""

from functools import cache

from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import GEOSGeometry

STORAGE_SRID = 4326
RUIAN_GK_SRID = 4549
MU_IN_M2 = 10000 / 15  # 1 亩 = 666.67 m²


def gk_srid_for(longitude: float) -> int:
    """The CGCS2000 3-degree GK zone (without zone prefix) for a longitude in China."""
    central_meridian = round(longitude / 3) * 3
    central_meridian = min(max(central_meridian, 75), 135)
    return 4534 + (central_meridian - 75) // 3


def area_m2(geom: GEOSGeometry) -> float:
    """Planar area in the local GK zone; 0 for points and lines."""
    if geom.dims < 2:
        return 0.0
    projected = geom.transform(_to_gk(gk_srid_for(geom.centroid.x)), clone=True)
    return projected.area


@cache
def _to_gk(srid: int) -> CoordTransform:
    """Building a transformation costs tens of milliseconds: make each one once."""
    return CoordTransform(SpatialReference(STORAGE_SRID), SpatialReference(srid))


def m2_to_mu(m2: float) -> float:
    return m2 / MU_IN_M2


def distance_m(a: GEOSGeometry, b: GEOSGeometry) -> float:
    """Metres between two WGS84 geometries, measured in the local GK zone (0 if they touch)."""
    to_gk = _to_gk(gk_srid_for(a.centroid.x))
    return a.transform(to_gk, clone=True).distance(b.transform(to_gk, clone=True))


def in_gk_zone(geom: GEOSGeometry, longitude: float) -> GEOSGeometry:
    """A WGS84 geometry as metres in the GK zone of `longitude`: project many geometries of one
    place once each, then measure between them with GEOS's `distance`."""
    return geom.transform(_to_gk(gk_srid_for(longitude)), clone=True)
