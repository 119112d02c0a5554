"""The public report form over real HTTP: what is stored, what is refused, and what is not kept."""

import io
import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image

from qr.selectors import code_of_pk
from registry.models import AdminUnit
from registry.roles import Role
from supervision import services, views
from supervision.models import Case, CasePhoto, Category, ReporterContact
from tests.supervision.conftest import DONGAO

pytestmark = pytest.mark.django_db

RECEIPT = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")
URL = f"/supervision/report/?village={DONGAO}"
XUAO_CODE = "330381102202"
TEXT = "村口的路灯坏了三个月一直没有人来修"


@pytest.fixture(autouse=True)
def fresh_limit():
    """Each test starts with nobody's reports counted."""
    cache.clear()
    yield
    cache.clear()


def exif_jpeg() -> bytes:
    """A phone photo as a phone sends it: make, model, time and GPS position in its EXIF."""
    image = Image.new("RGB", (1200, 900), (120, 140, 90))
    exif = Image.Exif()
    exif[0x010F] = "SpyPhoneMaker"
    exif[0x0110] = "Model X-123"
    exif[0x0132] = "2025:06:01 10:00:00"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (27.0, 46.0, 12.5)
    gps[3] = "E"
    gps[4] = (120.0, 33.0, 7.25)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def form(**overrides) -> dict:
    data = {
        "client_uuid": str(uuid.uuid4()),
        "category": Category.objects.get(code="other").pk,
        "text": TEXT,
        "identity": "anonymous",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def media_files() -> set[Path]:
    return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}


def test_an_anonymous_report_with_a_phone_photo_keeps_no_trace_of_the_phone(client):
    raw = exif_jpeg()
    assert b"SpyPhoneMaker" in raw and Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)
    before = Case.objects.count()
    photo = SimpleUploadedFile("IMG_0001.jpg", raw, content_type="image/jpeg")
    response = client.post(URL, form(photos=photo))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    code = RECEIPT.search(html).group()
    assert "0577-6589" in html  # who supervises here: the station's office phone
    assert Case.objects.count() == before + 1
    case = services.case_for_receipt(code)
    assert case is not None and case.text == TEXT
    assert case.identity == Case.Identity.ANONYMOUS
    assert case.village.code == DONGAO
    assert not ReporterContact.objects.filter(case=case).exists()
    [stored] = CasePhoto.objects.filter(case=case)
    for field in (stored.image, stored.thumbnail):
        data = Path(field.path).read_bytes()
        assert b"SpyPhoneMaker" not in data and b"Model X-123" not in data
        assert b"Exif" not in data
        assert len(Image.open(io.BytesIO(data)).getexif()) == 0
    # Shown once: no public page carries it afterwards.
    assert code not in client.get(f"/supervision/cases/{case.pk}/").content.decode()
    assert code not in client.get("/supervision/cases/").content.decode()


def test_the_form_page_is_never_cached_and_has_a_fresh_submission_id_each_time(client):
    first = client.get(URL)
    second = client.get(URL)
    assert first.status_code == 200
    assert "no-store" in first["Cache-Control"]
    ids = [
        re.search(r'name="client_uuid" value="([0-9a-f-]{36})"', r.content.decode()).group(1)
        for r in (first, second)
    ]
    assert ids[0] != ids[1]
    html = first.content.decode()
    assert 'value="anonymous"' in html and re.search(r'value="anonymous"[^>]*checked', html)
    assert 'name="website"' in html


def test_a_resent_form_gives_the_same_case_and_the_same_receipt(client):
    data = form()
    before = Case.objects.count()
    first = client.post(URL, data)
    again = client.post(URL, data)
    assert first.status_code == again.status_code == 200
    codes = [RECEIPT.search(r.content.decode()).group() for r in (first, again)]
    assert codes[0] == codes[1]
    assert Case.objects.count() == before + 1


