"""The server-drawn picture of a record's place (gis.svgmap): geometry, frame, scale bar."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.gis.geos import GEOSGeometry, Point, Polygon

from gis.svgmap import (
    HEIGHT,
    MIN_SPAN_M,
    WIDTH,
    Neighbour,
    frame_for,
    place_svg,
    scale_length,
)

SVG = "{http://www.w3.org/2000/svg}"
HERE = Point(120.64, 27.78, srid=4326)


def square(lon, lat, half_deg):
    polygon = Polygon.from_bbox((lon - half_deg, lat - half_deg, lon + half_deg, lat + half_deg))
    polygon.srid = 4326
    return polygon


def test_a_point_is_drawn_at_the_centre_with_its_surroundings_at_least_min_span_across():
    frame = frame_for(HERE)
    assert frame.px(HERE.x, HERE.y) == (WIDTH / 2, HEIGHT / 2)
    assert frame.metres_per_px * WIDTH == pytest.approx(MIN_SPAN_M)
    root = ET.fromstring(place_svg(HERE, title="村委会"))  # noqa: S314 - our own output
    circles = root.findall(f"{SVG}circle")
    assert {(c.get("cx"), c.get("cy")) for c in circles} == {(str(WIDTH // 2), str(HEIGHT // 2))}
    assert root.find(f"{SVG}title").text == "村委会"


def test_the_scale_bar_is_true_to_the_ground():
    # 0.01° of longitude at 27.78°N is 985 m; a frame that wide shows a 200 m bar at the
    # length in pixels that 200 m covers.
    parcel = square(HERE.x, HERE.y, 0.002)
    frame = frame_for(parcel)
    length = scale_length(frame)
    assert length in (50, 100, 200)
    svg = place_svg(parcel)
    bar = re.search(r'<path d="M10 (\S+)V(\S+)H(\S+)V', svg)
    assert float(bar.group(3)) - 10 == pytest.approx(length / frame.metres_per_px, abs=0.1)
    assert f">{length} m<" in svg


def test_a_polygon_fits_the_picture_with_room_around_it():
    parcel = square(HERE.x, HERE.y, 0.003)
    root = ET.fromstring(place_svg(parcel))  # noqa: S314 - our own output
    paths = [p for p in root.findall(f"{SVG}path") if p.get("fill") == "#b91c1c"]
    assert len(paths) == 1
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", paths[0].get("d"))]
    xs, ys = numbers[0::2], numbers[1::2]
    assert 0 < min(xs) < max(xs) < WIDTH
    assert 0 < min(ys) < max(ys) < HEIGHT


def test_the_village_and_neighbours_far_beyond_the_frame_are_clipped_to_it():
    village = square(HERE.x, HERE.y, 0.5)  # 100 km across: clipped, not drawn whole
    far = Neighbour(Point(121.5, 28.5, srid=4326), "building")
    near = Neighbour(Point(HERE.x + 0.0005, HERE.y, srid=4326), "parcel")
    svg = place_svg(HERE, village=village, village_name="东岙村", neighbours=[far, near])
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    numbers = [
        float(n)
        for n in re.findall(
            r"-?\d+\.?\d*",
            " ".join(p.get("d") for p in root.findall(f"{SVG}path") if p.get("stroke-dasharray")),
        )
    ]
    assert numbers and all(-20 <= n <= WIDTH + 20 for n in numbers)
    neighbour_circles = [c for c in root.findall(f"{SVG}circle") if c.get("r") == "3.5"]
    assert len(neighbour_circles) == 1
    assert "东岙村" in svg
    assert len(svg.encode()) < 4_000


def test_names_are_escaped_in_the_picture():
    svg = place_svg(HERE, village_name="<script>x</script>", title='a"&b')
    ET.fromstring(svg)  # noqa: S314 - our own output
    assert "<script>" not in svg


def test_an_empty_geometry_is_refused():
    with pytest.raises(ValueError, match="no geometry"):
        place_svg(GEOSGeometry("POINT EMPTY", srid=4326))
