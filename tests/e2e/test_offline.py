"""The field outbox in a real Chromium: a photo sent without a connection waits on the phone
and arrives once the connection is back; pages seen online still open offline."""

import hashlib

import pytest
from django.urls import reverse
from django.utils import translation

from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import screenshot
from tests.fieldapp import photos

pytestmark = pytest.mark.e2e

BADGE = "#outbox-status"


def log_in(page, base: str, next_url: str) -> None:
    page.goto(f"{base}{reverse('fieldapp:login')}?next={next_url}")
    page.fill("input[name=username]", "inspector")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"**{next_url}")


def back_online(page) -> None:
    """Turns the network on and waits until the outbox has sent everything it held."""
    page.context.set_offline(False)
    page.wait_for_function(
        "() => document.querySelector('#outbox-status') === null"
        " || document.querySelector('#outbox-status').dataset.count === '0'",
        timeout=20_000,
    )


def outbox_keys(page) -> list[str]:
    return page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open("qinglian-field", 1);
            open.onsuccess = () => {
                const all = open.result.transaction("outbox").objectStore("outbox").getAllKeys();
                all.onsuccess = () => resolve(all.result);
                all.onerror = () => reject(all.error);
            };
        })"""
    )


def test_a_photo_sent_offline_waits_in_the_outbox_and_arrives_when_back_online(
    demo_server, phone, tmp_path
):
    base = demo_server.url
    probe = reverse("fieldapp-offline:probe")
    my_work = reverse("fieldapp:my-work")
    log_in(phone, base, probe)
    # The worker takes over the open page (clients.claim) once it has cached the app shell.
    phone.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller")
    assert phone.locator("[data-outbox-check=service-worker]").inner_text() == "✓"
    phone.goto(f"{base}{my_work}")  # seen online, so kept for offline use
    my_work_heading = phone.locator("h1").inner_text()
    with translation.override("zh-hans"):
        assert my_work_heading == translation.gettext("My work")
    assert phone.locator("main[data-offline-page]").count() == 0
    phone.goto(f"{base}{probe}")
    photo = tmp_path / "site.jpg"
    photo.write_bytes(photos.jpeg(lon=120.6, lat=27.8))
    key = phone.input_value("input[name=client_uuid]")

    phone.context.set_offline(True)
    phone.set_input_files("#id_photo", str(photo))
    phone.fill("#id_note", "离线测试")
    submit = phone.locator("#outbox-probe-form button[type=submit]")
    submit.click()
    phone.wait_for_selector(f'{BADGE}[data-count="1"]', state="visible")
    assert "1" in phone.locator(f"{BADGE} .outbox-count").inner_text()
    assert phone.locator(f"{BADGE} .outbox-retry").is_visible()
    # Tapping again sends the same submission (same id), so nothing is queued twice.
    submit.click()
    phone.wait_for_function("() => !document.querySelector('#outbox-probe-form[aria-busy=true]')")
    assert outbox_keys(phone) == [key]
    assert phone.locator(BADGE).get_attribute("data-count") == "1"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "field-offline-390")

    # Offline navigation: a page seen online comes from the cache, any other one is the
    # offline page, which still shows what waits to be sent.
    phone.goto(f"{base}{my_work}")
    assert phone.locator("h1").inner_text() == my_work_heading
    assert phone.locator("main[data-offline-page]").count() == 0
    phone.goto(f"{base}/field/never-opened/")
    phone.wait_for_selector(f'{BADGE}[data-count="1"]', state="visible")
    assert phone.locator("main[data-offline-page]").count() == 1

    phone.context.set_offline(False)  # the page's "online" event sends what waits
    phone.wait_for_function(
        "() => document.querySelector('#outbox-status').dataset.count === '0'", timeout=15_000
    )
    assert phone.locator(BADGE).is_hidden()
    assert outbox_keys(phone) == []
    phone.goto(f"{base}{probe}")
    seen = phone.locator("#outbox-probe-seen").inner_text()
    assert key in seen
    assert hashlib.sha256(photo.read_bytes()).hexdigest()[:12] in seen
    screenshot(phone, "field-offline-sent-390")


def test_a_submission_sent_online_goes_straight_through(demo_server, phone, tmp_path):
    base = demo_server.url
    probe = reverse("fieldapp-offline:probe")
    log_in(phone, base, probe)
    key = phone.input_value("input[name=client_uuid]")
    photo = tmp_path / "site.jpg"
    photo.write_bytes(photos.jpeg())
    phone.set_input_files("#id_photo", str(photo))
    with phone.expect_navigation():
        phone.locator("#outbox-probe-form button[type=submit]").click()
    assert key in phone.locator("#outbox-probe-seen").inner_text()
    assert phone.locator(BADGE).is_hidden()
    assert outbox_keys(phone) == []


def test_a_refused_submission_stays_on_the_phone_with_the_servers_errors(demo_server, phone):
    base = demo_server.url
    probe = reverse("fieldapp-offline:probe")
    log_in(phone, base, probe)
    # A submission id the server refuses stands in for any validation error (400).
    phone.evaluate("document.querySelector('input[name=client_uuid]').value = 'not-a-uuid'")
    phone.locator("#outbox-probe-form button[type=submit]").click()
    phone.wait_for_selector(".outbox-errors li")
    phone.wait_for_selector(f'{BADGE}[data-attention="1"]', state="visible")
    assert outbox_keys(phone) == ["not-a-uuid"]
    assert phone.locator(f"{BADGE} .outbox-problem-errors li").count() == 1
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.locator(f"{BADGE} .outbox-discard").click()
    phone.wait_for_function("() => document.querySelector('#outbox-status').hidden")
    assert outbox_keys(phone) == []