def test_a_filled_honeypot_looks_accepted_but_stores_nothing(client):
    before, files = Case.objects.count(), media_files()
    photo = SimpleUploadedFile("a.jpg", exif_jpeg(), content_type="image/jpeg")
    response = client.post(URL, form(website="http://spam.example", photos=photo))
    assert response.status_code == 200
    assert RECEIPT.search(response.content.decode())
    assert Case.objects.count() == before
    assert media_files() == files


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"text": ""}, "Say what is wrong."),
        ({"text": "坏了"}, "at least 5 characters"),
        ({"text": "字" * 2001}, "2000"),
        ({"identity": "confidential"}, "Give a phone number or an e-mail address"),
        ({"identity": "named", "phone": "13812345678"}, "A named report needs your name."),
        ({"category": ""}, "Choose what the report is about."),
    ],
)
def test_a_wrong_field_is_refused_with_its_message_and_nothing_stored(client, overrides, message):
    before = Case.objects.count()
    response = client.post(URL, form(**overrides), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Case.objects.count() == before


def test_more_than_three_photos_are_refused_and_none_is_kept(client):
    before, files = Case.objects.count(), media_files()
    photos = [SimpleUploadedFile(f"{n}.jpg", exif_jpeg(), "image/jpeg") for n in range(4)]
    response = client.post(URL, form(photos=photos), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "At most 3 photos." in response.content.decode()
    assert Case.objects.count() == before
    assert media_files() == files


def test_a_broken_photo_is_refused_naming_it_and_nothing_is_kept(client):
    before, files = Case.objects.count(), media_files()
    good = SimpleUploadedFile("good.jpg", exif_jpeg(), "image/jpeg")
    broken = SimpleUploadedFile("broken.jpg", exif_jpeg()[:400], "image/jpeg")
    response = client.post(URL, form(photos=[good, broken]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Photo 2:" in response.content.decode()
    assert Case.objects.count() == before
    assert media_files() == files


def test_a_body_over_the_size_limit_is_refused_before_it_is_read(client):
    before = Case.objects.count()
    response = client.post(
        URL, form(), CONTENT_LENGTH=str(views.MAX_BODY + 1), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert Case.objects.count() == before


@override_settings(REPORT_LIMIT_PER_HOUR=2)
def test_the_hourly_limit_answers_429_with_retry_after_and_stores_nothing(client):
    before = Case.objects.count()
    assert client.post(URL, form()).status_code == 200
    assert client.post(URL, form()).status_code == 200
    refused = client.post(URL, form())
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert Case.objects.count() == before + 2
    # The counter is in the cache under a keyed hash, never the address itself.
    keys = list(cache._cache.keys())
    assert keys and not any("127.0.0.1" in key for key in keys)
    # Another address is not held up.
    assert client.post(URL, form(), REMOTE_ADDR="10.1.2.3").status_code == 200


def test_a_report_about_a_plaque_names_its_record_and_place(client, project_with_code):
    project, eid = project_with_code
    page = client.get(f"/e/{eid.code}/report/")
    assert page.status_code == 200
    assert project.name in page.content.decode()
    response = client.post(
        f"/e/{eid.code}/report/", form(category=Category.objects.get(code="quality").pk)
    )
    assert response.status_code == 200
    case = services.case_for_receipt(RECEIPT.search(response.content.decode()).group())
    assert case.subject_code == eid.code
    assert case.village_id == project.village_id
    assert case.location is not None


def test_a_mistyped_plaque_code_gets_the_plaque_pages_friendly_404(client, project_with_code):
    _project, eid = project_with_code
    wrong = eid.code[:-1] + ("A" if eid.code[-1] != "A" else "B")
    plaque = client.get(f"/e/{wrong}")
    report = client.get(f"/e/{wrong}/report/")
    assert plaque.status_code == report.status_code == 404
    assert 'name="code"' in report.content.decode()


def test_a_confidential_report_keeps_its_contact_apart(client):
    response = client.post(URL, form(identity="confidential", name="李四", phone="13812345678"))
    assert response.status_code == 200
    case = services.case_for_receipt(RECEIPT.search(response.content.decode()).group())
    assert case.identity == Case.Identity.CONFIDENTIAL
    assert case.contact.phone == "13812345678"


def test_a_report_naming_a_station_member_goes_to_the_township(client):
    village = AdminUnit.objects.get(code=DONGAO)
    member = services.station_members(village)[0]
    assert member.groups.filter(name=Role.SUPERVISOR).exists()
    page = client.get(URL).content.decode()
    assert f'<option value="{member.pk}">{member.first_name}</option>' in page
    assert member.username not in page
    response = client.post(URL, form(about_member=member.pk))
    assert response.status_code == 200
    case = services.case_for_receipt(RECEIPT.search(response.content.decode()).group())
    assert case.about_member == member
    assert case.route == Case.Route.TOWNSHIP


def test_a_village_chosen_from_the_list_is_the_reports_village(client):
    page = client.get("/supervision/report/").content.decode()
    assert f'<option value="{XUAO_CODE}">' in page
    response = client.post("/supervision/report/", form(village=XUAO_CODE))
    assert response.status_code == 200, response.content.decode()[:3000]
    case = services.case_for_receipt(RECEIPT.search(response.content.decode()).group())
    assert case.village.code == XUAO_CODE


def test_a_refused_form_says_the_photos_must_be_chosen_again(client):
    response = client.post(
        URL, form(text="", photos=[SimpleUploadedFile("a.jpg", exif_jpeg(), "image/jpeg")])
    )
    assert response.status_code == 400
    with translation.override("zh-hans"):
        hint = _("Your photos were not kept: choose them again.")
    assert hint in response.content.decode()


def test_a_place_tapped_on_the_map_finds_its_village(client):
    village = AdminUnit.objects.get(code=DONGAO)
    point = village.boundary.point_on_surface
    response = client.post(
        "/supervision/report/", form(lat=f"{point.y:.6f}", lon=f"{point.x:.6f}", village="")
    )
    assert response.status_code == 200
    case = services.case_for_receipt(RECEIPT.search(response.content.decode()).group())
    assert case.village == village
    assert case.location is not None


def test_a_place_outside_every_village_is_refused(client):
    response = client.post(
        "/supervision/report/",
        form(lat="39.9", lon="116.4", village=""),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "not in any village" in response.content.decode()


@pytest.fixture
def project_with_code(db):
    from projects.models import Project

    for project in Project.objects.exclude(location__isnull=True).order_by("pk"):
        eid = code_of_pk(Project, project.pk)
        if eid is not None:
            return project, eid
    pytest.skip("no project with a code in the demo")
