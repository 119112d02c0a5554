import pytest

from fieldapp.models import Checklist, Inspection, Photo
from projects.models import Project
from qr.models import ElectronicId
from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import screenshot
from tests.fieldapp import photos

pytestmark = pytest.mark.e2e


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_inspector_inspects_a_project_and_the_public_sees_the_photo(
    demo_server, phone, media, tmp_path
):
    project = Project.objects.filter(
        stage="construction", village__name__in=["东岙村", "许岙村"]
    ).first()
    checklist = Checklist.objects.get(name="施工现场检查")
    picture = tmp_path / "site.jpg"
    picture.write_bytes(photos.jpeg(size=(2400, 1800)))

    phone.goto(f"{demo_server.url}/field/")
    phone.wait_for_url("**/field/login/**")
    screenshot(phone, "field-login-390")
    phone.fill("#id_username", "inspector")
    phone.fill("#id_password", DEMO_PASSWORD)
    phone.locator("button[type=submit].big").click()
    phone.wait_for_url(f"{demo_server.url}/field/")
    assert phone.locator(".list").count() >= 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "field-my-work-390")

    phone.locator(f'a[href="/field/project/{project.pk}/"]').first.click()
    phone.wait_for_url(f"**/field/project/{project.pk}/")
    screenshot(phone, "field-subject-390")

    phone.locator(f'a[href$="/inspect/{checklist.pk}/"]').click()
    phone.wait_for_selector("form[data-locate]")
    for item in checklist.items.all():
        name = f"item_{item.pk}"
        if item.answer_type == "yes_no":
            phone.locator(f'label:has(input[name="{name}"][value="yes"])').click()
        elif item.answer_type == "number":
            phone.fill(f'input[name="{name}"]', "6")
        elif item.answer_type == "text":
            phone.fill(f'textarea[name="{name}"]', "正常")
        else:
            phone.set_input_files(f'input[name="{name}"]', str(picture))
    phone.wait_for_function(
        "() => !document.querySelector('[data-busy]')"
        " && document.querySelector('input[type=file]').files[0].size < 1000000"
    )
    screenshot(phone, "field-inspect-390")
    phone.locator("button[data-once]").click()
    phone.wait_for_url("**/field/inspection/**")
    assert phone.locator("h1.done").count() == 1
    screenshot(phone, "field-done-390")

    inspection = Inspection.objects.get(inspector__username="inspector")
    photo = Photo.objects.get(inspection=inspection)
    assert max(photo.width, photo.height) <= 1600  # shrunk on the phone before upload

    eid = ElectronicId.objects.get(subject_type__model="project", subject_id=project.pk)
    phone.goto(f"{demo_server.url}/e/{eid.code}")
    thumb = phone.locator(".photo-timeline img").first
    thumb.scroll_into_view_if_needed()
    phone.wait_for_function("() => document.querySelector('.photo-timeline img').naturalWidth > 0")
    assert phone.locator(".field-record").count() == 1
    screenshot(phone, "field-public-record-390")


def test_nearby_and_the_progress_form_on_a_phone(demo_server, phone, media):
    project = Project.objects.filter(
        stage="construction", village__name__in=["东岙村", "许岙村"]
    ).first()
    where = project.location.centroid
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"longitude": where.x, "latitude": where.y})
    phone.goto(f"{demo_server.url}/field/login/")
    phone.fill("#id_username", "inspector")
    phone.fill("#id_password", DEMO_PASSWORD)
    phone.locator("button[type=submit].big").click()
    phone.wait_for_url(f"{demo_server.url}/field/")
    phone.goto(f"{demo_server.url}/field/nearby/")
    phone.wait_for_selector("#results .list")
    assert project.name in phone.locator("#results").inner_text()
    screenshot(phone, "field-nearby-390")
    phone.goto(f"{demo_server.url}/field/project/{project.pk}/progress/")
    screenshot(phone, "field-progress-390")
    assert phone.locator(".kicker a").inner_text() == project.name
    assert 0 < project.progress_percent < 100
    assert phone.locator("#id_percent").input_value() == str(project.progress_percent)
    assert phone.locator("input[data-slider]").input_value() == str(project.progress_percent)
    for field in ("#id_percent", "input[data-slider]", "#id_photos", "button[data-once]"):
        assert phone.locator(field).is_visible(), field
    assert fits_the_phone(phone)

    phone.goto(f"{demo_server.url}/field/project/{project.pk}/note/")
    screenshot(phone, "field-note-390")
    assert phone.locator(".kicker a").inner_text() == project.name
    for field in ("#id_text", "#id_public", "#id_photos", "button[data-once]"):
        assert phone.locator(field).is_visible(), field
    assert fits_the_phone(phone)


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390
