"""A small picture of a record's place, drawn on the server as SVG: no map library, no tiles.

A plaque page shows where its record is with this picture (a few kilobytes) instead of Leaflet
(about 160 KB): the record's geometry inside its village boundary, the neighbouring records in
grey, a scale bar and north. The interactive map stays one tap away.

Geometries are WGS84 (EPSG:4326) GEOS geometries. They are drawn in a local equirectangular
projection around the frame's centre (metres east and north), which over a frame of a few
hundred metres differs from the true scale by far less than a pixel; the scale bar is computed in
the same projection. Output coordinates are SVG pixels with y pointing down.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.contrib.gis.geos import GEOSGeometry, Polygon

from gis.maps import UNIT_STYLE

WIDTH, HEIGHT = 360, 216  # px: the picture's intrinsic size (5:3), scaled to the phone's width
MIN_SPAN_M = 320  # the narrowest frame, so a point shows its surroundings
PADDING = 0.6  # of the record's own size, around it
AREA_PADDING = 0.04  # around an area the frame shows whole (the village)
METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON_EQUATOR = 111_320.0
NICE_LENGTHS_M = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000)
ACCENT = "#b91c1c"
NEIGHBOUR_FILL, NEIGHBOUR_LINE = "#cbd5e1", "#64748b"  # the records around, in grey
MAX_NEIGHBOURS = 300


@dataclass(frozen=True)
class Neighbour:
    """Another record drawn for context: its geometry and how to colour it."""

    geometry: GEOSGeometry
    kind: str = ""  # an asset kind ("building"…), "project", "site" or ""


@dataclass(frozen=True)
class Frame:
    """The ground the picture covers: centre (degrees) and metres per pixel."""

    lon0: float
    lat0: float
    metres_per_px: float

    @property
    def cos_lat(self) -> float:
        return math.cos(math.radians(self.lat0))

    def px(self, lon: float, lat: float) -> tuple[float, float]:
        east = (lon - self.lon0) * METRES_PER_DEGREE_LON_EQUATOR * self.cos_lat
        north = (lat - self.lat0) * METRES_PER_DEGREE_LAT
        return WIDTH / 2 + east / self.metres_per_px, HEIGHT / 2 - north / self.metres_per_px

    def bbox(self, margin_px: float = 8) -> Polygon:
        """The frame in degrees, a little larger than the picture (clip shapes to it)."""
        half_w = (WIDTH / 2 + margin_px) * self.metres_per_px
        half_h = (HEIGHT / 2 + margin_px) * self.metres_per_px
        d_lon = half_w / (METRES_PER_DEGREE_LON_EQUATOR * self.cos_lat)
        d_lat = half_h / METRES_PER_DEGREE_LAT
        box = (self.lon0 - d_lon, self.lat0 - d_lat, self.lon0 + d_lon, self.lat0 + d_lat)
        polygon = Polygon.from_bbox(box)
        polygon.srid = 4326
        return polygon


def frame_for(geometry: GEOSGeometry, *, padding: float = PADDING) -> Frame:
    """The frame that shows `geometry` with `padding` (of its size) around it, at least
    MIN_SPAN_M across."""
    min_x, min_y, max_x, max_y = geometry.extent
    lon0, lat0 = (min_x + max_x) / 2, (min_y + max_y) / 2
    cos_lat = math.cos(math.radians(lat0))
    width_m = (max_x - min_x) * METRES_PER_DEGREE_LON_EQUATOR * cos_lat * (1 + 2 * padding)
    height_m = (max_y - min_y) * METRES_PER_DEGREE_LAT * (1 + 2 * padding)
    metres_per_px = max(width_m / WIDTH, height_m / HEIGHT, MIN_SPAN_M / WIDTH)
    return Frame(lon0, lat0, metres_per_px)


def scale_length(frame: Frame) -> int:
    """The longest round length (m) that fits in a quarter of the picture's width."""
    limit = WIDTH / 4 * frame.metres_per_px
    fitting = [length for length in NICE_LENGTHS_M if length <= limit]
    return fitting[-1] if fitting else NICE_LENGTHS_M[0]


def _fmt(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _ring_path(frame: Frame, coords) -> str:
    points = [frame.px(x, y) for x, y, *_ in coords]
    out, last = [], None
    for x, y in points:
        point = (_fmt(x), _fmt(y))
        if point != last:
            out.append(f"{point[0]} {point[1]}")
            last = point
    if len(out) < 3:
        return ""
    return "M" + "L".join(out) + "Z"


def _parts(geometry: GEOSGeometry, kind: str) -> Iterable[GEOSGeometry]:
    """The `kind` ("Polygon", "LineString" or "Point") parts of a geometry, however nested."""
    if geometry.geom_type == kind:
        yield geometry
    elif geometry.geom_type in (f"Multi{kind}", "GeometryCollection"):
        for part in geometry:
            yield from _parts(part, kind)


def _clip(frame: Frame, geometry: GEOSGeometry) -> GEOSGeometry | None:
    """The part of `geometry` inside the frame, simplified to half a pixel."""
    if geometry is None or geometry.empty:
        return None
    box = frame.bbox()
    if not geometry.intersects(box):
        return None
    if geometry.geom_type != "Point":
        geometry = geometry.intersection(box)
        tolerance = 0.5 * frame.metres_per_px / METRES_PER_DEGREE_LAT
        geometry = geometry.simplify(tolerance, preserve_topology=True)
    return None if geometry.empty else geometry


def _shape(frame: Frame, geometry: GEOSGeometry, *, attrs: str, radius: float) -> list[str]:
    """SVG elements for a geometry: polygons as one path, lines as polylines, points as circles."""
    out = []
    rings = []
    for polygon in _parts(geometry, "Polygon"):
        rings.extend(_ring_path(frame, ring.coords) for ring in polygon)
    if any(rings):
        out.append(f'<path d="{"".join(rings)}" fill-rule="evenodd" {attrs}/>')
    for line in _parts(geometry, "LineString"):
        points = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in (frame.px(*c[:2]) for c in line))
        out.append(f'<polyline points="{points}" fill="none" {attrs}/>')
    for point in _parts(geometry, "Point"):
        x, y = frame.px(point.x, point.y)
        out.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="{radius}" {attrs}/>')
    return out


