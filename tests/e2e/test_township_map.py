import pytest

from gis.chinacoords import wgs84_to_gcj02
from projects.models import Project
from qr.models import ElectronicId
from registry.models import Asset
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

TOWNSHIP = "330381102"  # 曹村镇
# Leaflet.VectorGrid draws each tile as an <svg>; count the feature paths drawn in the map.
COUNT_PATHS = "() => document.querySelectorAll('.leaflet-container svg path').length"
# The folium map is a global `map_<id>`.
MAP_ZOOM = "() => window[Object.keys(window).find((k) => k.startsWith('map_'))].getZoom()"
# The centre of a small interactive path (a building, project or site) well inside the map.
POINT_TO_TAP = """
() => {
  const map = document.querySelector('.leaflet-container').getBoundingClientRect();
  const paths = [...document.querySelectorAll('.leaflet-container svg path.leaflet-interactive')];
  for (const path of paths.reverse()) {
    const r = path.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (r.width > 0 && r.width < 30 && x > map.left + 60 && x < map.right - 60
        && y > map.top + 60 && y < map.bottom - 60
        && document.elementFromPoint(x, y) === path) {
      return [x, y];
    }
  }
  return null;
}
"""


def test_township_map_draws_vector_tiles_on_a_phone(demo_server, phone):
    failed, tile_statuses = [], []
    phone.on("requestfailed", lambda request: failed.append(request.url))
    phone.on(
        "response",
        lambda response: "/tiles/" in response.url and tile_statuses.append(response.status),
    )
    phone.goto(f"{demo_server.url}/maps/{TOWNSHIP}/")
    phone.wait_for_function(f"() => ({COUNT_PATHS})() > 50")
    assert 200 in tile_statuses
    assert set(tile_statuses) <= {200, 204, 304}
    assert phone.locator("h1").inner_text().startswith("曹村镇")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.wait_for_load_state("networkidle")
    screenshot(phone, "township-map-390")
    assert not failed


def test_tapping_a_feature_opens_a_popup_linking_to_its_record(demo_server, phone):
    phone.goto(f"{demo_server.url}/maps/{TOWNSHIP}/")
    phone.wait_for_function(f"() => ({COUNT_PATHS})() > 50")
    phone.wait_for_load_state("networkidle")
    x, y = phone.evaluate(POINT_TO_TAP)
    phone.touchscreen.tap(x, y)
    link = phone.locator(".leaflet-popup-content a.map-popup-title")
    link.wait_for()
    assert link.get_attribute("href").split("/")[3] in {"asset", "project", "site"}
    link.click()
    phone.wait_for_selector(".eid-code")  # the electronic ID page
    phone.wait_for_selector(".timeline")


def test_search_by_name_flies_to_the_asset_and_opens_its_popup(demo_server, phone):
    asset = Asset.objects.filter(village__parent__code=TOWNSHIP, kind="parcel").first()
    phone.goto(f"{demo_server.url}/maps/{TOWNSHIP}/")
    phone.fill("input[name=code]", asset.name)
    phone.press("input[name=code]", "Enter")
    link = phone.locator(".leaflet-popup-content a.map-popup-title")
    link.wait_for()
    assert link.inner_text() == asset.name
    assert link.get_attribute("href") == f"/e/of/asset/{asset.pk}/"
    phone.wait_for_function(f"() => ({MAP_ZOOM})() >= 15")  # it flew in from the township view
    phone.wait_for_load_state("networkidle")
    screenshot(phone, "township-map-search-390")


def test_search_for_an_electronic_id_goes_to_the_code_page(demo_server, phone):
    project = Project.objects.filter(village__parent__code=TOWNSHIP).order_by("pk").last()
    eid = ElectronicId.objects.get(subject_type__model="project", subject_id=project.pk)
    phone.goto(f"{demo_server.url}/maps/{TOWNSHIP}/")
    phone.fill("input[name=code]", eid.code)
    phone.press("input[name=code]", "Enter")
    phone.wait_for_url(f"{demo_server.url}/e/{eid.code}")
    assert phone.locator(".eid-code").inner_text() == eid.code
    assert project.name in phone.locator("h1").inner_text()


def test_the_browser_shifts_search_results_exactly_as_the_server_does(demo_server, phone):
    phone.goto(f"{demo_server.url}/maps/{TOWNSHIP}/")
    for lon, lat in [(120.65, 27.78), (116.404, 39.915), (2.35, 48.85)]:
        shifted = phone.evaluate(f"QinglianTileMap.wgs84ToGcj02({lon}, {lat})")
        assert shifted == pytest.approx(list(wgs84_to_gcj02(lon, lat)), abs=1e-12)
