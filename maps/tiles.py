"""Mapbox vector tiles of the public layers: `/tiles/<layer>/<z>/<x>/<y>.mvt`.

A whole township's parcels are too many for one GeoJSON on a phone; tiles send only what is on
screen, at the precision the screen can show, and can be cached per tile.

On PostGIS a tile is ONE statement: filter with the GiST index (`geom && envelope`, the envelope
in the column's SRID 4326 so the index applies), transform to Web Mercator, clip and quantise
with ST_AsMVTGeom, encode with ST_AsMVT. On SpatiaLite (`make run`) the same tile is built in
Python with mapbox_vector_tile from a bbox query, with the same layer name, properties, extent,
buffer and clipping, so the development map looks like production.

Only public properties go into a tile (never book values, tenants or contacts), each layer's
list written out below.

GCJ-02 (AMap basemaps): with `shift=gcj02` every feature is moved onto the GCJ-02 streets at
display time; the stored data never change. The WGS84→GCJ-02 offset (a few hundred metres)
is smooth but not constant, so a tile applies its affine fit across that tile (exact at the
tile centre) rather than one translation. Residual error at Rui'an: 0.3 m at zoom 15, under
0.1 m from zoom 16, about 1 m at zoom 14; at every zoom it stays under 0.6 of a screen pixel
(a single translation would be 2.8 m off at zoom 15 and 1.4 m at 16). tests/gis/test_tiles.py
checks these bounds.
"""

import math
from dataclasses import dataclass
from functools import cache

import mapbox_vector_tile
import numpy as np
import shapely
from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import Model
from django.urls import reverse
from mapbox_vector_tile.encoder import on_invalid_geometry_make_valid
from shapely.affinity import affine_transform

from gis.chinacoords import gcj02_to_wgs84, wgs84_to_gcj02
from projects.models import Project
from registry.models import AdminUnit, Asset
from visits.models import Route, Site

EXTENT = 4096
BUFFER = 64
MAX_ZOOM = 20
CONTENT_TYPE = "application/vnd.mapbox-vector-tile"
SHIFT_GCJ02 = "gcj02"
SHIFTS = (SHIFT_GCJ02,)

EARTH_RADIUS = 6378137.0  # the sphere of EPSG:3857
HALF_WORLD = math.pi * EARTH_RADIUS
# The index filter reaches a little past the clip buffer, so a feature the affine shift moves
# into the buffer is still fetched; ST_AsMVTGeom's clip decides what is drawn.
FILTER_MARGIN = (BUFFER + 16) / EXTENT
_SENTINEL = 987654321


