"""A villager scans a plaque, reports a problem anonymously with a photo and keeps the receipt;
a station member handles it in the field app to rectification; the villager sees it closed."""

import datetime as dt
import time

import pytest
from django.utils import timezone, translation

from qr.models import ElectronicId
from supervision.models import Case, CasePhoto, State
from tests.e2e.conftest import PHONE, log_in, screenshot
from tests.supervision.conftest import jpeg

pytestmark = pytest.mark.e2e

TEXT = "村道刚铺好就开裂了，施工时没有看到监理。"
OUTCOME = "施工方已返工重铺开裂路段，村监察联络站到场复核。"


def wait_for(check, what: str, seconds: float = 20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"not reached in {seconds} s: {what}")


def reach(case: Case, state: str) -> None:
    wait_for(lambda: Case.objects.get(pk=case.pk).state == state, f"case {case.pk} {state}")


def test_a_villager_reports_a_problem_and_sees_it_put_right(demo_server, browser, tmp_path):
    eid = ElectronicId.objects.filter(code__startswith="P-102201").order_by("code").first()
    villager = browser.new_context(**PHONE).new_page()
    villager.goto(f"{demo_server.url}/e/{eid.code}")
    villager.click(f'a[href$="/e/{eid.code}/report/"]')
    villager.wait_for_url(f"**/e/{eid.code}/report/")
    assert villager.is_checked("input[name=identity][value=anonymous]")
    villager.check("input[name=category] >> nth=0")
    villager.fill("textarea[name=text]", TEXT)
    camera = {"0x010F": "VillagerCam", "0x0110": "Phone 7"}
    villager.set_input_files(
        "#id_photos",
        files=[{"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": jpeg(**camera)}],
    )
    screenshot(villager, "report-form-390")
    villager.click("#report-form button[type=submit]")
    villager.wait_for_selector("#receipt-code")
    receipt = villager.inner_text("#receipt-code").strip()
    screenshot(villager, "report-receipt-390")
    # Back, and the same report sent again (the page comes back with a new form): one case,
    # the same receipt.
    villager.go_back()
    villager.wait_for_selector("#report-form")
    villager.check("input[name=category] >> nth=0")
    villager.fill("textarea[name=text]", TEXT)
    villager.click("#report-form button[type=submit]")
    villager.wait_for_selector("#receipt-code")
    assert villager.inner_text("#receipt-code").strip() == receipt
    case = Case.objects.get(text=TEXT)
    assert (case.identity, case.subject_code, case.route) == ("anonymous", eid.code, "station")
    assert CasePhoto.objects.filter(case=case, purpose="report").count() == 1

    member = browser.new_context(**PHONE).new_page()
    log_in(member, demo_server.url, "supervisor")
    member.goto(f"{demo_server.url}/field/")
    member.wait_for_selector(f'a[href$="/field/cases/{case.pk}/"]')  # in "my work"
    member.goto(f"{demo_server.url}/field/cases/{case.pk}/")
    assert TEXT in member.inner_text("main")

    def move(to: str, **fields: str) -> None:
        member.wait_for_selector(f".move-{to}")
        if member.locator(f"details.move-{to}").count():
            member.click(f"details.move-{to} summary")
        for name, value in fields.items():
            member.fill(f".move-{to} [name={name}]", value)
        member.click(f".move-{to} button[type=submit]")
        reach(case, to)
        member.wait_for_selector(f"#state .state-{to}")  # the page came back, moved

    move("accepted")
    move("verifying")

    def evidence(purpose: str) -> None:
        member.click("details:has(form[action$='/photos/']) summary")
        member.check(f"form[action$='/photos/'] input[name=purpose][value={purpose}]")
        member.set_input_files(
            "form[action$='/photos/'] input[type=file]",
            files=[{"name": "site.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}],
        )
        member.click("form[action$='/photos/'] button[type=submit]")
        wait_for(lambda: CasePhoto.objects.filter(case=case, purpose=purpose).exists(), purpose)
        shown = CasePhoto.objects.filter(case=case).count()
        member.wait_for_function(  # the page came back with the photo
            "(n) => document.querySelectorAll('.case-photos img').length === n", arg=shown
        )

    evidence("verify")
    move("found", reason="现场查看，约20米路面开裂属实。")
    day = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    move("ordered", rectify_who="施工方", rectify_by=day)
    evidence("rectified")
    move("rectified", reason="已返工重铺，附照片。")
    move("closed", reason="复核整改到位。", outcome=OUTCOME)
    screenshot(member, "field-case-closed-390")

    villager.goto(f"{demo_server.url}/supervision/receipt/")
    villager.fill("input[name=receipt]", receipt.lower().replace("-", " "))
    villager.click("form[action$='/supervision/receipt/'] button[type=submit]")
    with translation.override("zh-hans"):
        closed = str(State.CLOSED.label)
    villager.wait_for_function(
        "(word) => document.querySelector('main').innerText.includes(word)", arg=closed
    )
    page = villager.inner_text("main")
    assert OUTCOME in page or "复核整改到位" in page
    screenshot(villager, "receipt-closed-390")
