import pytest

from registry.models import Asset
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def test_home_map_draws_features_on_a_phone(demo_server, phone):
    failed = []
    phone.on("requestfailed", lambda r: failed.append(r.url))
    phone.goto(demo_server.url + "/")
    phone.wait_for_selector(".leaflet-container")
    drawn = phone.locator("path.leaflet-interactive")
    phone.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length > 100")
    assert drawn.count() > min(100, Asset.objects.count())
    assert phone.locator("h1").inner_text().startswith("瑞安")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "home-390")
    assert not [url for url in failed if demo_server.url in url]


def test_a_feature_popup_links_to_its_public_page(demo_server, phone):
    phone.goto(demo_server.url + "/units/330381102201/")
    phone.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length > 3")
    screenshot(phone, "village-390")
    phone.locator(".cards, .rows").first.wait_for()
    phone.locator(".rows a").first.click()
    phone.wait_for_selector("h1")
    assert "/assets/" in phone.url or "/projects/" in phone.url
    screenshot(phone, "record-390")