@dataclass(frozen=True)
class Tile:
    """One slippy-map tile (z/x/y as in OSM and ST_TileEnvelope: y counts down from the north)."""

    z: int
    x: int
    y: int

    @classmethod
    def containing(cls, lon: float, lat: float, z: int) -> "Tile":
        n = 2**z
        x = int((lon + 180.0) / 360.0 * n)
        y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
        return cls(z, min(max(x, 0), n - 1), min(max(y, 0), n - 1))

    @property
    def size(self) -> float:
        return 2 * HALF_WORLD / 2**self.z

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(min x, min y, max x, max y) in EPSG:3857 metres."""
        min_x = -HALF_WORLD + self.x * self.size
        max_y = HALF_WORLD - self.y * self.size
        return (min_x, max_y - self.size, min_x + self.size, max_y)

    def lonlat_bounds(self, margin: float = 0.0) -> tuple[float, float, float, float]:
        """(west, south, east, north); `margin` is a fraction of the tile, as in ST_TileEnvelope.

        Web Mercator maps x to longitude and y to latitude separately, so the tile's envelope
        in degrees is exactly the rectangle of its corners.
        """
        min_x, min_y, max_x, max_y = self.bounds
        pad = self.size * margin
        west, south = mercator_to_lonlat(min_x - pad, min_y - pad)
        east, north = mercator_to_lonlat(max_x + pad, max_y + pad)
        return west, south, east, north

    @property
    def centre(self) -> tuple[float, float]:
        min_x, min_y, max_x, max_y = self.bounds
        return mercator_to_lonlat((min_x + max_x) / 2, (min_y + max_y) / 2)


def mercator_to_lonlat(x: float, y: float) -> tuple[float, float]:
    lon = math.degrees(x / EARTH_RADIUS)
    lat = math.degrees(2 * math.atan(math.exp(y / EARTH_RADIUS)) - math.pi / 2)
    return lon, lat


def _lonlat_to_mercator(coords: np.ndarray) -> np.ndarray:
    lat = np.clip(coords[:, 1], -85.06, 85.06)
    return np.column_stack(
        (
            EARTH_RADIUS * np.radians(coords[:, 0]),
            EARTH_RADIUS * np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)),
        )
    )


@dataclass(frozen=True)
class Affine:
    """x' = a·x + b·y + xoff, y' = d·x + e·y + yoff in degrees: ST_Affine's 2-D argument order."""

    a: float = 1.0
    b: float = 0.0
    d: float = 0.0
    e: float = 1.0
    xoff: float = 0.0
    yoff: float = 0.0

    @property
    def params(self) -> tuple[float, float, float, float, float, float]:
        return (self.a, self.b, self.d, self.e, self.xoff, self.yoff)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            self.a * lon + self.b * lat + self.xoff,
            self.d * lon + self.e * lat + self.yoff,
        )

    def inverse(self) -> "Affine":
        det = self.a * self.e - self.b * self.d
        a, b, d, e = self.e / det, -self.b / det, -self.d / det, self.a / det
        return Affine(
            a, b, d, e, -(a * self.xoff + b * self.yoff), -(d * self.xoff + e * self.yoff)
        )


IDENTITY = Affine()


def gcj02_affine(tile: Tile) -> Affine:
    """The affine map that best follows WGS84→GCJ-02 across this tile.

    Exact at the WGS84 point drawn at the tile's centre; its slopes are the transform's secants
    across the tile, which keeps the worst error at the edges smaller than a tangent would.
    Outside China GCJ-02 equals WGS84 and this is the identity.
    """
    west, south, east, north = tile.lonlat_bounds()
    centre_lon, centre_lat = tile.centre
    lon, lat = gcj02_to_wgs84(centre_lon, centre_lat)
    hx, hy = (east - west) / 2, (north - south) / 2
    east_lon, east_lat = wgs84_to_gcj02(lon + hx, lat)
    west_lon, west_lat = wgs84_to_gcj02(lon - hx, lat)
    north_lon, north_lat = wgs84_to_gcj02(lon, lat + hy)
    south_lon, south_lat = wgs84_to_gcj02(lon, lat - hy)
    a, d = (east_lon - west_lon) / (2 * hx), (east_lat - west_lat) / (2 * hx)
    b, e = (north_lon - south_lon) / (2 * hy), (north_lat - south_lat) / (2 * hy)
    return Affine(a, b, d, e, centre_lon - a * lon - b * lat, centre_lat - d * lon - e * lat)


def shift_for(tile: Tile, shift: str) -> Affine:
    return gcj02_affine(tile) if shift == SHIFT_GCJ02 else IDENTITY


@dataclass(frozen=True)
class TileLayer:
    """What one tile layer shows: the public properties, named as they are in the tile."""

    name: str
    model: type[Model]
    geometry: str
    properties: tuple[str, ...]
    numbers: tuple[str, ...] = ()  # decimal fields sent as numbers, not text
    record_url: str | None = None  # URL name of the public record page, given the pk
    record_args: tuple[str, ...] = ()  # URL arguments before the pk

    def url_parts(self) -> tuple[str, str] | None:
        """The record URL around its pk, so SQL and Python build `/assets/<id>/` the same way."""
        if self.record_url is None:
            return None
        url = reverse(self.record_url, args=[*self.record_args, _SENTINEL])
        prefix, suffix = url.split(str(_SENTINEL))
        return prefix, suffix