def place_svg(
    subject: GEOSGeometry,
    *,
    village: GEOSGeometry | None = None,
    village_name: str = "",
    other_units: Iterable[GEOSGeometry] = (),
    neighbours: Iterable[Neighbour] = (),
    title: str = "",
    north: str = "N",
    show: GEOSGeometry | None = None,
) -> str:
    """The SVG document (text) of `subject`'s place: WIDTH × HEIGHT px, a few kilobytes.

    `village` is drawn as a dashed outline with `village_name` in the corner, `other_units` as
    thin grey outlines, `neighbours` (at most MAX_NEIGHBOURS are drawn) in grey, and `subject`
    in the accent colour on top. The frame shows `show` (the village, say) when given, else the
    subject with room around it. `title` is the picture's accessible name.
    Raises ValueError for an empty subject geometry.
    """
    if subject is None or subject.empty:
        raise ValueError("The record has no geometry to draw.")
    frame = (
        frame_for(show, padding=AREA_PADDING)
        if show is not None and not show.empty
        else frame_for(subject)
    )
    body: list[str] = []
    for unit in other_units:
        clipped = _clip(frame, unit)
        if clipped is not None:
            body += _shape(
                frame, clipped, attrs='fill="none" stroke="#94a3b8" stroke-width="1"', radius=0
            )
    if village is not None and (clipped := _clip(frame, village)) is not None:
        body += _shape(
            frame,
            clipped,
            attrs=(
                f'fill="{UNIT_STYLE["fillColor"]}" fill-opacity="0.35" '
                f'stroke="{UNIT_STYLE["color"]}" stroke-width="1.5" stroke-dasharray="6 4"'
            ),
            radius=0,
        )
    for count, neighbour in enumerate(neighbours):
        if count >= MAX_NEIGHBOURS:
            break
        clipped = _clip(frame, neighbour.geometry)
        if clipped is None:
            continue
        body += _shape(
            frame,
            clipped,
            attrs=f'fill="{NEIGHBOUR_FILL}" stroke="{NEIGHBOUR_LINE}" stroke-width="1"',
            radius=3.5,
        )
    body += _shape(
        frame,
        _clip(frame, subject) or subject,
        attrs=f'fill="{ACCENT}" fill-opacity="0.45" stroke="{ACCENT}" stroke-width="2.5"',
        radius=7,
    )
    for point in _parts(subject, "Point"):  # a ring around a point, so it reads as "here"
        x, y = frame.px(point.x, point.y)
        body.append(
            f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="13" fill="none" stroke="{ACCENT}" '
            'stroke-width="2" stroke-opacity="0.5"/>'
        )
    body += _furniture(frame, village_name=village_name, north=north)
    label = f"<title>{escape(title)}</title>" if title else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" '
        'font-family="sans-serif" stroke-linejoin="round">'
        f'{label}<rect width="{WIDTH}" height="{HEIGHT}" fill="#f8fafc"/>'
        + "".join(body)
        + "</svg>"
    )


def _furniture(frame: Frame, *, village_name: str, north: str) -> list[str]:
    """Scale bar (bottom left), north arrow (top right), the village's name (top left)."""
    length = scale_length(frame)
    bar_px = length / frame.metres_per_px
    label = f"{length // 1000} km" if length >= 1000 else f"{length} m"
    x0, y0 = 10, HEIGHT - 12
    out = [
        f'<rect x="{x0 - 4}" y="{y0 - 17}" width="{_fmt(bar_px + 8)}" height="24" '
        'fill="#ffffff" fill-opacity="0.8"/>',
        f'<path d="M{x0} {y0 - 4}V{y0}H{_fmt(x0 + bar_px)}V{y0 - 4}" fill="none" '
        'stroke="#0f172a" stroke-width="1.5"/>',
        f'<text x="{x0}" y="{y0 - 6}" font-size="11" fill="#0f172a">{label}</text>',
        f'<g transform="translate({WIDTH - 18} 12)"><path d="M0 0L6 16L0 12L-6 16Z" '
        'fill="#0f172a"/>'
        f'<text y="28" font-size="11" text-anchor="middle" fill="#0f172a">{escape(north)}</text>'
        "</g>",
    ]
    if village_name:
        out.append(
            f'<text x="8" y="16" font-size="12" fill="{UNIT_STYLE["color"]}" '
            'stroke="#ffffff" stroke-width="3" paint-order="stroke">'
            f"{escape(village_name)}</text>"
        )
    return out
