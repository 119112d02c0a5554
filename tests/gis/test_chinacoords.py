import math

import pytest

from gis.chinacoords import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    in_china,
    shift_coordinates,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

# (WGS84 lon, lat) -> (GCJ-02 lon, lat), as published with full precision by implementations of
# the same transform: googollee/eviltransform's test table (Shanghai, Shenzhen, Beijing) and
# wandergis/coordtransform's README example.
WGS84_TO_GCJ02_EXACT = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
    ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),
]
# Rounded or measured pairs, compared within 1e-5 degree (about a metre): the answer of AMap's
# own coordinate-conversion API for a point near Tiananmen (recorded, marked "api", in the
# tests of an R implementation), and hujiulong/gcoord's tests (5 decimals).
AMAP_API_WGS84_TO_GCJ02 = ((116.39089, 39.90734), (116.39713623, 39.90874539))
GCOORD_GCJ02_TO_WGS84 = ((123.0, 45.0), (122.99395597, 44.99804071))
GCOORD_GCJ02_TO_BD09 = ((123.0, 45.0), (123.00636499, 45.00636899))
# wandergis/coordtransform's README: BD-09 <-> GCJ-02 of (116.404, 39.915).
COORDTRANSFORM_GCJ02_TO_BD09 = ((116.404, 39.915), (116.41036949371029, 39.92133699351021))
COORDTRANSFORM_BD09_TO_GCJ02 = ((116.404, 39.915), (116.39762729119315, 39.90865673957631))

ROUGHLY = 1e-5  # degrees, for references published rounded


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance; plenty for checking round trips to a metre."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def china_grid() -> list[tuple[float, float]]:
    """Every 2.5 degrees over China's box, kept where GCJ-02 applies, plus Rui'an."""
    points = [
        (73.5 + 2.5 * i, 4.0 + 2.5 * j)
        for i in range(26)
        for j in range(21)
        if in_china(73.5 + 2.5 * i, 4.0 + 2.5 * j)
    ]
    return [*points, (120.65, 27.78), (121.18, 27.62)]


@pytest.mark.parametrize(("wgs84", "gcj02"), WGS84_TO_GCJ02_EXACT)
def test_wgs84_to_gcj02_matches_published_values(wgs84, gcj02):
    assert wgs84_to_gcj02(*wgs84) == pytest.approx(gcj02, abs=1e-9)


def test_wgs84_to_gcj02_agrees_with_amaps_own_conversion_within_a_metre():
    wgs84, gcj02 = AMAP_API_WGS84_TO_GCJ02
    assert wgs84_to_gcj02(*wgs84) == pytest.approx(gcj02, abs=ROUGHLY)


def test_gcj02_to_wgs84_matches_published_values():
    gcj02, wgs84 = GCOORD_GCJ02_TO_WGS84
    assert gcj02_to_wgs84(*gcj02) == pytest.approx(wgs84, abs=ROUGHLY)


@pytest.mark.parametrize(
    ("transform", "pair", "tolerance"),
    [
        (gcj02_to_bd09, COORDTRANSFORM_GCJ02_TO_BD09, 1e-9),
        (bd09_to_gcj02, COORDTRANSFORM_BD09_TO_GCJ02, 1e-9),
        (gcj02_to_bd09, GCOORD_GCJ02_TO_BD09, ROUGHLY),
    ],
)
def test_baidu_conversions_match_published_values(transform, pair, tolerance):
    source, target = pair
    assert transform(*source) == pytest.approx(target, abs=tolerance)


def test_gcj02_moves_points_in_ruian_by_a_few_hundred_metres():
    ruian = (120.65, 27.78)
    assert 300 < metres_between(ruian, wgs84_to_gcj02(*ruian)) < 800


@pytest.mark.parametrize("point", china_grid())
def test_wgs84_gcj02_round_trip_is_under_a_centimetre(point):
    assert metres_between(point, gcj02_to_wgs84(*wgs84_to_gcj02(*point))) < 0.01


@pytest.mark.parametrize("point", china_grid())
def test_wgs84_bd09_round_trip_is_under_a_metre(point):
    assert metres_between(point, bd09_to_wgs84(*wgs84_to_bd09(*point))) < 1.0


@pytest.mark.parametrize(
    "point", [(2.3522, 48.8566), (-74.006, 40.7128), (151.2093, -33.8688), (139.0, 60.0)]
)
def test_outside_china_gcj02_is_wgs84(point):
    assert not in_china(*point)
    assert wgs84_to_gcj02(*point) == point
    assert gcj02_to_wgs84(*point) == point


def test_shift_coordinates_walks_nested_geojson_arrays():
    ring = [[120.5, 27.9], [120.51, 27.9], [120.51, 27.91], [120.5, 27.9]]
    shifted = shift_coordinates([[ring]], wgs84_to_gcj02)
    assert shifted[0][0][1] == pytest.approx(list(wgs84_to_gcj02(120.51, 27.9)))
    assert len(shifted[0][0]) == 4
    assert shift_coordinates([120.5, 27.9], wgs84_to_gcj02) == list(wgs84_to_gcj02(120.5, 27.9))