LAYERS: dict[str, TileLayer] = {
    layer.name: layer
    for layer in (
        TileLayer(
            "assets",
            Asset,
            "geometry",
            ("id", "kind", "status", "name", "land_use", "building_use", "area_m2"),
            numbers=("area_m2",),
            record_url="qr:record-of",
            record_args=("asset",),
        ),
        TileLayer(
            "projects",
            Project,
            "location",
            ("id", "name", "stage", "category", "progress_percent"),
            record_url="qr:record-of",
            record_args=("project",),
        ),
        TileLayer(
            "sites",
            Site,
            "location",
            ("id", "name", "kind"),
            record_url="qr:record-of",
            record_args=("site",),
        ),
        TileLayer("routes", Route, "path", ("id", "name")),
        TileLayer("units", AdminUnit, "boundary", ("id", "name", "level", "code")),
    )
}


def tile_url_template(layer: str, shift: str = "") -> str:
    """`/tiles/<layer>/{z}/{x}/{y}.mvt` for Leaflet, with the shift the basemap needs."""
    url = reverse("gis:tile", kwargs={"layer": layer, "z": 0, "x": 0, "y": 0})
    url = url.removesuffix("/0/0/0.mvt") + "/{z}/{x}/{y}.mvt"
    return f"{url}?shift={shift}" if shift else url


def build_tile(layer: TileLayer, tile: Tile, *, shift: str = "") -> bytes:
    """The encoded tile; empty bytes when no feature reaches it."""
    affine = shift_for(tile, shift)
    if getattr(connection.ops, "postgis", False):
        return postgis_tile(layer, tile, affine)
    return python_tile(layer, tile, affine)


# --- PostGIS: one statement ------------------------------------------------------------------


@cache
def tile_sql(layer: TileLayer, shifted: bool = True) -> str:
    """The statement for a layer; parameters z, x, y, the affine and its inverse, URL parts.

    Unshifted tiles leave ST_Affine out altogether. The CTE is MATERIALIZED so PostgreSQL does
    not push `mvt_geom IS NOT NULL` down and compute ST_AsMVTGeom twice for every row.
    """
    qn = connection.ops.quote_name
    meta = layer.model._meta
    geom = f"t.{qn(meta.get_field(layer.geometry).column)}"
    columns = [
        f"t.{qn(meta.get_field(name).column)}{'::float8' if name in layer.numbers else ''}"
        f" AS {qn(name)}"
        for name in layer.properties
    ]
    if layer.record_url:
        columns.append(f"%(url_prefix)s || t.{qn(meta.pk.column)} || %(url_suffix)s AS {qn('url')}")
    select = ",\n        ".join(columns)
    envelope = (
        "ST_Transform(ST_TileEnvelope(%(z)s::int, %(x)s::int, %(y)s::int,"
        " margin => %(margin)s::float8), 4326)"
    )
    moved = geom
    if shifted:
        moved = f"ST_Affine({geom}, %(a)s, %(b)s, %(d)s, %(e)s, %(xoff)s, %(yoff)s)"
        envelope = f"ST_Affine({envelope}, %(ia)s, %(ib)s, %(id)s, %(ie)s, %(ixoff)s, %(iyoff)s)"
    # Only quoted identifiers from model metadata are formatted in; values are parameters.
    return f"""
WITH features AS MATERIALIZED (
    SELECT ST_AsMVTGeom(
            ST_Transform({moved}, 3857),
            ST_TileEnvelope(%(z)s::int, %(x)s::int, %(y)s::int),
            {EXTENT}, {BUFFER}, true
        ) AS mvt_geom,
        {select}
    FROM {qn(meta.db_table)} AS t
    WHERE {geom} && {envelope}
    ORDER BY t.{qn(meta.pk.column)}
)
SELECT ST_AsMVT(features, %(layer)s, {EXTENT}, 'mvt_geom')
FROM features
WHERE mvt_geom IS NOT NULL
"""  # noqa: S608


