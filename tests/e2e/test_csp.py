"""Every page of README's page table works under the Content-Security-Policy.

Chromium opens each page (logged in where the page needs it) and the test asserts that no
`securitypolicyviolation` fired, that no console error names the policy, and that the page's
script really ran: the map drew its features, Swagger UI and ReDoc drew the API, the admin's
map widget started.
"""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from gis import maps
from leasing.models import Auction
from projects.models import Project
from qr.models import ElectronicId
from registry.models import AdminUnit, Asset
from tests.e2e.conftest import csp_events, log_in, screenshot, watch_csp
from visits.models import Route, Site

pytestmark = pytest.mark.e2e

TOWNSHIP = "330381102"  # 曹村镇
VILLAGE = "330381102201"  # 东岙村, a village of the demo's supervisor and inspector

# Leaflet features drawn by folium's map (a global `map_<id>`).
FOLIUM_FEATURES = """
() => {
  const name = Object.keys(window).find((k) => k.startsWith("map_"));
  if (!name || !window[name].eachLayer) return 0;
  let n = 0;
  window[name].eachLayer((layer) => { if (layer.feature && layer._map) n += 1; });
  return n;
}
"""
# Leaflet.VectorGrid draws each tile as an <svg>.
TILE_PATHS = "() => document.querySelectorAll('.leaflet-container svg path').length"
MAP_WIDGET = """
() => {
  const widget = window.geodjango_geometry;
  return !!(widget && widget.map && document.querySelector(".ol-viewport canvas")
    && widget.featureCollection.getLength() === 1);
}
"""
# The place picture of a record page has loaded (a server-drawn SVG).
PLACE = (
    "() => { const i = document.querySelector('.place img');"
    " return !!i && i.complete && i.naturalWidth > 0; }"
)
SWAGGER = "() => !!document.querySelector('.swagger-ui .info .title')"
REDOC = "() => !!document.querySelector('.api-content h1')"


def folium_map(at_least: int = 1) -> str:
    return f"() => ({FOLIUM_FEATURES})() >= {at_least}"


def visit(page, url: str, ready: str | None, seen: list[str]) -> None:
    """Open `url`, wait until `ready` (a JS function: the CSP forbids evaluating a string)
    returns true, and collect the page's CSP complaints."""
    response = page.goto(url)
    assert response.status == 200, (url, response.status, page.title())
    if ready:
        page.wait_for_function(ready, timeout=15000)
    page.wait_for_load_state("networkidle")
    seen.extend(csp_events(page))


def record_code(model, pk: int) -> str:
    return ElectronicId.objects.get(subject_type__model=model, subject_id=pk).code


def test_header_and_body_of_a_folium_map_carry_no_inline_script():
    """Only the map's own script is inline (and gets the nonce); the rest is static files."""
    rendered = maps.record_map(
        assets=maps.feature_collection([]), labels={"assets": "A"}, bounds=(120, 27, 121, 28)
    )
    for part in (rendered.header, rendered.html):
        assert "<script>" not in part
        assert all("src=" in tag for tag in part.split("<script")[1:])


