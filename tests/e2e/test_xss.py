"""Text from a record reaches every page as text, never as markup (stored script injection).

Names, descriptions and notes of demo records are replaced by payloads; Chromium at phone size
opens every public page and map and the field app, hovers and taps the payload's markers, opens
every tooltip and popup of every map, searches the township map for the name, and shows the
field outbox an entry whose errors and page are payloads. No dialog may open, no element of a
payload may exist, and the payload must be there as plain text.
"""

import uuid

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from fieldapp.models import Checklist, Inspection, SupervisorNote
from leasing.models import Auction
from projects import services as project_services
from projects.models import Project
from qr.models import ElectronicId
from registry import services
from registry.models import AdminUnit, Asset, Cooperative
from tests.e2e.conftest import log_in, screenshot
from visits import services as visit_services
from visits.models import Route, Site

pytestmark = pytest.mark.e2e

IMG = "<img src=x onerror=alert(1)>"
SVG = '"><svg onload=alert(2)>'
SCRIPT = "</script><script>alert(3)</script>"
JS_URL = "javascript:alert(4)"
NAME = f"XP1{IMG}{SVG}"  # names are short: the two that fire on insertion as HTML
TEXT = f"{IMG}{SVG}{SCRIPT}{JS_URL}"
TOWNSHIP = "330381102"  # 曹村镇
VILLAGES = ["东岙村", "许岙村"]  # the inspector's villages

INJECTED = """
() => [...document.querySelectorAll(
  'img[src="x"], [onerror], [onload], a[href^="javascript:"]'
)].map((e) => e.outerHTML)
"""
# The folium map of the page (a global `map_<id>`) and its layers that draw a feature.
LAYERS = """
const map = window[Object.keys(window).find((k) => k.startsWith("map_") && window[k].eachLayer)];
const layers = [];
if (map) map.eachLayer((l) => { if (l.feature && l._map) layers.push(l); });
"""
# Opens every tooltip and popup of the map in turn; returns the texts that show a payload.
OPEN_ALL = f"""
() => {{
  {LAYERS}
  const texts = [];
  for (const layer of layers) {{
    for (const [open, get, close] of [
      ["openTooltip", "getTooltip", "closeTooltip"], ["openPopup", "getPopup", "closePopup"]
    ]) {{
      if (!layer[get] || !layer[get]()) continue;
      layer[open]();
      const el = layer[get]().getElement();
      if (el && el.textContent.includes("XP1")) texts.push(el.textContent);
      layer[close]();
    }}
  }}
  map.closePopup();
  return texts;
}}
"""
# Centres the map on the first layer whose name holds the payload; returns its pixel position.
FOCUS = f"""
(name) => {{
  {LAYERS}
  const layer = layers.find((l) => (l.feature.properties.name || "").includes(name));
  if (!layer) return null;
  const at = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
  map.setView(at, 17, {{reset: true}});
  const p = map.latLngToContainerPoint(at);
  const box = map.getContainer().getBoundingClientRect();
  return [box.left + p.x, box.top + p.y];
}}
"""
# The text of the first element matching the selector that shows `name`, once there is one.
SHOWN = """
([selector, name]) => {
  const el = [...document.querySelectorAll(selector)].find((e) => e.textContent.includes(name));
  return el ? el.textContent : false;
}
"""


def folium_ready(page) -> None:
    """Waits for the features, and for the first zoom (fitBounds) to end: a view set while it
    runs is undone when it ends."""
    page.wait_for_function(f"() => {{ {LAYERS} return layers.length && !map._animatingZoom; }}")


@pytest.fixture
def payloads(demo_server):
    """Payloads in every public text field of records in the inspector's villages."""
    project = Project.objects.filter(stage="construction", village__name__in=VILLAGES).first()
    asset = Asset.objects.filter(village__name__in=VILLAGES, owner__isnull=False).first()
    site = Site.objects.first()
    route = Route.objects.filter(stops__site=site).first() or Route.objects.first()
    auction = Auction.objects.first()
    # Records without an update service: written as an import would, straight to the table.
    AdminUnit.objects.filter(pk=asset.village_id).update(name=f"V{IMG}")
    Cooperative.objects.filter(pk=asset.owner_id).update(name=f"C{NAME}")
    Route.objects.filter(pk=route.pk).update(name=f"R{NAME}", description=TEXT)
    Auction.objects.filter(pk=auction.pk).update(title=f"A{NAME}")
    checklist = Checklist.objects.filter(subject_kind="project").first()
    subject = {
        "subject_type": ContentType.objects.get_for_model(Project),
        "subject_id": project.pk,
        "village": project.village,
    }
    SupervisorNote.objects.create(
        **subject,
        client_uuid=uuid.uuid4(),
        author=User.objects.get(username="supervisor"),
        text=TEXT,
        public=True,
    )
    Inspection.objects.create(
        **subject,
        client_uuid=uuid.uuid4(),
        checklist=checklist,
        inspector=User.objects.get(username="inspector"),
        inspected_at=timezone.now(),
        note=TEXT,
    )
    project_services.update_project(project, actor=None, name=NAME, description=TEXT)
    services.update_asset(asset, actor=None, name=f"XP1a{IMG}{SVG}", description=TEXT)
    visit_services.update_site(site, actor=None, name=f"XP1s{IMG}{SVG}", story=TEXT, address=TEXT)
    return {
        "base": demo_server.url,
        "project": project,
        "asset": asset,
        "site": site,
        "route": route,
        "auction": auction,
    }


@pytest.fixture
def watched(phone):
    dialogs: list[str] = []

    def dismiss(dialog):
        dialogs.append(f"{phone.url}: {dialog.message}")
        dialog.dismiss()

    phone.on("dialog", dismiss)
    return phone, dialogs


