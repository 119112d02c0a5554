import copy
import json
import re

import pytest
from django.test import override_settings
from django.urls import reverse

from gis.basemaps import GCJ02, WGS84, current_basemap
from gis.chinacoords import wgs84_to_gcj02
from gis.maps import record_map

LABELS = {"units": "Boundaries", "assets": "Assets", "projects": "Projects", "sites": "Sites"}
POINT = (120.5048617, 27.9146519)
SQUARE = [[[120.50, 27.90], [120.51, 27.90], [120.51, 27.91], [120.50, 27.91], [120.50, 27.90]]]


@pytest.mark.parametrize("value", ["", "none", "  none  ", "nonsense", "tianditu", "tianditu:"])
def test_unknown_or_incomplete_basemaps_fall_back_to_offline(value):
    basemap = current_basemap(value)
    assert basemap.name == "none"
    assert basemap.is_offline
    assert basemap.crs == WGS84
    assert not basemap.is_shifted


@pytest.mark.parametrize("value", ["osm", " OSM ", "Osm"])
def test_osm_basemap_is_one_wgs84_layer(value):
    basemap = current_basemap(value)
    assert basemap.name == "osm"
    assert [layer.url for layer in basemap.layers] == [
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    ]
    assert not basemap.is_shifted


def test_tianditu_keeps_its_key_and_adds_the_label_overlay():
    basemap = current_basemap("tianditu:AbC123")
    assert basemap.name == "tianditu"
    vec, cva = basemap.layers
    assert "LAYER=vec" in vec.url and "tk=AbC123" in vec.url and not vec.overlay
    assert "LAYER=cva" in cva.url and cva.overlay
    assert "{z}" in vec.url and "{x}" in vec.url and "{y}" in vec.url
    assert not basemap.is_shifted


@pytest.mark.parametrize("value", ["amap", "AMap", " amap "])
def test_amap_basemap_is_gcj02_and_says_the_data_must_be_shifted(value):
    basemap = current_basemap(value)
    assert basemap.name == "amap"
    assert basemap.crs == GCJ02
    assert basemap.is_shifted
    (layer,) = basemap.layers
    assert layer.url.startswith("https://webrd0{s}.is.autonavi.com/appmaptile?")
    assert all(f"{{{v}}}" in layer.url for v in "xyz")
    assert layer.subdomains == "1234"


def test_the_setting_is_read_when_no_value_is_given(settings):
    settings.BASEMAP = "amap"
    assert current_basemap().is_shifted
    settings.BASEMAP = "none"
    assert current_basemap().is_offline


def numbers_in(script: str) -> set[float]:
    return {float(n) for n in re.findall(r"-?\d+\.\d+", script)}


def collections() -> dict:
    return {
        "units": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "MultiPolygon", "coordinates": [SQUARE]},
                    "properties": {"name": "村", "url": "/units/1/"},
                }
            ],
        },
        "assets": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": list(POINT)},
                    "properties": {"name": "店", "kind": "building", "url": "/assets/1/"},
                }
            ],
        },
    }


def test_record_map_on_amap_shifts_features_and_bounds_but_not_the_callers_data():
    data = collections()
    untouched = copy.deepcopy(data)
    with override_settings(BASEMAP="amap"):
        rendered = record_map(**data, bounds=(*POINT, *POINT), labels=LABELS, zoom=16)
    assert data == untouched
    numbers = numbers_in(str(rendered.script))
    shifted_lon, shifted_lat = wgs84_to_gcj02(*POINT)
    assert shifted_lon in numbers and shifted_lat in numbers
    assert POINT[0] not in numbers and POINT[1] not in numbers
    corner = wgs84_to_gcj02(120.51, 27.91)
    assert corner[0] in numbers and corner[1] in numbers
    assert "autonavi.com" in str(rendered.script)


def test_record_map_on_a_wgs84_basemap_draws_the_stored_coordinates():
    with override_settings(BASEMAP="none"):
        rendered = record_map(**collections(), bounds=(*POINT, *POINT), labels=LABELS)
    numbers = numbers_in(str(rendered.script))
    assert POINT[0] in numbers and POINT[1] in numbers
    assert wgs84_to_gcj02(*POINT)[0] not in numbers


@pytest.mark.django_db
def test_the_township_map_on_amap_asks_for_shifted_tiles_and_shifts_its_view(client):
    with override_settings(BASEMAP="amap"):
        html = client.get(reverse("gis:township-map", args=["330381102"])).content.decode()
    assert '"/tiles/assets/{z}/{x}/{y}.mvt?shift=gcj02"' in html
    assert "autonavi.com" in html
    config = json.loads(
        re.search(
            r"QinglianTileMap\.attach\([^,]+,\s*\{[^}]*\},\s*(\{.*?\})\s*\);", html, re.S
        ).group(1)
    )
    assert config["shift"] == "gcj02"


@pytest.mark.django_db
def test_the_township_map_offline_asks_for_unshifted_tiles(client):
    with override_settings(BASEMAP="none"):
        html = client.get(reverse("gis:township-map", args=["330381102"])).content.decode()
    assert '"/tiles/assets/{z}/{x}/{y}.mvt"' in html
    assert "shift=gcj02" not in html
    assert "tile.openstreetmap.org" not in html
