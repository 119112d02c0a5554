"""Map legends drawn from the layers' own styles, tile layers bounded to their data, and the
unit pages' links to the township maps."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from gis import maps
from gis.chinacoords import wgs84_to_gcj02
from gis.maps import Swatch, tile_map
from maps import selectors
from maps.legends import record_legend, township_legend
from projects.models import Stage
from registry.models import AdminUnit, Asset

TOWNSHIP = "330381102"  # 曹村镇
NO_ROUTES = "330381004"  # 东山街道: no visitor route stops there
EXTENT = (120.50, 27.89, 120.54, 27.92)


def rgba(colour: str, opacity: float) -> str:
    return maps._rgba(colour, opacity)


def test_a_swatch_is_drawn_with_the_style_of_its_layer():
    style = maps.project_style("construction")
    swatch = Swatch.of(style, "point")
    assert swatch.css == "background: rgba(217, 119, 6, 0.95); border: 2px solid #ffffff"
    assert Swatch("line", stroke="#be123c", stroke_width=3, dashed=True).css == (
        "border-top: 3px dashed #be123c"
    )
    assert Swatch("area", stroke="#d97706", stroke_width=2).css == (
        "background: transparent; border: 2px solid #d97706"
    )


def test_the_record_legend_samples_are_the_record_maps_styles():
    assets, projects = record_legend()
    assert [item.label for item in assets.items] == [kind.label for kind in Asset.Kind]
    for item, kind in zip(assets.items, Asset.Kind, strict=True):
        assert item.swatch.fill == maps.asset_style(kind.value)["fillColor"]
        assert item.swatch.fill == maps.KIND_COLOURS[kind.value]
    assert [item.label for item in projects.items] == [stage.label for stage in Stage]
    for item, stage in zip(projects.items, Stage, strict=True):
        assert item.swatch == Swatch.of(maps.project_style(stage.value), "point")


def test_the_township_legend_uses_the_palette_the_tiles_are_styled_with():
    palette = maps.tile_palette()
    with translation.override("en"):
        groups = {group.title: group.items for group in township_legend()}
    land_use = groups["Land parcels by land use"]
    assert [item.swatch.fill for item in land_use] == [
        palette["landUse"][value] for value in Asset.LandUse.values
    ]
    assert all(item.swatch.fill_opacity == palette["parcelOpacity"] for item in land_use)
    status = groups["Outline by status"]
    assert [(item.swatch.stroke, item.swatch.dashed) for item in status] == [
        (palette["status"][value], value in palette["dashed"]) for value in Asset.Status.values
    ]
    stages = groups["Small projects by stage"]
    assert [item.swatch.fill for item in stages] == [palette["stage"][s.value] for s in Stage]
    features = groups["Buildings, facilities and sites"]
    assert [item.swatch.fill or item.swatch.stroke for item in features] == [
        palette["kind"]["building"],
        palette["kind"]["facility"],
        palette["site"],
        palette["route"],
    ]
    assert features[2].swatch.stroke == palette["siteRing"]


@pytest.mark.django_db
def test_the_township_map_legend_is_in_the_pages_language_with_the_tile_colours(client):
    html = client.get(reverse("gis:township-map", args=[TOWNSHIP])).content.decode()
    legend = html[html.index('class="map-legend"') :]
    for label in ("耕地", "已出租", "房产", "设施", "参观线路", "施工"):
        assert label in legend
    assert rgba(maps.LAND_USE_COLOURS["farmland"], maps.PARCEL_FILL_OPACITY) in legend
    assert f"border-top: 3px dashed {maps.ROUTE_COLOUR}" in legend
    # The same palette goes to tile_map.js.
    assert f'"siteRing": "{maps.SITE_RING}"' in html
    assert "/static/css/maps.css" in html


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", f"/units/{TOWNSHIP}/", f"/units/{TOWNSHIP}201/"])
def test_the_home_and_unit_maps_have_a_legend_of_their_kinds_and_stages(client, url):
    html = client.get(url).content.decode()
    legend = html[html.index('class="map-legend"') :]
    legend = legend[: legend.index("</details>")]
    for kind in Asset.Kind:
        assert str(kind.label) in legend
    for stage in Stage:
        assert str(stage.label) in legend
    assert rgba(maps.KIND_COLOURS["parcel"], 0.55) in legend
    assert rgba(maps.STAGE_COLOURS["proposal"], 0.95) in legend
    assert "/static/css/maps.css" in html


@pytest.mark.django_db
@pytest.mark.parametrize(("unit", "township"), [(TOWNSHIP, TOWNSHIP), (f"{TOWNSHIP}201", TOWNSHIP)])
def test_a_township_and_its_villages_link_to_the_townships_detailed_map(client, unit, township):
    html = client.get(reverse("portal:unit-detail", args=[unit])).content.decode()
    link = reverse("gis:township-map", args=[township])
    assert f'<a href="{link}">' in html
    assert "曹村镇" in re.search(rf'<a href="{link}">([^<]*)</a>', html).group(1)


@pytest.mark.django_db
def test_the_city_page_links_to_the_township_maps(client):
    html = client.get(reverse("portal:unit-detail", args=["330381"])).content.decode()
    assert f'<a href="{reverse("gis:township-map-list")}">' in html


def layer_options(script: str) -> dict[str, list]:
    """Each tile layer's `bounds` option, by the layer's URL."""
    found = {}
    for layer in script.split("L.vectorGrid.protobuf(")[1:]:
        name = re.search(r'"/tiles/(\w+)/', layer).group(1)
        bounds = re.search(r'"bounds": (\[[-\d.,\s\[\]]*\])', layer)
        if bounds:
            found[name] = [float(n) for n in re.findall(r"-?\d+\.\d+", bounds.group(1))]
    return found


def test_each_tile_layer_asks_only_within_its_data_bounds_widened_by_the_margin():
    rendered = tile_map(
        tile_urls={
            "assets": "/tiles/assets/{z}/{x}/{y}.mvt",
            "units": "/tiles/units/{z}/{x}/{y}.mvt",
        },
        labels={"assets": "Assets", "units": "Units"},
        config={},
        layer_bounds={"assets": EXTENT},
    )
    bounds = layer_options(str(rendered.script))
    margin = maps.TILE_BOUNDS_MARGIN
    min_x, min_y, max_x, max_y = EXTENT
    assert bounds == {
        "assets": pytest.approx([min_y - margin, min_x - margin, max_y + margin, max_x + margin])
    }


def test_on_amap_the_tile_bounds_are_shifted_as_the_tiles_are():
    with override_settings(BASEMAP="amap"):
        rendered = tile_map(
            tile_urls={"assets": "/tiles/assets/{z}/{x}/{y}.mvt?shift=gcj02"},
            labels={"assets": "Assets"},
            config={},
            layer_bounds={"assets": EXTENT},
        )
    south, west, north, east = layer_options(str(rendered.script))["assets"]
    margin = maps.TILE_BOUNDS_MARGIN
    shifted_west, shifted_south = wgs84_to_gcj02(EXTENT[0], EXTENT[1])
    shifted_east, shifted_north = wgs84_to_gcj02(EXTENT[2], EXTENT[3])
    assert (south + margin, west + margin, north - margin, east - margin) == pytest.approx(
        (shifted_south, shifted_west, shifted_north, shifted_east), abs=1e-6
    )
    assert shifted_west != pytest.approx(EXTENT[0], abs=1e-4)


@pytest.mark.django_db
def test_a_layer_with_nothing_in_the_township_is_left_off_its_map(client):
    township = AdminUnit.objects.get(code=NO_ROUTES)
    extents = selectors.layer_extents(township)
    assert set(extents) == {"units", "assets", "projects", "sites"}
    html = client.get(reverse("gis:township-map", args=[NO_ROUTES])).content.decode()
    assert "/tiles/assets/" in html
    assert "/tiles/routes/" not in html


@pytest.mark.django_db
def test_a_townships_layer_extents_cover_its_own_records():
    township = AdminUnit.objects.get(code=TOWNSHIP)
    extents = selectors.layer_extents(township)
    min_x, min_y, max_x, max_y = extents["assets"]
    for asset in Asset.objects.filter(village__parent=township):
        a_min_x, a_min_y, a_max_x, a_max_y = asset.geometry.extent
        assert min_x <= a_min_x and a_max_x <= max_x and min_y <= a_min_y and a_max_y <= max_y
    # The boundaries frame the whole city, so the township is seen among its neighbours.
    city = AdminUnit.objects.get(level="city")
    assert extents["units"] == pytest.approx(city.boundary.extent)
