import pytest

from projects.models import Project
from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def test_township_staff_move_a_project_on_a_phone_and_the_public_sees_it(demo_server, phone):
    project = Project.objects.get(name="许岙村南拳馆外立面改造")  # contracting, records complete
    phone.goto(f"{demo_server.url}/staff/projects/{project.pk}/")
    phone.wait_for_url("**/accounts/login/**")
    phone.fill("#id_username", "township")
    phone.fill("#id_password", DEMO_PASSWORD)
    phone.locator("button[type=submit].button").click()
    phone.wait_for_url(f"**/staff/projects/{project.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "procedure-staff-390")

    # A contract above the guidance price without a reason is refused in place.
    phone.locator("details:has(input[value=contract]) summary").click()
    phone.fill("#id_contract-contract_amount", "199000")
    phone.fill("#id_contract-over_guidance_reason", "")
    phone.locator("form:has(input[value=contract]) button[type=submit]").click()
    phone.wait_for_selector("#panel .errors")
    assert "指导价" in phone.locator("#panel .errors").inner_text()

    phone.locator("form:has(input[value=advance]) button[type=submit]").click()
    phone.wait_for_selector("#stage-construction.current")
    project.refresh_from_db()
    assert project.stage == "construction"
    assert phone.locator("#stage-construction .missing li").count() >= 1

    phone.goto(f"{demo_server.url}/projects/{project.pk}/")
    assert phone.locator("#stage-contracting.done").count() == 1
    assert phone.locator(".documents .hash").count() >= 3
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "procedure-public-390")
