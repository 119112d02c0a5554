"""GPX 1.1 documents for visitors' routes, for the hiking and car apps phones already have.

One route is written three ways because apps read different parts: waypoints (<wpt>) show as
pins, the route (<rte>) as turn-by-turn stops, and the track (<trk>) as the line to follow.
Elements are written in the order the GPX 1.1 schema requires, or strict readers refuse them.
"""

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

GPX_NS = "http://www.topografix.com/GPX/1/1"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{GPX_NS} http://www.topografix.com/GPX/1/1/gpx.xsd"
CONTENT_TYPE = "application/gpx+xml"
DECIMALS = 7  # about 1 cm

# GPX readers expect the namespace as the default one, not an "ns0:" prefix. ElementTree's
# default_namespace option rejects unprefixed attributes (lat, lon), so register it instead.
ET.register_namespace("", GPX_NS)


@dataclass(frozen=True)
class GpxPoint:
    lon: float
    lat: float
    name: str
    description: str = ""
    url: str = ""
    kind: str = ""


def _tag(name: str) -> str:
    return f"{{{GPX_NS}}}{name}"


def _child(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, _tag(name), attrs)
    if text is not None:
        element.text = text
    return element


def _position(lon: float, lat: float) -> dict[str, str]:
    return {"lat": f"{lat:.{DECIMALS}f}", "lon": f"{lon:.{DECIMALS}f}"}


def _link(parent: ET.Element, url: str, text: str) -> None:
    if url:
        _child(_child(parent, "link", href=url), "text", text)


def _named(element: ET.Element, name: str, description: str, url: str) -> ET.Element:
    """Name, description and link, in the order metadata, rte and trk all require."""
    _child(element, "name", name)
    if description:
        _child(element, "desc", description)
    _link(element, url, name)
    return element


def _point(parent: ET.Element, tag: str, point: GpxPoint) -> None:
    """A wpt or rtept: both have the wptType content model (name, desc, link, type, in order)."""
    element = _named(
        _child(parent, tag, **_position(point.lon, point.lat)),
        point.name,
        point.description,
        point.url,
    )
    if point.kind:
        _child(element, "type", point.kind)


def route_gpx(
    *,
    name: str,
    stops: Sequence[GpxPoint],
    path: Sequence[Sequence[float]],
    description: str = "",
    url: str = "",
    creator: str = "Qinglian",
) -> bytes:
    """A GPX 1.1 document: a waypoint per stop, the stops as a route, the path as a track.

    `path` holds (lon, lat) vertices, the GeoJSON and GEOS order.
    """
    root = ET.Element(
        _tag("gpx"),
        {"version": "1.1", "creator": creator, f"{{{XSI_NS}}}schemaLocation": SCHEMA_LOCATION},
    )
    _named(_child(root, "metadata"), name, description, url)
    for stop in stops:
        _point(root, "wpt", stop)

    rte = _named(_child(root, "rte"), name, description, url)
    for stop in stops:
        _point(rte, "rtept", stop)

    if path:
        trk = _named(_child(root, "trk"), name, description, url)
        segment = _child(trk, "trkseg")
        for lon, lat, *_ in path:
            _child(segment, "trkpt", **_position(lon, lat))

    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
