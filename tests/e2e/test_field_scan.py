"""The field app's plaque scanner in a real Chromium: a QR shown to a (fake) camera opens its
record, my work's codes open offline, a typed code is read as people type it, and what is not a
plaque says so."""

import io
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.urls import reverse
from PIL import Image

from fieldapp import selectors
from qr import images
from qr.codes import MalformedCode, parse
from qr.models import ElectronicId
from registry.models import Asset
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, csp_events, log_in, screenshot, watch_csp
from tests.e2e.test_report_to_rectification import PHONE  # the phone fixture's settings
from tests.qr.test_typed_input import TYPED

pytestmark = pytest.mark.e2e

FRAME = (640, 480)
# A script the page runs first: a BarcodeDetector that "sees" window.__qrSeen in every frame,
# for the browsers that have one (headless Chromium on Linux has none).
NATIVE_DETECTOR = """
window.BarcodeDetector = class {
  static getSupportedFormats() { return Promise.resolve(["qr_code"]); }
  detect() {
    return Promise.resolve(window.__qrSeen ? [{rawValue: window.__qrSeen, format: "qr_code"}] : []);
  }
};
"""


def write_y4m(path, picture: Image.Image, frames: int = 5) -> None:
    """`picture` as a few frames of an uncompressed YUV 4:2:0 video, Chromium's fake camera."""
    width, height = picture.size
    luma, blue, red = picture.convert("YCbCr").split()
    half = (width // 2, height // 2)
    frame = luma.tobytes() + blue.resize(half).tobytes() + red.resize(half).tobytes()
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + frame)


