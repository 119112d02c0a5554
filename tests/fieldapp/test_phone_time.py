"""Field work keeps when it was made on the phone (issue 13, part 1): an offline phone sends
its work later; the record shows the phone's time beside the server's receipt, and doubts a
phone clock that is ahead of the server or behind the photo's own EXIF time."""

import datetime as dt
import io
import uuid

import pytest
from django.utils import timezone, translation
from PIL import Image

from fieldapp import photos as photo_files
from fieldapp import services
from tests.fieldapp import photos

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_note_made_offline_shows_when_it_was_made_and_when_it_arrived(demo_user, project):
    made = timezone.now() - dt.timedelta(hours=20)  # written yesterday without signal
    note, _ = services.write_note(
        project,
        actor=demo_user("supervisor"),
        text="排水沟未按图施工",
        public=True,
        client_uuid=uuid.uuid4(),
        made_at=made,
    )
    assert note.made_at == made
    assert note.when == made
    assert note.created - made >= dt.timedelta(hours=20)
    assert note.clock_note == ""


def test_a_phone_clock_ahead_of_the_server_is_doubted_and_the_receipt_time_shown(
    demo_user, project
):
    ahead = timezone.now() + dt.timedelta(hours=3)
    note, _ = services.write_note(
        project,
        actor=demo_user("supervisor"),
        text="钟快了",
        public=True,
        client_uuid=uuid.uuid4(),
        made_at=ahead,
    )
    assert note.made_at == ahead  # kept as sent, for the record
    assert "ahead" in note.clock_note
    assert note.when == note.created


def test_a_phone_clock_a_day_behind_the_photos_own_time_is_doubted(demo_user, project):
    taken = photo_files.prepare(photos.jpeg(lon=120.5, lat=27.9)).taken_at
    photo, _ = services.add_photo(
        project,
        actor=demo_user("inspector"),
        data=photos.jpeg(lon=120.5, lat=27.9),
        client_uuid=uuid.uuid4(),
        made_at=taken - dt.timedelta(days=3),
    )
    assert "behind" in photo.clock_note


def test_an_inspection_made_offline_is_dated_when_it_was_made(demo_user, project):
    from fieldapp.models import Checklist
    from tests.fieldapp.test_services import answers_for, photo_items

    checklist = Checklist.objects.get(name="施工现场检查")
    made = timezone.now() - dt.timedelta(minutes=2)
    inspection, _ = services.record_inspection(
        project,
        actor=demo_user("inspector"),
        checklist=checklist,
        answers=answers_for(checklist),
        client_uuid=uuid.uuid4(),
        photo_item_ids=photo_items(checklist),
        made_at=made,
    )
    assert inspection.inspected_at == made
    assert inspection.created > made


def _jpeg_taken(offset: str | None) -> bytes:
    image = Image.new("RGB", (64, 48))
    exif = image.getexif()
    exif.get_ifd(0x8769)[0x9003] = "2026:11:20 17:34:00"
    if offset:
        exif.get_ifd(0x8769)[0x9011] = offset
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_a_photos_time_is_local_unless_the_camera_wrote_its_offset():
    local = photo_files.prepare(_jpeg_taken(None)).taken_at
    assert local == dt.datetime(2026, 11, 20, 9, 34, tzinfo=dt.UTC)  # Asia/Shanghai, UTC+8
    tokyo = photo_files.prepare(_jpeg_taken("+09:00")).taken_at
    assert tokyo == dt.datetime(2026, 11, 20, 8, 34, tzinfo=dt.UTC)


def test_the_public_record_shows_the_time_made_and_the_receipt(client, demo_user, project):
    made = timezone.now() - dt.timedelta(days=1, hours=2)
    services.write_note(
        project,
        actor=demo_user("supervisor"),
        text="公开的监督意见",
        public=True,
        client_uuid=uuid.uuid4(),
        made_at=made,
    )
    from qr.models import ElectronicId

    code = ElectronicId.objects.get(subject_id=project.pk, subject_type__model="project").code
    html = client.get(f"/e/{code}").content.decode()
    shown = timezone.localtime(made).strftime("%Y-%m-%d %H:%M")
    assert f">{shown}</time>" in html
    assert timezone.localtime(timezone.now()).strftime("%Y-%m-%d") in html.split(shown, 1)[1][:200]
