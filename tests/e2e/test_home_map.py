import pytest

from registry.models import Asset
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

# The folium map is a global `map_<id>`; count the GeoJSON features Leaflet has drawn on it.
COUNT_FEATURES = """
() => {
  const name = Object.keys(window).find((k) => k.startsWith("map_"));
  if (!name) return 0;
  let n = 0;
  window[name].eachLayer((layer) => { if (layer.feature && layer._map) n += 1; });
  return n;
}
"""


def test_home_map_draws_features_on_a_phone(demo_server, phone):
    failed = []
    phone.on("requestfailed", lambda r: failed.append(r.url))
    phone.goto(demo_server.url + "/")
    phone.wait_for_selector(".leaflet-container canvas")
    phone.wait_for_function(f"() => ({COUNT_FEATURES})() > 100")
    assert phone.evaluate(f"({COUNT_FEATURES})()") >= Asset.objects.count()
    assert phone.locator("h1").inner_text().startswith("瑞安")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "home-390")
    assert not failed


def test_a_village_page_links_to_its_records(demo_server, phone):
    phone.goto(demo_server.url + "/units/330381102201/")
    phone.wait_for_function(f"() => ({COUNT_FEATURES})() > 3")
    screenshot(phone, "village-390")
    phone.locator(".rows a[href^='/projects/'], .rows a[href^='/assets/']").first.click()
    phone.wait_for_selector("h1")
    assert "/projects/" in phone.url or "/assets/" in phone.url
    phone.wait_for_selector(".timeline")
    screenshot(phone, "record-390")
