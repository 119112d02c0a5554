"""axe-core (vendored in tests/vendor) finds no serious or critical accessibility violation on
the pages villagers and inspectors use most, at phone size."""

from pathlib import Path

import pytest

from qr.models import ElectronicId
from tests.e2e.conftest import log_in, screenshot

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core-4.14.1" / "axe.min.js"
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def serious_violations(page) -> list[str]:
    """axe's violations of impact serious or critical: rule, help and the first offending nodes.

    axe is evaluated through the DevTools protocol, which the pages' CSP does not cover."""
    page.evaluate(AXE.read_text())
    found = page.evaluate("(options) => axe.run(document, options)", RULES)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:4])
        for v in found["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("prefix", ["D", "P", "S"])
def test_a_plaque_page_has_no_serious_accessibility_violation(phone, demo_server, prefix):
    eid = ElectronicId.objects.filter(prefix=prefix).order_by("code").first()
    phone.goto(f"{demo_server.url}/e/{eid.code}")
    assert serious_violations(phone) == []


def test_the_home_page_has_no_serious_accessibility_violation(phone, demo_server):
    phone.goto(f"{demo_server.url}/")
    phone.wait_for_function("() => document.querySelector('.leaflet-container')")
    assert serious_violations(phone) == []


@pytest.mark.parametrize("path", ["/field/", "/field/nearby/", "/field/login/"])
def test_the_field_app_has_no_serious_accessibility_violation(phone, demo_server, path):
    if path != "/field/login/":
        log_in(phone, demo_server.url, "inspector")
    phone.goto(f"{demo_server.url}{path}")
    screenshot(phone, f"axe{path.replace('/', '_')}")
    assert serious_violations(phone) == []


def test_the_field_page_of_a_project_has_no_serious_accessibility_violation(phone, demo_server):
    from django.contrib.auth.models import User

    from projects.models import Project
    from registry.roles import Task
    from registry.scoping import may

    inspector = User.objects.get(username="inspector")
    project = next(
        p
        for p in Project.objects.filter(stage="construction")
        if may(inspector, Task.RECORD_FIELD_WORK, p)
    )
    log_in(phone, demo_server.url, "inspector")
    phone.goto(f"{demo_server.url}/field/project/{project.pk}/")
    assert serious_violations(phone) == []


TOUCH_TARGETS = (
    ".site-nav a, .site-nav button, .section-nav a, .crumbs a, .actions a, .actions button, "
    ".place figcaption a"
)


@pytest.mark.parametrize("prefix", ["D", "S"])
def test_links_a_thumb_taps_are_at_least_44_px_high(phone, demo_server, prefix):
    eid = ElectronicId.objects.filter(prefix=prefix).order_by("code").first()
    phone.goto(f"{demo_server.url}/e/{eid.code}")
    heights = phone.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
             .filter((e) => e.offsetParent !== null)
             .map((e) => [e.textContent.trim().slice(0, 20), e.getBoundingClientRect().height])""",
        TOUCH_TARGETS,
    )
    assert len(heights) >= 8
    assert [(text, h) for text, h in heights if h < 44] == []


def _short_targets(page, selector: str) -> list[tuple[str, float]]:
    heights = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
             .filter((e) => e.offsetParent !== null)
             .map((e) => [e.textContent.trim().slice(0, 20), e.getBoundingClientRect().height])""",
        selector,
    )
    assert heights, f"nothing matches {selector}"
    return [(text, h) for text, h in heights if h < 44]


@pytest.mark.parametrize(
    ("path", "selector"),
    [
        ("/visit/routes/1/", ".stop-name, .navigate summary, .leaflet-bar a"),
        ("/visit/", ".chips a"),
        ("/supervision/cases/", ".sv-help a, .sv-case-title"),
        ("/maps/330381102/", ".leaflet-bar a, .map-legend summary"),
        ("/", ".site-footer a, .leaflet-bar a"),
    ],
)
def test_more_thumb_targets_are_44_px(phone, demo_server, path, selector):
    phone.goto(f"{demo_server.url}{path}")
    phone.wait_for_load_state("networkidle")
    assert _short_targets(phone, selector) == []


def test_a_township_card_is_one_link_as_a_whole(phone, demo_server):
    phone.goto(f"{demo_server.url}/")
    hits = phone.evaluate(
        """() => [...document.querySelectorAll('.cards > .card')].map((card) => {
             const box = card.getBoundingClientRect();
             card.scrollIntoView();
             const r = card.getBoundingClientRect();
             const hit = document.elementFromPoint(r.left + r.width - 8, r.top + r.height - 8);
             return [box.height, hit && hit.closest('a') === card.querySelector('.card-title')];
           })"""
    )
    assert hits and all(linked for _height, linked in hits)
