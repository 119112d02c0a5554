"""The issue's whole story on a phone: inspect a project with no signal, come back online,
and the inspection and its photo reach the server and the public record, dated when the
inspection was made on the phone, not when it arrived (issue 13)."""

import datetime as dt

import pytest
from django.utils import timezone

from fieldapp.models import Checklist, Inspection, Photo
from projects.models import Project
from qr.models import ElectronicId
from tests.e2e.conftest import screenshot
from tests.e2e.test_offline import BADGE, back_online, log_in, outbox_keys
from tests.fieldapp import photos

pytestmark = pytest.mark.e2e


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_inspection_made_offline_syncs_and_appears_on_the_public_page(
    demo_server, phone, media, tmp_path
):
    base = demo_server.url
    project = Project.objects.filter(
        stage="construction", village__name__in=["东岙村", "许岙村"]
    ).first()
    checklist = Checklist.objects.get(name="施工现场检查")
    inspect = f"/field/project/{project.pk}/inspect/{checklist.pk}/"
    picture = tmp_path / "site.jpg"
    picture.write_bytes(photos.jpeg(size=(1200, 900)))

    log_in(phone, base, inspect)
    phone.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller")
    phone.goto(f"{base}{inspect}")  # opened online: the form is now also in the cache
    phone.wait_for_selector("form[data-locate]")

    phone.context.set_offline(True)
    for item in checklist.items.all():
        name = f"item_{item.pk}"
        if item.answer_type == "yes_no":
            phone.locator(f'label:has(input[name="{name}"][value="yes"])').click()
        elif item.answer_type == "number":
            phone.fill(f'input[name="{name}"]', "4")
        elif item.answer_type == "text":
            phone.fill(f'textarea[name="{name}"]', "正常")
        else:
            phone.set_input_files(f'input[name="{name}"]', str(picture))
    phone.wait_for_function("() => !document.querySelector('[data-busy]')")
    # Made two minutes before it reaches the server: the phone's clock says so at the tap.
    made = timezone.now() - dt.timedelta(minutes=2)
    phone.clock.set_system_time(made)
    phone.locator("button[data-once]").click()
    phone.wait_for_selector(f'{BADGE}[data-count="1"]', state="visible")
    assert len(outbox_keys(phone)) == 1
    assert not Inspection.objects.filter(inspector__username="inspector").exists()
    screenshot(phone, "field-offline-inspection-390")

    back_online(phone)
    inspection = Inspection.objects.get(inspector__username="inspector")
    photo = Photo.objects.get(inspection=inspection)
    assert abs(inspection.inspected_at - made) < dt.timedelta(seconds=5)
    assert inspection.created - inspection.inspected_at > dt.timedelta(minutes=1, seconds=50)
    assert inspection.clock_note == ""

    eid = ElectronicId.objects.get(subject_type__model="project", subject_id=project.pk)
    phone.goto(f"{base}/e/{eid.code}")
    thumbnail = phone.locator(f'.photo-timeline img[src*="/photo/{photo.pk}/"]')
    thumbnail.scroll_into_view_if_needed()  # thumbnails load lazily
    thumbnail.evaluate("img => img.decode()")
    assert thumbnail.evaluate("img => img.naturalWidth") > 0
    shown = timezone.localtime(inspection.inspected_at).strftime("%Y-%m-%d %H:%M")
    assert phone.locator(f'.field-record time:text-is("{shown}")').count() == 1
    screenshot(phone, "field-synced-public-390")
