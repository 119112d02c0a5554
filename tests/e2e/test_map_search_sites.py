"""The township map's search finds education bases and culture sites too, not only assets and
projects (a tester searched 曹东花灯文化馆 and was told nothing had that name)."""

import pytest

from registry.models import AdminUnit
from visits.filtersets import in_township
from visits.models import Site

pytestmark = pytest.mark.e2e

TOWNSHIP = "330381102"  # 曹村镇


def test_search_by_name_finds_a_site_and_opens_its_popup(demo_server, phone):
    township = AdminUnit.objects.get(code=TOWNSHIP)
    site = in_township(Site.objects.all(), township).order_by("pk").first()
    phone.goto(f"{demo_server.url}/maps/{TOWNSHIP}/")
    phone.fill("input[name=code]", site.name)
    phone.press("input[name=code]", "Enter")
    link = phone.locator(".leaflet-popup-content a.map-popup-title")
    link.wait_for()
    assert link.inner_text() == site.name
    assert f"/{site.pk}/" in link.get_attribute("href")
    result = phone.locator("[data-map-results] button", has_text=site.name)
    assert result.get_attribute("title") == "教育基地或文化点"
