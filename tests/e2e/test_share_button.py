"""The share button copies the link, and where copying is refused shows it to copy by hand."""

import pytest

from qr.models import ElectronicId

pytestmark = pytest.mark.e2e

REFUSE = """
Object.defineProperty(navigator, "share", {value: undefined});
Object.defineProperty(navigator, "clipboard", {
  value: {writeText: () => Promise.reject(new DOMException("denied", "NotAllowedError"))},
});
"""


def test_a_refused_copy_shows_the_link_selected(demo_server, phone):
    eid = ElectronicId.objects.filter(prefix="D").order_by("code").first()
    phone.add_init_script(REFUSE)
    phone.goto(f"{demo_server.url}/e/{eid.code}")
    phone.locator("[data-share]").click()
    field = phone.locator("[data-share-link]")
    field.wait_for()
    assert field.input_value() == phone.url
    assert phone.evaluate("() => document.activeElement.hasAttribute('data-share-link')")
