"""With no basemap (BASEMAP=none, the default) the admin's map widget is not a blank box: it
draws the record's village and what is already mapped in it, from our own admin."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from registry.models import AdminUnit, Asset
from tests.e2e.conftest import SCREENSHOTS, csp_events, log_in, screenshot, watch_csp

pytestmark = pytest.mark.e2e

VILLAGE = "330381102201"  # 东岙村
# The features of the layers the widget adds above its base layer: [boundary, others].
SURROUNDING_COUNTS = """
() => {
  const widget = window.geodjango_geometry;
  if (!widget) return null;
  return widget.map.getLayers().getArray().slice(1).map((l) => l.getSource().getFeatures().length);
}
"""
LOADED = f"() => {{ const n = ({SURROUNDING_COUNTS})(); return !!n && n[0] > 0 && n[1] > 0; }}"
# Whether the view's centre lies in the boundary drawn (a village's own map, not Rui'an's).
CENTRE_IN_BOUNDARY = """
() => {
  const map = window.geodjango_geometry.map;
  const boundary = map.getLayers().item(1).getSource().getFeatures()[0].getGeometry();
  return boundary.intersectsCoordinate(map.getView().getCenter());
}
"""


@pytest.fixture
def staff_page(demo_server, browser):
    # A superuser: an earlier browser test's flush can leave the demo groups' permissions stale.
    User.objects.create_superuser("map-clerk", "clerk@example.org", "unused-password-1")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    log_in(page, demo_server.url, "map-clerk")
    yield page
    context.close()


def test_an_assets_map_shows_its_village_and_neighbours_without_a_basemap(demo_server, staff_page):
    page = staff_page
    complaints = watch_csp(page)
    asset = Asset.objects.filter(village__code=VILLAGE, kind="parcel").order_by("pk").first()
    page.goto(demo_server.url + reverse("admin:registry_asset_change", args=[asset.pk]))
    page.wait_for_function(LOADED)
    boundary, others = page.evaluate(SURROUNDING_COUNTS)
    assert boundary == 1
    assert others == Asset.objects.filter(village=asset.village).exclude(pk=asset.pk).count()
    titles = page.evaluate(
        "() => [...document.querySelectorAll('.ol-zoom-in, .ol-zoom-out')].map((b) => b.title)"
    )
    assert titles == ["放大", "缩小"], titles
    page.locator(".dj_map_wrapper").scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.locator(".dj_map_wrapper").screenshot(path=str(SCREENSHOTS / "admin-map-widget-1280.png"))
    assert not complaints + csp_events(page)


def test_a_new_asset_map_follows_the_village_chosen(demo_server, staff_page):
    page = staff_page
    village = AdminUnit.objects.get(code=VILLAGE)
    page.goto(demo_server.url + reverse("admin:registry_asset_add"))
    page.wait_for_function("() => !!window.geodjango_geometry")
    assert page.evaluate(SURROUNDING_COUNTS) == [0, 0]
    page.select_option("#id_village", str(village.pk))
    page.wait_for_function(LOADED)
    page.wait_for_function(CENTRE_IN_BOUNDARY)
    _, others = page.evaluate(SURROUNDING_COUNTS)
    assert others == Asset.objects.filter(village=village).count()


def test_the_admin_map_widget_on_a_phone(demo_server, phone):
    User.objects.create_superuser("phone-clerk", "phone@example.org", "unused-password-1")
    log_in(phone, demo_server.url, "phone-clerk")
    asset = Asset.objects.filter(village__code=VILLAGE, kind="building").order_by("pk").first()
    phone.goto(demo_server.url + reverse("admin:registry_asset_change", args=[asset.pk]))
    phone.wait_for_function(LOADED)
    phone.locator(".dj_map_wrapper").scroll_into_view_if_needed()
    screenshot(phone, "admin-map-widget-390")
