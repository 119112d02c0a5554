"""The anonymity promise: an anonymous report leaves nothing that identifies its sender.

A report is sent through the public form with a distinctive address, browser and a photo whose
EXIF names a camera, a serial number and a place. Afterwards none of those strings is in any
table of the database, in anything logged, or in any file under the media folders.
"""

import logging
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from PIL import Image

from qr.models import ElectronicId
from supervision.models import Case, CasePhoto, Category
from tests.supervision.conftest import jpeg

ADDRESS = "203.0.113.77"
BROWSER = "DistinctiveBrowser/9.9 (AnonymityProbe; QinglianTest)"
MAKE = "AnonCamMakerZ"
MODEL = "AnonPhoneX9Q"
SERIAL = "SN-ANON-424242"
TRACES = (ADDRESS, BROWSER, "AnonymityProbe", MAKE, MODEL, SERIAL)


def tables_holding(needle: str) -> list[str]:
    """Every table with a row whose text form contains `needle` (PostgreSQL: row::text)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(
                f'SELECT 1 FROM "{table}" AS t WHERE position(%s in t::text) > 0 LIMIT 1',
                [needle],
            )
            if cursor.fetchone():
                found.append(table)
    return found


def files_holding(needle: str) -> list[Path]:
    found = []
    raw = needle.encode()
    for root in (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT):
        for path in Path(root).rglob("*"):
            if path.is_file() and raw in path.read_bytes():
                found.append(path)
    return found


@pytest.fixture
def photo_with_identity() -> bytes:
    # 0x010F Make, 0x0110 Model, 0xA431 BodySerialNumber, 0x8825 GPS (a place, not chosen)
    tags = {"0x010F": MAKE, "0x0110": MODEL, "0xA431": SERIAL, "0x0131": MODEL}
    return jpeg(gps=(120.6371, 27.7777), **tags)


@pytest.mark.django_db
def test_an_anonymous_report_leaves_no_trace_of_its_sender(
    client, photo_with_identity, caplog, tmp_path
):
    caplog.set_level(logging.DEBUG)
    eid = ElectronicId.objects.filter(code__startswith="P-102201").first()
    submission = str(uuid.uuid4())
    url = f"/e/{eid.code}/report/"
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(photo_with_identity)
    with Image.open(photo) as sent:  # the camera's identity and place are in the file sent
        assert sent.getexif()[0x010F] == MAKE and sent.getexif().get_ifd(0x8825)
    with photo.open("rb") as upload:
        answer = client.post(
            url,
            {
                "category": str(Category.objects.get(code="quality").pk),
                "text": "路面开裂，施工时没有监理在场。",
                "identity": "anonymous",
                "client_uuid": submission,
                "website": "",
                "photos": upload,
            },
            REMOTE_ADDR=ADDRESS,
            HTTP_USER_AGENT=BROWSER,
            HTTP_X_FORWARDED_FOR=ADDRESS,
        )
    assert answer.status_code == 200, answer.content.decode()[:2000]
    case = Case.objects.order_by("-pk").first()
    assert (case.text, case.subject_code) == ("路面开裂，施工时没有监理在场。", eid.code)
    assert (case.identity, case.location) == ("anonymous", case.location)
    assert not hasattr(case, "contact") or case.contact is None
    stored = CasePhoto.objects.get(case=case)
    with Image.open(stored.image.path) as image:
        assert not image.getexif()  # no camera, no serial number, no place
        assert "exif" not in image.info
    for trace in TRACES:
        assert tables_holding(trace) == [], trace
        assert trace not in caplog.text, trace
        assert files_holding(trace) == [], trace
