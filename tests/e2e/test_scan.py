import pytest

from projects.models import Project
from qr.models import ElectronicId
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def test_scanning_a_project_plaque_on_a_phone_shows_its_record(demo_server, phone):
    project = Project.objects.filter(stage="construction").first()
    eid = ElectronicId.objects.get(subject_type__model="project", subject_id=project.pk)
    phone.goto(f"{demo_server.url}/e/{eid.code}")
    assert phone.locator("h1").inner_text() == project.name
    assert phone.locator(".eid-code").inner_text() == eid.code
    assert phone.locator(".stage-step.current").count() == 1
    phone.wait_for_function(
        "() => { const i = document.querySelector('.place img');"
        " return !!i && i.complete && i.naturalWidth > 0; }"
    )
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.locator(".leaflet-container").count() == 0
    screenshot(phone, "scan-project-390")
    phone.locator(".place img").click()  # the picture opens the interactive map
    phone.wait_for_selector(".leaflet-container")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.go_back()
    phone.get_by_role("link", name="我要反映问题").click()
    phone.wait_for_url(f"**/e/{eid.code}/report/")
    screenshot(phone, "scan-report-390")


def test_typing_a_code_with_a_slip_suggests_the_right_one(demo_server, phone):
    eid = ElectronicId.objects.filter(prefix="S").first()
    typo = eid.code[:-1] + ("2" if eid.code[-1] != "2" else "3")
    phone.goto(f"{demo_server.url}/e/")
    phone.fill("#id_code", typo.lower())
    phone.locator(".code-form button").click()
    phone.wait_for_selector("[role=alert]")
    screenshot(phone, "scan-typo-390")
    phone.get_by_role("link", name=eid.code).click()
    phone.wait_for_selector(".eid-code")
    assert phone.locator(".eid-code").inner_text() == eid.code
