import json
import math
import re
from decimal import Decimal
from pathlib import Path

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.urls import Resolver404, resolve, reverse
from django.utils import translation

from gis.chinacoords import wgs84_to_gcj02
from maps import tiles
from maps.tiles import BUFFER, EXTENT, Tile
from projects.models import Project
from registry import services
from registry.models import AdminUnit, Asset
from visits.models import Route, Site

pytestmark = pytest.mark.django_db
BUDGETS = json.loads((Path(__file__).parents[1] / "query_counts.json").read_text())
PUBLIC_PROPERTIES = {
    "assets": {"id", "kind", "status", "name", "land_use", "building_use", "area_m2", "url"},
    "projects": {"id", "name", "stage", "category", "progress_percent", "url"},
    "sites": {"id", "name", "kind", "url"},
    "routes": {"id", "name"},
    "units": {"id", "name", "level", "code"},
}
MODELS = {
    "assets": (Asset, "geometry"),
    "projects": (Project, "location"),
    "sites": (Site, "location"),
    "routes": (Route, "path"),
    "units": (AdminUnit, "boundary"),
}
ON_POSTGIS = getattr(connection.ops, "postgis", False)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def slippy(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The standard OSM slippy-map formula, written out here independently of maps.tiles."""
    n = 2**z
    lat_rad = math.radians(lat)
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.log(math.tan(lat_rad) + 1 / math.cos(lat_rad)) / math.pi) / 2.0 * n)
    return x, y


def lonlat_at(z: int, x: int, y: int, px: float, py: float) -> tuple[float, float]:
    """The lon/lat of tile coordinates (px, py), in MVT units with y down, of tile z/x/y."""
    n = 2**z
    lon = (x + px / EXTENT) / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + py / EXTENT) / n))))
    return lon, lat


def tile_url(layer: str, z: int, x: int, y: int) -> str:
    return reverse("gis:tile", kwargs={"layer": layer, "z": z, "x": x, "y": y})


def decode(content: bytes) -> dict:
    return mapbox_vector_tile.decode(content, default_options={"y_coord_down": True})


def features(client, layer: str, z: int, x: int, y: int, **params) -> list[dict]:
    response = client.get(tile_url(layer, z, x, y), params)
    assert response.status_code in (200, 204), response.content
    if response.status_code == 204:
        return []
    return decode(response.content)[layer]["features"]


def all_points(geometry: dict) -> list[tuple[float, float]]:
    def walk(coords):
        if coords and isinstance(coords[0], int | float):
            yield tuple(coords)
        else:
            for c in coords:
                yield from walk(c)

    return list(walk(geometry["coordinates"]))


def one_of(layer: str):
    model, field = MODELS[layer]
    obj = model.objects.filter(**{f"{field}__isnull": False}).order_by("pk").first()
    return obj, getattr(obj, field).point_on_surface


@pytest.mark.parametrize("layer", list(tiles.LAYERS))
def test_a_tile_over_a_record_carries_it_with_public_properties_only(client, layer):
    obj, point = one_of(layer)
    x, y = slippy(point.x, point.y, 15)
    response = client.get(tile_url(layer, 15, x, y))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    decoded = decode(response.content)
    assert list(decoded) == [layer]
    found = {f["properties"]["id"]: f["properties"] for f in decoded[layer]["features"]}
    assert obj.pk in found
    for properties in found.values():
        assert set(properties) <= PUBLIC_PROPERTIES[layer]
        assert {"id", "name"} <= set(properties)
    if "url" in PUBLIC_PROPERTIES[layer]:
        assert found[obj.pk]["url"] == f"/e/of/{layer[:-1]}/{obj.pk}/"


def test_asset_properties_are_typed_and_restricted_fields_never_appear(client):
    parcel = Asset.objects.filter(kind="parcel").first()
    services.update_asset(parcel, actor=None, book_value=Decimal("98765.43"), external_id="X-77")
    point = parcel.geometry.point_on_surface
    x, y = slippy(point.x, point.y, 15)
    response = client.get(tile_url("assets", 15, x, y))
    properties = {
        f["properties"]["id"]: f["properties"]
        for f in decode(response.content)["assets"]["features"]
    }[parcel.pk]
    assert properties["area_m2"] == pytest.approx(float(parcel.area_m2))
    assert isinstance(properties["area_m2"], float)
    assert properties["land_use"] == parcel.land_use
    assert properties["status"] == parcel.status
    for restricted in (b"book_value", b"98765", b"external_id", b"X-77", b"owner"):
        assert restricted not in response.content


def test_geometry_is_clipped_to_the_tile_and_its_buffer(client):
    township = AdminUnit.objects.get(code="330381102")
    point = township.boundary.point_on_surface
    x, y = slippy(point.x, point.y, 16)
    found = features(client, "units", 16, x, y)
    coords = [c for f in found for c in all_points(f["geometry"])]
    assert coords
    assert all(-BUFFER <= v <= EXTENT + BUFFER for c in coords for v in c)
    # The township is larger than the tile: its outline is cut at the buffer, not at the tile.
    assert any(v in (-BUFFER, EXTENT + BUFFER) for c in coords for v in c)


@pytest.fixture
def edge_assets():
    """Buildings around tile 15/x/y of a demo asset: 40 units past each edge (inside the 64-unit
    buffer) and 90 units past (outside it), plus one in the middle. Latitude is computed from
    the Mercator formula, so a linear guess at the north/south edges would fail."""
    asset = Asset.objects.filter(village__code="330381102201", kind="building").first()
    x, y = slippy(asset.geometry.x, asset.geometry.y, 15)
    owner = asset.village.cooperatives.first()
    placed = {
        "middle": (2048, 2048),
        "west-in": (-40, 2048),
        "west-out": (-90, 2048),
        "east-in": (EXTENT + 40, 1000),
        "east-out": (EXTENT + 90, 1000),
        "north-in": (3000, -40),
        "north-out": (3000, -90),
        "south-in": (1000, EXTENT + 40),
        "south-out": (1000, EXTENT + 90),
    }
    for name, (px, py) in placed.items():
        lon, lat = lonlat_at(15, x, y, px, py)
        services.create_asset(
            actor=None,
            kind=Asset.Kind.BUILDING,
            name=f"edge {name}",
            village=asset.village,
            owner=owner,
            building_use=Asset.BuildingUse.SHOP,
            geometry=Point(lon, lat, srid=4326),
            book_value=Decimal("1000"),
        )
    return x, y, placed


def test_a_feature_inside_the_buffer_is_drawn_and_one_outside_is_not(client, edge_assets):
    x, y, placed = edge_assets
    drawn = {
        f["properties"]["name"].removeprefix("edge "): all_points(f["geometry"])[0]
        for f in features(client, "assets", 15, x, y)
        if f["properties"]["name"].startswith("edge ")
    }
    assert set(drawn) == {name for name in placed if not name.endswith("-out")}
    for name, (px, py) in drawn.items():
        assert (px, py) == pytest.approx(placed[name], abs=1)


def test_the_neighbour_tile_draws_the_same_edge_feature_inside_itself(client, edge_assets):
    x, y, _placed = edge_assets
    west = {
        f["properties"]["name"]: all_points(f["geometry"])[0]
        for f in features(client, "assets", 15, x - 1, y)
    }
    assert west["edge west-in"] == pytest.approx((EXTENT - 40, 2048), abs=1)
    assert west["edge west-out"] == pytest.approx((EXTENT - 90, 2048), abs=1)
    assert "edge east-in" not in west


def test_a_tile_answers_304_to_its_etag_and_changes_when_the_record_does(client):
    _obj, point = one_of("assets")
    x, y = slippy(point.x, point.y, 14)
    url = tile_url("assets", 14, x, y)
    first = client.get(url)
    etag = first["ETag"]
    assert "max-age=300" in first["Cache-Control"] and "public" in first["Cache-Control"]
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert not again.content
    shifted = client.get(url, {"shift": "gcj02"})
    assert shifted["ETag"] != etag
    assert client.get(url, {"shift": "gcj02"}, headers={"if-none-match": etag}).status_code == 200
    asset = Asset.objects.filter(status=Asset.Status.IN_USE).first()
    services.update_asset(asset, actor=None, status=Asset.Status.IDLE)
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200


def test_an_empty_tile_is_204_with_no_body_but_still_cacheable(client):
    x, y = slippy(0.5, 0.5, 15)  # the Gulf of Guinea
    response = client.get(tile_url("assets", 15, x, y))
    assert response.status_code == 204
    assert response.content == b""
    assert response["ETag"]
    assert (
        client.get(
            tile_url("assets", 15, x, y), headers={"if-none-match": response["ETag"]}
        ).status_code
        == 304
    )


def test_tile_zero_covers_the_world_down_to_the_mercator_limit(client):
    found = features(client, "units", 0, 0, 0)
    assert "city" in {f["properties"]["level"] for f in found}  # villages are under a unit
    assert Tile(0, 0, 0).lonlat_bounds() == pytest.approx((-180, -85.0511288, 180, 85.0511288))


@pytest.mark.parametrize(
    ("url", "status", "reason"),
    [
        ("/tiles/assets/25/1/1.mvt", 404, "zoom 25"),
        ("/tiles/assets/21/0/0.mvt", 404, "zoom runs from 0 to 20"),
        ("/tiles/assets/2/4/1.mvt", 400, "out of range"),
        ("/tiles/assets/2/1/4.mvt", 400, "out of range"),
        ("/tiles/assets/20/1048576/0.mvt", 400, "out of range"),
        ("/tiles/buildings/2/1/1.mvt", 404, "Unknown layer"),
        ("/tiles/assets/2/1/1.mvt?shift=bd09", 400, "Unknown shift"),
    ],
)
def test_bad_tile_requests_get_a_4xx_with_a_reason(client, url, status, reason):
    response = client.get(url, headers={"accept-language": "en"})
    assert response.status_code == status
    assert reason in response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    ["/tiles/assets/a/1/1.mvt", "/tiles/assets/1/-1/0.mvt", "/tiles/assets/1/0/0.5.mvt",
     "/tiles/assets/1/0/0.png", "/tiles/assets/1/0.mvt"],
)  # fmt: skip
def test_non_numeric_tile_paths_never_reach_the_view(client, url):
    with pytest.raises(Resolver404):
        resolve(url)
    assert client.get(url).status_code == 404


def test_tiles_answer_head_but_refuse_writes(client):
    _obj, point = one_of("assets")
    x, y = slippy(point.x, point.y, 14)
    assert client.head(tile_url("assets", 14, x, y)).status_code == 200
    assert client.post(tile_url("assets", 14, x, y)).status_code == 405


def test_a_tile_stays_within_its_query_budget(client, django_assert_max_num_queries):
    _obj, point = one_of("assets")
    x, y = slippy(point.x, point.y, 13)
    with django_assert_max_num_queries(BUDGETS["gis:tile"]):
        assert client.get(tile_url("assets", 13, x, y)).status_code == 200


@pytest.mark.skipif(not ON_POSTGIS, reason="PostGIS plans only")
def test_the_tile_query_filters_with_the_spatial_index():
    layer = tiles.LAYERS["assets"]
    _obj, point = one_of("assets")
    tile = Tile.containing(point.x, point.y, 15)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN " + tiles.tile_sql(layer), tiles.tile_params(layer, tile, tiles.IDENTITY)
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert re.search(r"Index.*geometry", plan, re.IGNORECASE), plan


@pytest.mark.parametrize("layer", list(tiles.LAYERS))
@pytest.mark.parametrize("shift", ["", "gcj02"])
def test_the_python_tile_for_spatialite_matches_the_database_tile(layer, shift):
    _obj, point = one_of(layer)
    tile = Tile.containing(*(wgs84_to_gcj02(*point) if shift else point), 14)
    affine = tiles.shift_for(tile, shift)
    made_here = decode(tiles.python_tile(tiles.LAYERS[layer], tile, affine))[layer]["features"]
    made_by_db = decode(tiles.build_tile(tiles.LAYERS[layer], tile, shift=shift))[layer]["features"]
    assert made_here
    assert [f["properties"] for f in made_here] == [f["properties"] for f in made_by_db]
    for ours, theirs in zip(made_here, made_by_db, strict=True):
        assert ours["geometry"]["type"] == theirs["geometry"]["type"]
        if ours["geometry"]["type"] == "Point":
            assert ours["geometry"]["coordinates"] == pytest.approx(
                theirs["geometry"]["coordinates"], abs=1
            )


def test_with_shift_a_point_lands_where_gcj02_puts_it(client):
    asset = Asset.objects.filter(kind="building", village__code="330381102201").first()
    lon, lat = wgs84_to_gcj02(asset.geometry.x, asset.geometry.y)
    z = 17
    x, y = slippy(lon, lat, z)
    found = {
        f["properties"]["id"]: all_points(f["geometry"])[0]
        for f in features(client, "assets", z, x, y, shift="gcj02")
    }
    n = 2**z
    expected_px = ((lon + 180) / 360 * n - x) * EXTENT
    lat_rad = math.radians(lat)
    merc = math.log(math.tan(lat_rad) + 1 / math.cos(lat_rad))
    expected_py = ((1 - merc / math.pi) / 2 * n - y) * EXTENT
    assert found[asset.pk] == pytest.approx((expected_px, expected_py), abs=1)
    unshifted = {f["properties"]["id"] for f in features(client, "assets", z, x, y)}
    assert asset.pk not in unshifted  # a few hundred metres away without the shift


@pytest.mark.parametrize("z", [10, 12, 14, 15, 16, 18, 20])
def test_the_per_tile_gcj02_fit_is_sub_pixel_everywhere_and_sub_metre_from_zoom_15(z):
    worst_m = worst_px = 0.0
    for lon in (120.30, 120.45, 120.52, 120.60, 120.72):
        for lat in (27.62, 27.75, 27.90):
            tile = Tile.containing(*wgs84_to_gcj02(lon, lat), z)
            affine = tiles.gcj02_affine(tile)
            west, south, east, north = tile.lonlat_bounds()
            metres_per_degree = 111_320 * math.cos(math.radians(lat))
            for i in range(9):
                for j in range(9):
                    p = (lon + (east - west) * (i - 4) / 8, lat + (north - south) * (j - 4) / 8)
                    exact, fitted = wgs84_to_gcj02(*p), affine(*p)
                    error = math.hypot(exact[0] - fitted[0], exact[1] - fitted[1])
                    worst_m = max(worst_m, error * metres_per_degree)
                    worst_px = max(worst_px, error / (east - west) * 256)
    assert worst_px < 0.6
    if z >= 15:
        assert worst_m < 0.35


def test_the_affine_inverse_undoes_it():
    affine = tiles.gcj02_affine(Tile.containing(120.52, 27.9, 13))
    assert affine.inverse()(*affine(120.51, 27.91)) == pytest.approx((120.51, 27.91), abs=1e-12)
    paris = tiles.gcj02_affine(Tile.containing(2.35, 48.85, 13))
    assert paris.params == pytest.approx(tiles.IDENTITY.params, abs=1e-9)


def test_tile_url_template_is_what_leaflet_fills_in():
    assert tiles.tile_url_template("assets") == "/tiles/assets/{z}/{x}/{y}.mvt"
    assert tiles.tile_url_template("units", "gcj02") == "/tiles/units/{z}/{x}/{y}.mvt?shift=gcj02"


# --- The township map page ------------------------------------------------------------------


def test_the_township_map_draws_every_layer_from_tiles_with_local_scripts_only(client):
    response = client.get(reverse("gis:township-map", args=["330381102"]))
    assert response.status_code == 200
    html = response.content.decode()
    for layer in tiles.LAYERS:
        assert f'"/tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt"' in html
    assert "/static/vendor/leaflet.vectorgrid-1.3.0/Leaflet.VectorGrid.bundled.min.js" in html
    assert "/static/js/tile_map.js" in html
    assert "QinglianTileMap.attach(" in html
    assert "L.control.layers(" in html
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', html)
    assert '"type": "Feature' not in html  # no GeoJSON embedded: everything comes from tiles
    assert 'action="/e/"' in html  # the search form works without JavaScript for codes
    assert "曹村镇" in html


def test_the_township_map_list_links_each_township_to_its_map(client):
    html = client.get(reverse("gis:township-map-list")).content.decode()
    for township in AdminUnit.objects.filter(level="township"):
        assert reverse("gis:township-map", args=[township.code]) in html


@pytest.mark.parametrize("code", ["330381", "330381102201", "999999999", "abc", "33038110\x00"])
def test_only_a_township_has_a_township_map(client, code):
    assert client.get(reverse("gis:township-map", args=[code])).status_code == 404


@pytest.mark.parametrize(
    ("page", "url"),
    [
        ("gis:township-map", reverse("gis:township-map", args=["330381102"])),
        ("gis:township-map-list", reverse("gis:township-map-list")),
    ],
)
def test_map_pages_stay_within_their_query_budget(client, django_assert_max_num_queries, page, url):
    with django_assert_max_num_queries(BUDGETS[page]):
        assert client.get(url).status_code == 200
