import pytest

from tests.e2e.conftest import screenshot
from visits.models import Route

pytestmark = pytest.mark.e2e

# The folium map is a global `map_<id>`; find the route's line that Leaflet has put on it and
# measure it on screen, so a line drawn outside the view or with no length fails.
DRAWN_LINE = """
() => {
  const name = Object.keys(window).find((k) => k.startsWith("map_"));
  if (!name) return null;
  const map = window[name];
  let found = null;
  map.eachLayer((layer) => {
    if (layer instanceof L.Polyline && !(layer instanceof L.Polygon) && layer._map) {
      const box = layer.getBounds();
      const size = map.latLngToContainerPoint(box.getNorthEast())
        .subtract(map.latLngToContainerPoint(box.getSouthWest()));
      found = {
        vertices: layer.getLatLngs().length,
        width: Math.abs(size.x),
        height: Math.abs(size.y),
        inView: map.getBounds().pad(0.05).contains(box),
      };
    }
  });
  return found;
}
"""


def test_route_page_on_a_phone_draws_the_line_and_numbered_stops(demo_server, phone):
    route = Route.objects.get(name="曹村清廉文化线路")
    stops = list(route.stops.select_related("site").order_by("position"))
    failed = []
    phone.on("requestfailed", lambda r: failed.append(r.url))
    phone.goto(f"{demo_server.url}/visit/routes/{route.pk}/")

    assert phone.locator("h1").inner_text() == route.name
    phone.wait_for_selector(".leaflet-tooltip.stop-number")
    line = phone.evaluate(f"({DRAWN_LINE})()")
    assert line["vertices"] == len(route.path.coords)
    assert line["inView"]
    assert max(line["width"], line["height"]) > 150  # fitted to the route, not a speck
    numbers = phone.locator(".leaflet-tooltip.stop-number").all_inner_texts()
    assert sorted(numbers, key=int) == [str(n) for n in range(1, len(stops) + 1)]

    names = phone.locator(".route-stop .stop-name").all_inner_texts()
    assert names == [stop.site.name for stop in stops]
    assert "公里" in phone.locator(".route-length").inner_text()  # the phone asks for zh-CN
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "route-390")
    assert not failed

    phone.locator(".route-stop .stop-name").first.click()
    phone.wait_for_url(f"**/sites/{stops[0].site.pk}/")
    assert phone.locator("h1").inner_text() == stops[0].site.name


def test_visit_page_on_a_phone_filters_by_township(demo_server, phone):
    phone.goto(f"{demo_server.url}/visit/")
    phone.wait_for_selector(".leaflet-container")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "visit-390")
    phone.locator(".chips a", has_text="北麂乡").click()
    phone.wait_for_url("**/visit/?township=*")
    assert phone.locator(".site-card").count() == 1
    assert phone.locator(".site-card .site-name").inner_text() == "北麂乡鱼拓廉政馆"
