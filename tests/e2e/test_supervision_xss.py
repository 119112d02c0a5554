"""Text of reports, cases and stations reaches every page as text, never as markup.

Payloads go into every text a villager or staff can write in supervision (the report, the
reporter's name, messages, reasons, the published text and outcome, a category, a station's
name, place and hours); Chromium opens the public pages, the receipt page, the field app's case
page and the plaque's panel, and every map popup. No dialog, no injected element.
"""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from qr.models import ElectronicId
from registry.models import AdminUnit
from supervision import services
from supervision.models import Case, Category, State, Station
from tests.e2e.conftest import log_in
from tests.e2e.test_xss import IMG, INJECTED, NAME, OPEN_ALL, TEXT, folium_ready, watched

pytestmark = pytest.mark.e2e
__all__ = ["watched"]  # the fixture, used by name

VILLAGE = "330381102201"


@pytest.fixture
def case_with_payloads(demo_server):
    village = AdminUnit.objects.get(code=VILLAGE)
    Station.objects.filter(village=village).update(name=f"S{NAME}", place=TEXT, office_hours=TEXT)
    Category.objects.filter(code="quality").update(name=f"K{NAME}")
    eid = ElectronicId.objects.filter(code__startswith="P-102201").order_by("code").first()
    submitted = services.submit_report(
        client_uuid=uuid.uuid4(),
        category=Category.objects.get(code="quality"),
        text=TEXT,
        identity=Case.Identity.NAMED,
        village=village,
        subject_code=eid.code,
        contact={"name": f"N{IMG}", "phone": "13912345678"},
    )
    case = submitted.case
    supervisor = services.station_members(village)[0]
    services.move(case, to=State.ACCEPTED, actor=supervisor)
    services.move(case, to=State.VERIFYING, actor=supervisor)
    services.move(case, to=State.FOUND, actor=supervisor, reason=TEXT)
    services.move(
        case,
        to=State.ORDERED,
        actor=supervisor,
        rectify_who=f"W{IMG}",
        rectify_by=timezone.localdate() + dt.timedelta(days=5),
    )
    services.ask_reporter(case, text=TEXT, actor=supervisor)
    services.reporter_message(case, text=TEXT)
    services.publish(case, public_text=TEXT, outcome=TEXT, actor=supervisor)
    return {"base": demo_server.url, "case": case, "receipt": submitted.receipt, "eid": eid}


def check(page, dialogs: list[str]) -> None:
    page.wait_for_load_state("networkidle")
    assert page.evaluate(INJECTED) == [], page.url
    assert dialogs == [], page.url
    assert IMG in page.locator("body").inner_text(), page.url


def test_supervision_pages_show_written_text_as_text(case_with_payloads, watched):
    page, dialogs = watched
    base, case = case_with_payloads["base"], case_with_payloads["case"]
    for path in ("/supervision/", f"/supervision/cases/?village={VILLAGE}"):
        page.goto(base + path)
        folium_ready(page)
        page.evaluate(OPEN_ALL)
        check(page, dialogs)
    for path in (
        f"/supervision/cases/{case.pk}/",
        f"/supervision/stations/{VILLAGE}/",
        f"/e/{case_with_payloads['eid'].code}",
        f"/units/{VILLAGE}/",
    ):
        page.goto(base + path)
        check(page, dialogs)

    page.goto(base + "/supervision/receipt/")
    page.fill("input[name=receipt]", case_with_payloads["receipt"])
    page.click("form[action$='/supervision/receipt/'] button[type=submit]")
    page.wait_for_selector(".timeline")
    check(page, dialogs)

    log_in(page, base, "supervisor")
    for path in (f"/field/cases/{case.pk}/", "/field/cases/?show=all", "/field/"):
        page.goto(base + path)
        check(page, dialogs)
