"""The township map asks only for tiles where its layers have data (Leaflet's `bounds`).

Without bounds, a phone opening 曹村镇's map asked for 105 tiles, 55 of them empty (204); the
same map drawn without its bounds, in the same run, is the baseline here.
"""

import re

import pytest

from gis.maps import TILE_BOUNDS_MARGIN
from maps import selectors
from maps.tiles import Tile
from registry.models import AdminUnit
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

TOWNSHIP = "330381102"  # 曹村镇
TILE_URL = re.compile(r"/tiles/(\w+)/(\d+)/(\d+)/(\d+)\.mvt")
# A layer's option as folium writes it: "bounds": [[south, west], [north, east]].
BOUNDS_OPTION = re.compile(r'"bounds": \[\s*\[[^\]]*\],\s*\[[^\]]*\],?\s*\],?')
COUNT_PATHS = "() => document.querySelectorAll('.leaflet-container svg path').length > 50"


def open_map(page, url: str, *, without_bounds: bool = False) -> list[tuple[str, Tile, int]]:
    """The tiles the map asked for as it opened: (layer, tile, status)."""
    if without_bounds:

        def strip_bounds(route):
            response = route.fetch()
            html, count = BOUNDS_OPTION.subn("", response.text())
            assert count >= 4, "the map's layers carry no bounds to strip"
            route.fulfill(response=response, body=html)

        page.route(url, strip_bounds)
    seen = []

    def record(response):
        match = TILE_URL.search(response.url)
        if match:
            layer, z, x, y = match.groups()
            seen.append((layer, Tile(int(z), int(x), int(y)), response.status))

    page.on("response", record)
    page.goto(url)
    page.wait_for_function(COUNT_PATHS)
    page.wait_for_load_state("networkidle")
    page.remove_listener("response", record)
    return seen


def overlaps(tile: Tile, bounds: tuple[float, float, float, float]) -> bool:
    west, south, east, north = tile.lonlat_bounds()
    min_x, min_y, max_x, max_y = bounds
    pad = TILE_BOUNDS_MARGIN + 1e-6
    return west < max_x + pad and east > min_x - pad and south < max_y + pad and north > min_y - pad


def empty_share(tiles: list[tuple[str, Tile, int]]) -> float:
    return sum(status == 204 for *_, status in tiles) / len(tiles)


def test_the_township_map_asks_for_no_tile_outside_its_layers_data(demo_server, phone):
    url = f"{demo_server.url}/maps/{TOWNSHIP}/"
    extents = selectors.layer_extents(AdminUnit.objects.get(code=TOWNSHIP))

    bounded = open_map(phone, url)
    screenshot(phone, "township-map-bounded-390")
    assert {layer for layer, _, _ in bounded} == set(extents)
    outside = [(layer, tile) for layer, tile, _ in bounded if not overlaps(tile, extents[layer])]
    assert outside == []
    assert [status for *_, status in bounded if status not in (200, 204, 304)] == []
    zooms = {tile.z for _layer, tile, _status in bounded}
    assert len(zooms) == 1, f"tiles of one zoom level only, not {zooms}"

    # Far fewer requests and empty answers than the same map without bounds.
    unbounded = open_map(phone, url, without_bounds=True)
    empty_bounded = sum(status == 204 for *_, status in bounded)
    empty_unbounded = sum(status == 204 for *_, status in unbounded)
    assert len(bounded) <= 0.6 * len(unbounded), (len(bounded), len(unbounded))
    assert empty_bounded <= 0.4 * empty_unbounded, (empty_bounded, empty_unbounded)
    assert empty_share(bounded) < 0.4 < empty_share(unbounded)
