"""What a phone's browser may do to field work, in a real Chromium: persistent storage asked for
and its answer shown, outbox entries kept too long marked at risk, the home-screen prompt on an
iPhone, and the WeChat notice where WeChat's in-app browser falls short (not on record pages)."""

import re

import pytest
from django.urls import reverse

from qr.models import ElectronicId
from tests.e2e.conftest import SCREENSHOTS, log_in
from tests.e2e.test_field_scan import PHONE

pytestmark = pytest.mark.e2e

IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
WECHAT_ANDROID = (
    "Mozilla/5.0 (Linux; Android 13; V2219A Build/TP1A.220624.014; wv) AppleWebKit/537.36"
    " (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065"
    " MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64"
    " Weixin NetType/WIFI Language/zh_CN ABI/arm64"
)
PUT_ENTRY = """([key, ageDays]) => new Promise((resolve, reject) => {
    const open = indexedDB.open("qinglian-field", 1);
    open.onsuccess = () => {
        const tx = open.result.transaction("outbox", "readwrite");
        tx.objectStore("outbox").put({
            client_uuid: key, url: location.origin + "/field/outbox-probe/", page: location.href,
            fields: [["client_uuid", key]], files: [], csrf: "", user: "",
            created: Date.now() - ageDays * 86400000, status: "pending", errors: []
        });
        tx.oncomplete = () => resolve(true);
        tx.onerror = () => reject(tx.error);
    };
    open.onerror = () => reject(open.error);
})"""


def screenshot(page, name: str) -> None:
    """What the phone shows (not the whole page: the outbox badge sticks to the screen's foot)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def phone_with(browser, base: str, username: str | None = "inspector", **options):
    page = browser.new_context(**PHONE | options).new_page()
    if username:
        log_in(page, base, username)
    return page


def test_my_work_asks_to_keep_storage_and_says_whether_it_was_granted(demo_server, phone):
    base = demo_server.url
    log_in(phone, base, "inspector")
    phone.goto(f"{base}{reverse('fieldapp:my-work')}")
    line = phone.locator("#storage-state")
    line.wait_for(state="visible")
    persisted = phone.evaluate("() => navigator.storage.persisted()")
    state = line.get_attribute("data-state")
    assert state == ("granted" if persisted else "refused")
    assert line.inner_text() == line.get_attribute(f"data-text-{state}")


def test_an_entry_kept_for_days_is_shown_at_risk(demo_server, phone):
    base = demo_server.url
    log_in(phone, base, "inspector")
    my_work = f"{base}{reverse('fieldapp:my-work')}"
    phone.goto(my_work)
    phone.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller")
    phone.goto(my_work)  # now kept by the worker
    phone.context.set_offline(True)
    phone.evaluate(PUT_ENTRY, ["00000000-0000-4000-8000-000000000001", 0.5])
    phone.reload()
    badge = phone.locator("#outbox-status")
    badge.wait_for(state="visible")
    assert badge.get_attribute("data-count") == "1"
    assert badge.get_attribute("data-at-risk") == "0"
    assert phone.locator(".outbox-at-risk").is_hidden()

    phone.evaluate(PUT_ENTRY, ["00000000-0000-4000-8000-000000000002", 10])
    phone.reload()
    phone.wait_for_function("() => document.querySelector('#outbox-status').dataset.count === '2'")
    assert badge.get_attribute("data-at-risk") == "1"
    risk = phone.locator(".outbox-at-risk")
    assert risk.is_visible()
    template = badge.get_attribute("data-text-at-risk")
    said = re.escape(template).replace(r"\{n\}", "1").replace(r"\{days\}", "[0-9]+")
    assert re.fullmatch(said, risk.inner_text())
    screenshot(phone, "field-outbox-at-risk-390")


def test_an_iphone_outside_the_home_screen_is_told_to_add_the_app(demo_server, browser, phone):
    base = demo_server.url
    my_work = f"{base}{reverse('fieldapp:my-work')}"
    log_in(phone, base, "inspector")
    phone.goto(my_work)
    phone.locator("#storage-state").wait_for(state="visible")  # keep.js has run
    assert phone.locator("#home-screen-prompt").is_hidden()  # not an iPhone

    iphone = phone_with(browser, base, user_agent=IPHONE_SAFARI)
    iphone.goto(my_work)
    prompt = iphone.locator("#home-screen-prompt")
    prompt.wait_for(state="visible")
    assert "添加到主屏幕" in prompt.inner_text() or "Add to Home Screen" in prompt.inner_text()
    assert iphone.locator("[data-wechat-notice]").is_hidden()
    screenshot(iphone, "field-iphone-prompt-390")
    prompt.locator(".home-screen-dismiss").click()
    assert prompt.is_hidden()
    iphone.reload()
    iphone.locator("#storage-state").wait_for(state="visible")
    assert prompt.is_hidden()  # dismissed stays dismissed

    # Opened from the home screen (standalone), there is nothing to ask.
    standalone = phone_with(browser, base, user_agent=IPHONE_SAFARI)
    standalone.add_init_script("Object.defineProperty(navigator, 'standalone', {value: true})")
    standalone.goto(my_work)
    standalone.locator("#storage-state").wait_for(state="visible")
    assert standalone.locator("#home-screen-prompt").is_hidden()


def test_wechat_is_told_what_does_not_work_there_but_not_on_record_pages(demo_server, browser):
    base = demo_server.url
    wechat = phone_with(browser, base, user_agent=WECHAT_ANDROID)
    wechat.goto(f"{base}{reverse('fieldapp:my-work')}")
    notice = wechat.locator("[data-wechat-notice]")
    notice.wait_for(state="visible")
    assert "在浏览器打开" in notice.inner_text() or "Open in Browser" in notice.inner_text()
    screenshot(wechat, "field-wechat-390")
    wechat.set_viewport_size({"width": 1280, "height": 800})
    screenshot(wechat, "field-wechat-1280")
    wechat.set_viewport_size({"width": 390, "height": 844})

    for url in (
        reverse("fieldapp:login"),
        reverse("supervision:case-list"),
        reverse("open_data:index"),
    ):
        wechat.goto(f"{base}{url}")
        wechat.locator("[data-wechat-notice]").wait_for(state="visible")
    wechat.locator("[data-wechat-notice]").scroll_into_view_if_needed()
    screenshot(wechat, "opendata-wechat-390")

    code = ElectronicId.objects.filter(prefix="P").first().code
    wechat.goto(f"{base}/e/{code}")
    wechat.wait_for_selector(".eid-code")
    assert wechat.locator("[data-wechat-notice]").count() == 0


def test_other_browsers_see_no_wechat_notice(demo_server, phone):
    base = demo_server.url
    log_in(phone, base, "inspector")
    for url in (reverse("fieldapp:my-work"), reverse("open_data:index")):
        phone.goto(f"{base}{url}")
        phone.wait_for_load_state("load")  # after every deferred script has run
        assert phone.locator("[data-wechat-notice]").count() == 1
        assert phone.locator("[data-wechat-notice]").is_hidden()