def check(page, dialogs: list[str], *, shows: str | None = IMG) -> None:
    page.wait_for_load_state("networkidle")
    assert page.evaluate(INJECTED) == [], page.url
    assert dialogs == []
    if shows:
        assert shows in page.locator("body").inner_text(), page.url


def hover(page, name: str) -> str:
    """Moves the pointer onto the marker of `name`; returns its tooltip's text."""
    at = page.evaluate(FOCUS, name)
    assert at, (page.url, name)
    x, y = at
    page.mouse.move(x - 30, y - 30)
    # Leaflet's canvas looks at the pointer at most every 32 ms: the last move must come later.
    page.wait_for_timeout(100)
    page.mouse.move(x, y)
    page.wait_for_timeout(100)
    page.mouse.move(x + 1, y)
    return page.wait_for_function(SHOWN, arg=[".leaflet-tooltip", name]).json_value()


def tap(page, name: str) -> str:
    """Taps the marker of `name`; returns its popup's text."""
    page.touchscreen.tap(*page.evaluate(FOCUS, name))
    return page.wait_for_function(SHOWN, arg=[".leaflet-popup-content", name]).json_value()


def test_public_maps_and_pages_show_record_text_as_text(payloads, watched):
    page, dialogs = watched
    project, asset, site, route = (payloads[k] for k in ("project", "asset", "site", "route"))
    base = payloads["base"]
    eid = ElectronicId.objects.get(subject_type__model="project", subject_id=project.pk).code
    maps = [
        "/",
        f"/units/{TOWNSHIP}/",
        f"/units/{project.village.code}/",
        f"/projects/{project.pk}/?map=1",
        f"/e/{eid}?map=1",
    ]
    for path in maps:
        page.goto(base + path)
        folium_ready(page)
        tip = hover(page, NAME)
        if path == "/":
            screenshot(page, "xss-home-tooltip-390")
        popup = tap(page, NAME)
        assert IMG in tip and IMG in popup, path
        texts = page.evaluate(OPEN_ALL)
        assert texts and all(IMG in text for text in texts), (path, texts)
        check(page, dialogs)

    page.goto(f"{base}/assets/{asset.pk}/?map=1")
    folium_ready(page)
    tip, popup = hover(page, f"XP1a{IMG}"), tap(page, f"XP1a{IMG}")
    assert IMG in tip and IMG in popup
    check(page, dialogs)

    page.goto(f"{base}/sites/{site.pk}/?map=1")
    folium_ready(page)
    texts = page.evaluate(OPEN_ALL)
    assert texts and all(IMG in text for text in texts)
    check(page, dialogs)

    page.goto(f"{base}/visit/routes/{route.pk}/")
    folium_ready(page)
    page.evaluate(OPEN_ALL)
    check(page, dialogs, shows=f"R{NAME}")

    page.goto(f"{base}/visit/")
    folium_ready(page)
    page.evaluate(OPEN_ALL)
    check(page, dialogs)

    for path, shows in (("/log/", IMG), ("/auctions/", None), ("/e/", None)):
        page.goto(base + path)
        check(page, dialogs, shows=shows)
    page.goto(f"{base}/auctions/{payloads['auction'].pk}/")
    check(page, dialogs, shows=f"A{NAME}")

    # The township's vector-tile map: tap the features, search the name, open the result.
    page.goto(f"{base}/maps/{TOWNSHIP}/")
    page.wait_for_function("() => document.querySelectorAll('.leaflet-container svg path').length")
    page.fill("#map-search-text", "XP1")
    page.locator("[data-map-search] button").click()
    result = page.locator("[data-map-results] button", has_text="XP1").first
    result.wait_for()
    assert IMG in result.text_content()
    result.click()
    popup = page.locator(".leaflet-popup-content", has_text="XP1")
    popup.wait_for()
    assert IMG in popup.text_content()
    check(page, dialogs)


def test_field_app_shows_record_text_and_outbox_entries_as_text(payloads, watched):
    page, dialogs = watched
    base = payloads["base"]
    project = payloads["project"]
    log_in(page, base, "inspector")
    page.goto(f"{base}/field/")
    # "My work" no longer lists stalled works (the warnings do, for the station), and the
    # project was just inspected: its name is not there, the other records' payloads are.
    check(page, dialogs)
    lon, lat = project.location.centroid.coords
    page.goto(f"{base}/field/nearby/?lon={lon}&lat={lat}")
    check(page, dialogs, shows=NAME)
    page.goto(f"{base}/field/project/{project.pk}/")
    check(page, dialogs, shows=NAME)

    # A queued submission the server refused, quoting what was typed, from a forged page.
    page.evaluate(
        """([text, page]) => new Promise((resolve, reject) => {
          const open = indexedDB.open("qinglian-field", 1);
          open.onupgradeneeded = () =>
            open.result.createObjectStore("outbox", {keyPath: "client_uuid"});
          open.onsuccess = () => {
            const tx = open.result.transaction("outbox", "readwrite");
            tx.objectStore("outbox").put({
              client_uuid: "6f1c7c3e-0000-4000-8000-000000000001", url: location.href, page: page,
              fields: [["text", text]], files: [], csrf: "", user: "", created: Date.now(),
              status: "attention", errors: [text],
            });
            tx.oncomplete = () => resolve();
            tx.onerror = () => reject(tx.error);
          };
        })""",
        [TEXT, JS_URL],
    )
    page.reload()
    problem = page.locator(".outbox-problem")
    problem.wait_for()
    assert IMG in problem.text_content()
    assert not problem.locator("a").get_attribute("href").startswith("javascript:")
    check(page, dialogs, shows=SCRIPT)