def plaque_picture(code: str) -> Image.Image:
    """A plaque's QR (as printed: the public URL of the code) in the middle of a white frame."""
    symbol = Image.open(io.BytesIO(images.png(images.public_url(code), box_size=8)))
    picture = Image.new("RGB", FRAME, "white")
    picture.paste(symbol, ((FRAME[0] - symbol.width) // 2, (FRAME[1] - symbol.height) // 2))
    return picture


def my_work_record(username: str = "inspector"):
    """A record of the user's my work with a code, its code and its field page."""
    work = selectors.my_work(User.objects.get(username=username))
    code, (kind, pk) = sorted(selectors.plaque_codes(work).items())[0]
    record = selectors.KINDS[kind].objects.get(pk=pk)
    return record, code, reverse("fieldapp:subject", args=[kind, pk])


def code_elsewhere() -> str:
    """The code of an asset outside the demo field staff's villages."""
    asset = Asset.objects.exclude(village__name__in=["东岙村", "许岙村"]).first()
    return ElectronicId.objects.get(subject_type__model="asset", subject_id=asset.pk).code


@dataclass
class Camera:
    """A Chromium whose camera films a plaque of the inspector's my work."""

    browser: object
    base: str
    record: object
    code: str
    field_url: str

    def phone(self, **options):
        page = self.browser.new_context(**PHONE | options).new_page()
        log_in(page, self.base, "inspector")
        return page


@pytest.fixture
def camera(browser, demo_server, tmp_path):
    record, code, field_url = my_work_record()
    video = tmp_path / "plaque.y4m"
    write_y4m(video, plaque_picture(code))
    filming = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    yield Camera(filming, demo_server.url, record, code, field_url)
    filming.close()


def test_the_scanner_reads_a_plaque_shown_to_the_camera_and_opens_its_field_page(camera):
    page = camera.phone()
    refused = watch_csp(page)
    decoders = []
    page.on("request", lambda r: "jsqr" in r.url.lower() and decoders.append(r.url))
    page.goto(f"{camera.base}{reverse('fieldapp:my-work')}")
    assert decoders == []  # the decoder is for the scanner only
    native = page.evaluate("() => 'BarcodeDetector' in window")
    page.get_by_role("link", name="扫码").click()
    page.wait_for_url(f"**{camera.field_url}", timeout=20_000)
    assert page.locator("h1").inner_text() == camera.record.name
    # Headless Chromium on Linux has no BarcodeDetector: the vendored jsQR read the plaque.
    assert bool(decoders) != native
    assert refused == [] and csp_events(page) == []  # the decoder loads under the CSP


def test_with_a_native_detector_the_decoder_is_not_loaded(camera):
    page = camera.phone()
    page.add_init_script(NATIVE_DETECTOR)
    decoders = []
    page.on("request", lambda r: "jsqr" in r.url.lower() and decoders.append(r.url))
    page.goto(f"{camera.base}{reverse('fieldapp:scan')}")
    page.wait_for_function("() => document.querySelector('#scan').dataset.camera === 'on'")
    assert page.locator("#scan").get_attribute("data-decoder") == "native"
    screenshot(page, "field-scan-390")
    page.evaluate(f"() => {{ window.__qrSeen = {images.public_url(camera.code)!r}; }}")
    page.wait_for_url(f"**{camera.field_url}")
    assert decoders == []


def test_a_qr_code_that_is_not_a_plaque_says_so_and_opens_nothing(camera):
    page = camera.phone()
    page.add_init_script(NATIVE_DETECTOR)
    scan = f"{camera.base}{reverse('fieldapp:scan')}"
    page.goto(scan)
    page.wait_for_function("() => document.querySelector('#scan').dataset.camera === 'on'")
    page.evaluate("() => { window.__qrSeen = 'https://example.com/e/hello-world'; }")
    message = page.locator(".scan-message")
    message.wait_for(state="visible")
    assert page.locator("#scan").get_attribute("data-message") == "not-plaque"
    assert message.inner_text() == page.locator("#scan").get_attribute("data-text-not-plaque")
    page.wait_for_timeout(600)  # several frames later: still here, still scanning
    assert page.url == scan
    assert page.locator("#scan").get_attribute("data-camera") == "on"
    page.set_viewport_size({"width": 1280, "height": 800})
    screenshot(page, "field-scan-not-plaque-1280")


def test_the_camera_stops_when_the_page_is_hidden(camera):
    page = camera.phone()
    page.add_init_script(NATIVE_DETECTOR)
    page.goto(f"{camera.base}{reverse('fieldapp:scan')}")
    page.wait_for_function("() => document.querySelector('#scan').dataset.camera === 'on'")
    live = "() => document.querySelector('video').srcObject?.getTracks()[0]?.readyState"
    assert page.evaluate(live) == "live"
    tracks = page.evaluate_handle("() => document.querySelector('video').srcObject.getTracks()")
    page.evaluate(
        """() => {
            Object.defineProperty(document, "hidden", {value: true, configurable: true});
            document.dispatchEvent(new Event("visibilitychange"));
        }"""
    )
    assert page.locator("#scan").get_attribute("data-camera") == "off"
    assert page.evaluate("(tracks) => tracks.map((t) => t.readyState)", tracks) == ["ended"]
    assert page.locator(".scan-start").is_visible()


def test_a_typed_code_is_read_as_people_type_it(demo_server, phone):
    record, code, field_url = my_work_record()
    base = demo_server.url
    log_in(phone, base, "inspector")
    scan = f"{base}{reverse('fieldapp:scan')}"
    phone.goto(scan)
    # No camera on this phone: the typed code is the way, and the page says so.
    phone.wait_for_function("() => document.querySelector('#scan').dataset.message === 'no-camera'")
    assert phone.locator(".scan-start").is_hidden()  # no dead "start the camera" button
    full_width = "".join(chr(ord(c) + 0xFEE0) if c != "-" else "－" for c in code.lower())
    typed = f"　【{full_width.replace('－', ' — ', 1)}】"
    phone.fill("#scan-code", typed)
    screenshot(phone, "field-scan-typed-390")
    phone.locator(".scan-code-form button").click()
    phone.wait_for_url(f"**{field_url}")
    assert phone.locator("h1").inner_text() == record.name

    # A code of a record outside my work opens its public page (online).
    elsewhere = code_elsewhere()
    phone.goto(scan)
    phone.fill("#scan-code", elsewhere.replace("-", "").lower())
    phone.locator(".scan-code-form button").click()
    phone.wait_for_url(f"**/e/{elsewhere}")
    assert phone.locator(".eid-code").inner_text() == elsewhere

    # Text that cannot be a code gets a message, not a page.
    phone.goto(scan)
    phone.fill("#scan-code", "hello 你好")
    phone.locator(".scan-code-form button").click()
    phone.wait_for_function("() => document.querySelector('#scan').dataset.message === 'not-code'")
    assert phone.url == scan


def test_offline_my_work_codes_open_their_kept_field_pages(demo_server, phone):
    record, code, field_url = my_work_record()
    base = demo_server.url
    log_in(phone, base, "inspector")
    phone.goto(f"{base}{reverse('fieldapp:my-work')}")
    ready = phone.locator("#offline-ready")
    ready.wait_for(state="visible", timeout=30_000)
    kept = int(ready.get_attribute("data-kept"))
    assert kept == phone.evaluate(
        "() => Object.keys(JSON.parse(document.getElementById('plaque-urls').textContent)).length"
    )
    assert kept > 0

    phone.context.set_offline(True)
    # The scanner was never opened, yet it opens: my work had the worker keep it.
    phone.get_by_role("link", name="扫码").click()
    phone.wait_for_selector("#scan")
    phone.fill("#scan-code", code)
    phone.locator(".scan-code-form button").click()
    phone.wait_for_url(f"**{field_url}")
    assert phone.locator("h1").inner_text() == record.name
    assert phone.locator("main[data-offline-page]").count() == 0

    elsewhere = code_elsewhere()
    phone.go_back()
    phone.wait_for_selector("#scan")
    phone.fill("#scan-code", elsewhere)
    phone.locator(".scan-code-form button").click()
    phone.wait_for_function("() => document.querySelector('#scan').dataset.message === 'offline'")
    assert elsewhere in phone.locator(".scan-message").inner_text()
    assert phone.url.endswith(reverse("fieldapp:scan"))
    screenshot(phone, "field-scan-offline-390")


def server_reading(text: str) -> dict | None:
    try:
        parsed = parse(text)
    except MalformedCode:
        return None
    if not parsed.serial:  # never issued
        return None
    code = f"{parsed.prefix}-{parsed.place}-{parsed.serial:04d}-{parsed.check}"
    return {"code": code, "valid": parsed.is_valid}


def test_the_scanner_reads_codes_as_the_server_does(browser):
    texts = [
        *TYPED,
        "p 102201 0042 k",
        "P-1O22OI-OO42-K",  # look-alike letters
        "D-102201-0042-U",  # U is not in the alphabet
        "B-001201-0001-Y",  # the check character does not add up
        "B-001201-0000-Z",
        "B-٠٠١٢٠١-0001-Z",  # Arabic-Indic digits are not digits of a code
        "https://example.com/hello",
        "WIFI:S:村委会;T:WPA;P:12345678;;",
        "",
        "　",
    ]
    page = browser.new_page()
    page.set_content("<!DOCTYPE html><html><body></body></html>")
    page.add_script_tag(path=finders.find("js/codes.js"))
    read = page.evaluate("(texts) => texts.map(QinglianCodes.plaqueCode)", texts)
    assert read == [server_reading(text) for text in texts]
    assert read[0] == {"code": "B-001201-0001-Z", "valid": True}
    page.close()
