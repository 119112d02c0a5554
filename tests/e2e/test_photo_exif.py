"""A real phone photo (4000×3000, GPS and time in EXIF) chosen in the field app at 390x844 is
shrunk in the browser and still arrives with its GPS and time (issue 13, part 1): one taken
4 km from the project is flagged off site, the same photo taken at the project is not."""

import math
import uuid

import pytest
from django.utils.timezone import localtime

from fieldapp.forms import photo_uuid
from fieldapp.models import Photo
from projects.models import Project
from tests.conftest import DEMO_PASSWORD
from tests.fieldapp import photos

pytestmark = pytest.mark.e2e
M_PER_DEG_LAT = 110_900


def _log_in(phone, base: str) -> None:
    phone.goto(f"{base}/field/login/")
    phone.fill("#id_username", "inspector")
    phone.fill("#id_password", DEMO_PASSWORD)
    phone.locator("button[type=submit].big").click()
    phone.wait_for_url(f"{base}/field/")


def _upload(phone, base: str, project: Project, picture) -> Photo:
    phone.goto(f"{base}/field/project/{project.pk}/photos/")
    key = phone.input_value("input[name=client_uuid]")
    phone.set_input_files('input[type="file"]', str(picture))
    phone.wait_for_function(
        "() => !document.querySelector('[data-busy]')"
        " && document.querySelector('input[type=file]').files[0].size < 1500000"
    )
    sent = phone.evaluate("() => document.querySelector('input[type=file]').files[0].size")
    assert sent < picture.stat().st_size  # shrunk on the phone, for 3G
    phone.locator("button[data-once]").click()
    phone.wait_for_url(f"**/field/project/{project.pk}/")
    return Photo.objects.get(client_uuid=photo_uuid(uuid.UUID(key), 0))


def test_a_big_phone_photo_keeps_its_gps_and_time_through_the_shrinking(
    demo_server, phone, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    project = Project.objects.filter(
        stage="construction", village__name__in=["东岙村", "许岙村"]
    ).first()
    at = project.location
    away_lat = at.y + 4000 / M_PER_DEG_LAT  # 4 km north
    far = tmp_path / "far.jpg"
    far.write_bytes(photos.jpeg(lon=at.x, lat=away_lat, size=(4000, 3000)))
    near = tmp_path / "near.jpg"
    near.write_bytes(photos.jpeg(lon=at.x, lat=at.y, size=(4000, 3000)))
    _log_in(phone, demo_server.url)

    far_photo = _upload(phone, demo_server.url, project, far)
    assert far_photo.width == 1600  # the browser's copy arrived, not the original
    assert far_photo.location is not None
    assert far_photo.location.y == pytest.approx(away_lat, abs=1e-4)
    assert math.isclose(far_photo.distance_m, 4000, rel_tol=0.05)
    assert far_photo.off_site
    assert far_photo.taken_at is not None
    assert localtime(far_photo.taken_at).strftime("%Y-%m-%d %H:%M") == "2026-11-20 10:00"

    near_photo = _upload(phone, demo_server.url, project, near)
    assert near_photo.location is not None
    assert near_photo.distance_m < 50
    assert not near_photo.off_site
