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


@pytest.mark.parametrize(
    "typed",
    [
        "Ｂ－１０２２０１－０００１－Ｅ",  # full-width
        "ｂ－１０２２０１－０００１－ｅ",
        "B—102201—0001—E",  # long dashes
        "http://127.0.0.1:8000/e/B-102201-0001-E",  # a pasted plaque URL
    ],
)
def test_a_code_typed_in_the_map_search_however_opens_its_record(demo_server, phone, typed):
    from qr.models import ElectronicId

    assert ElectronicId.objects.filter(code="B-102201-0001-E").exists()
    phone.goto(f"{demo_server.url}/maps/{TOWNSHIP}/")
    phone.fill("input[name=code]", typed)
    phone.press("input[name=code]", "Enter")
    phone.wait_for_url("**/e/B-102201-0001-E")