def tile_params(layer: TileLayer, tile: Tile, affine: Affine) -> dict:
    prefix, suffix = layer.url_parts() or ("", "")
    inverse = affine.inverse()
    return {
        "z": tile.z,
        "x": tile.x,
        "y": tile.y,
        "layer": layer.name,
        "margin": FILTER_MARGIN,
        "url_prefix": prefix,
        "url_suffix": suffix,
        **dict(zip(("a", "b", "d", "e", "xoff", "yoff"), affine.params, strict=True)),
        **dict(zip(("ia", "ib", "id", "ie", "ixoff", "iyoff"), inverse.params, strict=True)),
    }


def postgis_tile(layer: TileLayer, tile: Tile, affine: Affine) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(tile_sql(layer, affine != IDENTITY), tile_params(layer, tile, affine))
        (data,) = cursor.fetchone()
    return bytes(data or b"")


# --- SpatiaLite: the same tile in Python -----------------------------------------------------


def python_tile(layer: TileLayer, tile: Tile, affine: Affine) -> bytes:
    inverse = affine.inverse()
    west, south, east, north = tile.lonlat_bounds(FILTER_MARGIN)
    corners = [inverse(lon, lat) for lon in (west, east) for lat in (south, north)]
    lons, lats = [c[0] for c in corners], [c[1] for c in corners]
    envelope = Polygon.from_bbox((min(lons), min(lats), max(lons), max(lats)))
    envelope.srid = 4326
    rows = (
        layer.model._default_manager.filter(**{f"{layer.geometry}__intersects": envelope})
        .order_by("pk")
        .values_list(*layer.properties, layer.geometry)
    )
    to_tile = _tile_units(tile)
    url_parts = layer.url_parts()
    features = []
    for *values, geometry in rows:
        shape = shapely.from_wkb(bytes(geometry.wkb))
        shape = shapely.transform(affine_transform(shape, affine.params), to_tile)
        shape = _same_dimension(
            shapely.clip_by_rect(shape, -BUFFER, -BUFFER, EXTENT + BUFFER, EXTENT + BUFFER),
            shapely.get_dimensions(shape),
        )
        if shape is None:
            continue
        shape = shapely.set_precision(shape, 1.0)  # the integer grid, as ST_AsMVTGeom snaps
        if shape.is_empty:
            continue
        properties = _properties(layer, values, url_parts)
        features.append({"geometry": shape, "properties": properties})
    if not features:
        return b""
    return mapbox_vector_tile.encode(
        {"name": layer.name, "features": features},
        default_options={"extents": EXTENT, "on_invalid_geometry": on_invalid_geometry_make_valid},
    )


def _tile_units(tile: Tile):
    """lon/lat → this tile's MVT units (0..EXTENT, y up; the encoder flips y), vectorised."""
    min_x, min_y, _max_x, _max_y = tile.bounds
    scale = EXTENT / tile.size

    def project(coords: np.ndarray) -> np.ndarray:
        mercator = _lonlat_to_mercator(coords)
        return np.column_stack(((mercator[:, 0] - min_x) * scale, (mercator[:, 1] - min_y) * scale))

    return project


def _properties(layer: TileLayer, values: list, url_parts: tuple[str, str] | None) -> dict:
    """As ST_AsMVT writes them: NULLs left out, decimals as numbers."""
    properties = {
        name: float(value) if name in layer.numbers else value
        for name, value in zip(layer.properties, values, strict=True)
        if value is not None
    }
    if url_parts:
        properties["url"] = f"{url_parts[0]}{properties['id']}{url_parts[1]}"
    return properties


def _same_dimension(shape, dimension: int):
    """Clipping can leave slivers of a lower dimension (a polygon touching the edge); drop them."""
    if shape.is_empty:
        return None
    if shape.geom_type != "GeometryCollection":
        return shape
    parts = [part for part in shape.geoms if shapely.get_dimensions(part) == dimension]
    if not parts:
        return None
    return shapely.union_all(parts)