def test_public_pages_run_under_the_csp(demo_server, phone):
    base = demo_server.url
    complaints = watch_csp(phone)
    seen: list[str] = []
    asset = Asset.objects.filter(village__code=VILLAGE).first()
    project = Project.objects.filter(village__code=VILLAGE).first()
    site, route, auction = Site.objects.first(), Route.objects.first(), Auction.objects.first()
    assert AdminUnit.objects.filter(code=TOWNSHIP).exists()
    pages = [
        ("/", folium_map(100)),
        (f"/units/{TOWNSHIP}/", folium_map(3)),
        (f"/units/{VILLAGE}/", folium_map(2)),
        (f"/assets/{asset.pk}/", PLACE),
        (f"/assets/{asset.pk}/?map=1", folium_map()),
        (f"/projects/{project.pk}/?map=1", folium_map()),
        (f"/e/{record_code('asset', asset.pk)}", PLACE),
        (f"/e/{record_code('asset', asset.pk)}?map=1", folium_map()),
        (f"/e/{record_code('project', project.pk)}?map=1", folium_map()),
        ("/e/", None),
        (f"/e/{record_code('project', project.pk)}/report/", None),
        ("/auctions/", None),
        (f"/auctions/{auction.pk}/", None),
        ("/data/", None),
        (f"/sites/{site.pk}/", PLACE),
        (f"/sites/{site.pk}/?map=1", folium_map()),
        ("/visit/", folium_map()),
        (f"/visit/routes/{route.pk}/", folium_map(2)),
        ("/maps/", None),
        (f"/maps/{TOWNSHIP}/", f"() => ({TILE_PATHS})() > 50"),
        ("/log/", None),
        ("/accounts/login/", None),
        ("/field/login/", None),
        ("/field/offline/", None),
        ("/api/docs/", SWAGGER),
        ("/api/redoc/", REDOC),
    ]
    for path, ready in pages:
        visit(phone, base + path, ready, seen)
    screenshot(phone, "csp-redoc-390")
    assert not seen + complaints


def test_staff_pages_and_the_admin_map_widget_run_under_the_csp(demo_server, phone):
    base = demo_server.url
    complaints = watch_csp(phone)
    seen: list[str] = []
    # A superuser: after the flush of an earlier browser test, the demo's groups may hold the
    # permissions of stale content types (ContentType's cache outlives the flush).
    User.objects.create_superuser("csp-admin", "csp@example.org", "unused-password-1")
    log_in(phone, base, "csp-admin")
    asset = Asset.objects.filter(kind="parcel").first()
    project = Project.objects.filter(village__code=VILLAGE).first()
    auction = Auction.objects.first()
    pages = [
        (reverse("admin:index"), None),
        (reverse("admin:registry_asset_changelist"), None),
        (reverse("admin:registry_asset_change", args=[asset.pk]), MAP_WIDGET),
        (reverse("admin:visits_site_add"), "() => !!window.geodjango_location"),
        ("/staff/projects/", None),
        (f"/staff/projects/{project.pk}/", None),
        (f"/staff/auctions/{auction.pk}/", None),
        ("/transfer/import/", None),
        ("/transfer/export/", None),
        ("/", folium_map(100)),
    ]
    for path, ready in pages:
        visit(phone, base + path, ready, seen)
        if ready == MAP_WIDGET:
            screenshot(phone, "csp-admin-map-widget-390")
    assert not seen + complaints


def test_field_app_screens_run_under_the_csp(demo_server, phone):
    base = demo_server.url
    complaints = watch_csp(phone)
    seen: list[str] = []
    log_in(phone, base, "inspector")
    project = Project.objects.filter(
        stage="construction", village__name__in=["东岙村", "许岙村"]
    ).first()
    asset = Asset.objects.filter(village__name__in=["东岙村", "许岙村"]).first()
    pages = [
        "/field/",
        "/field/nearby/?lon=120.6&lat=27.9",
        f"/field/project/{project.pk}/",
        f"/field/asset/{asset.pk}/",
        f"/field/asset/{asset.pk}/photos/",
        f"/field/asset/{asset.pk}/note/",
        f"/field/project/{project.pk}/progress/",
        "/field/outbox-probe/",
    ]
    for path in pages:
        visit(phone, base + path, "() => !!document.querySelector('#outbox-status')", seen)
    checklist = phone.goto(f"{base}/field/project/{project.pk}/")
    assert checklist.ok
    phone.locator('a[href*="/inspect/"]').first.click()
    phone.wait_for_selector("form[data-locate]")
    seen.extend(csp_events(phone))

    # The progress slider (once an inline oninput) still fills the number beside it.
    phone.goto(f"{base}/field/project/{project.pk}/progress/")
    phone.locator("input[data-slider]").fill("55")
    assert phone.locator("input[data-slider] + input").input_value() == "55"
    seen.extend(csp_events(phone))

    # A plaque opened by a logged-in inspector: the record, its map and the share button.
    visit(phone, f"{base}/e/{record_code('project', project.pk)}", PLACE, seen)
    assert not seen + complaints
