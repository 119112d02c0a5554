import json
import uuid
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fieldapp.models import FollowUp, Inspection, Photo, ProgressReport, SupervisorNote
from projects.models import Project
from qr.models import ElectronicId
from registry.models import Asset, Profile
from tests.conftest import DEMO_PASSWORD
from tests.fieldapp import photos

pytestmark = pytest.mark.django_db
BUDGETS = json.loads((Path(__file__).parents[1] / "query_counts.json").read_text())
OWN_VILLAGES = ["东岙村", "许岙村"]
JSON = {"accept": "application/json"}


@pytest.fixture
def inspector(client, demo_user):
    user = demo_user("inspector")
    client.force_login(user)
    return user


def jpeg_upload(name="site.jpg", data=None):
    return SimpleUploadedFile(name, data if data is not None else photos.jpeg(), "image/jpeg")


def inspection_data(checklist, client_uuid=None, photo=True, **overrides):
    values = {"yes_no": "yes", "number": "5", "text": "ok"}
    data = {"client_uuid": str(client_uuid or uuid.uuid4()), "stage_seen": "construction"}
    for item in checklist.items.all():
        if item.answer_type == "photo":
            if photo:
                data[f"item_{item.pk}"] = jpeg_upload() if photo is True else photo
        else:
            data[f"item_{item.pk}"] = overrides.get(item.text, values[item.answer_type])
    return data


def inspect_url(project, checklist):
    return reverse("fieldapp:inspect", args=["project", project.pk, checklist.pk])


def test_pages_need_a_login_and_send_to_the_field_login(client, project):
    response = client.get(reverse("fieldapp:subject", args=["project", project.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/field/login/")


def test_login_by_phone_number_lands_on_my_work(client, demo_user):
    profile = Profile.objects.get(user=demo_user("inspector"))
    profile.phone = "138 0577 1234"
    profile.save()
    response = client.post(
        reverse("fieldapp:login"), {"username": "13805771234", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("fieldapp:my-work")
    assert client.get(response["Location"]).status_code == 200
    client.logout()
    wrong = client.post(reverse("fieldapp:login"), {"username": "13805771234", "password": "x"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session


def test_my_work_lists_due_items_and_open_follow_ups(client, inspector, project, checklist):
    html = client.get(reverse("fieldapp:my-work")).content.decode()
    assert project.name in html
    assert Asset.objects.filter(village__name="东岙村").first().name in html
    client.post(inspect_url(project, checklist), inspection_data(checklist, 安全防护措施到位="no"))
    follow_up = FollowUp.objects.get()
    html = client.get(reverse("fieldapp:my-work")).content.decode()
    assert "安全防护措施到位" in html
    assert follow_up.due_on.isoformat() in html


def test_an_overdue_follow_up_is_highlighted(client, inspector, project, checklist):
    client.post(inspect_url(project, checklist), inspection_data(checklist, 安全防护措施到位="no"))
    FollowUp.objects.update(due_on="2020-01-01")
    html = client.get(reverse("fieldapp:my-work")).content.decode()
    assert 'class="overdue"' in html and "2020-01-01" in html


def test_an_inspector_cannot_open_a_project_outside_their_units(client, inspector, checklist):
    elsewhere = Project.objects.exclude(village__name__in=OWN_VILLAGES).first()
    assert (
        client.get(reverse("fieldapp:subject", args=["project", elsewhere.pk])).status_code == 404
    )
    response = client.post(inspect_url(elsewhere, checklist), inspection_data(checklist))
    assert response.status_code == 404
    assert not Inspection.objects.exists()


def test_a_bookkeeper_in_scope_may_look_but_not_record(client, demo_user, project, checklist):
    client.force_login(demo_user("bookkeeper"))
    client.cookies["django_language"] = "en"
    response = client.post(inspect_url(project, checklist), inspection_data(checklist))
    assert response.status_code == 403
    assert "Only inspectors" in response.content.decode()
    response = client.post(
        inspect_url(project, checklist), inspection_data(checklist), headers=JSON
    )
    assert response.status_code == 403 and "error" in response.json()


def test_inspecting_with_a_failed_check_opens_a_follow_up_shown_on_my_work(
    client, inspector, project, checklist
):
    page = client.get(inspect_url(project, checklist)).content.decode()
    assert 'capture="environment"' in page and 'name="client_uuid"' in page
    response = client.post(
        inspect_url(project, checklist), inspection_data(checklist, 安全防护措施到位="no")
    )
    inspection = Inspection.objects.get()
    assert response["Location"] == reverse(
        "fieldapp:inspection-done", args=[inspection.client_uuid]
    )
    done = client.get(response["Location"]).content.decode()
    assert "安全防护措施到位" in done
    photo = Photo.objects.get()
    assert (photo.inspection, photo.purpose) == (inspection, "inspection")
    assert "安全防护措施到位" in client.get(reverse("fieldapp:my-work")).content.decode()


def test_closing_a_follow_up_with_evidence(client, inspector, project, checklist):
    client.post(inspect_url(project, checklist), inspection_data(checklist, 安全防护措施到位="no"))
    follow_up = FollowUp.objects.get()
    url = reverse("fieldapp:follow-up-close", args=[follow_up.pk])
    prefix = f"f{follow_up.pk}"
    empty = client.post(url, {f"{prefix}-client_uuid": str(uuid.uuid4()), f"{prefix}-evidence": ""})
    assert empty.status_code == 400
    response = client.post(
        url,
        {
            f"{prefix}-client_uuid": str(uuid.uuid4()),
            f"{prefix}-evidence": "已加装护栏",
            f"{prefix}-photos": jpeg_upload(),
        },
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == "closed" and follow_up.photos.count() == 1


def test_a_double_submit_stores_once(client, inspector, project, checklist):
    key = uuid.uuid4()
    first = client.post(inspect_url(project, checklist), inspection_data(checklist, key))
    second = client.post(inspect_url(project, checklist), inspection_data(checklist, key))
    assert first["Location"] == second["Location"]
    assert Inspection.objects.count() == 1 and Photo.objects.count() == 1


def test_a_missing_mandatory_answer_brings_the_form_back_and_stores_nothing(
    client, inspector, project, checklist
):
    response = client.post(
        inspect_url(project, checklist),
        inspection_data(checklist, 安全防护措施到位="", 当日现场作业人数="7"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="errors"' in html and "安全防护措施到位" in html
    assert 'value="7"' in html
    assert not Inspection.objects.exists() and not Photo.objects.exists()


def test_a_png_named_jpg_is_accepted_and_a_text_file_is_refused(client, inspector, project):
    url = reverse("fieldapp:photos", args=["project", project.pk])
    png = SimpleUploadedFile("photo.jpg", photos.png(), "image/jpeg")
    response = client.post(url, {"client_uuid": str(uuid.uuid4()), "photos": png, "public": "on"})
    assert response.status_code == 302 and Photo.objects.count() == 1
    text = SimpleUploadedFile("photo.jpg", b"not a photo at all", "image/jpeg")
    response = client.post(url, {"client_uuid": str(uuid.uuid4()), "photos": text})
    assert response.status_code == 400
    assert 'class="errors"' in response.content.decode()
    assert "photo.jpg: " in response.content.decode()
    assert Photo.objects.count() == 1


def test_json_mode_answers_201_then_200_then_400(client, inspector, project, checklist):
    key = uuid.uuid4()
    url = inspect_url(project, checklist)
    first = client.post(url, inspection_data(checklist, key), headers=JSON)
    assert first.status_code == 201 and first.json()["status"] == "stored"
    photo = first.json()["photos"][0]
    assert photo["sha256"] == Photo.objects.get().sha256
    assert photo["client_uuid"] == str(uuid.uuid5(key, "photo-0"))
    again = client.post(url, inspection_data(checklist, key), headers=JSON)
    assert again.status_code == 200 and again.json()["status"] == "replayed"
    assert again.json()["photos"] == first.json()["photos"]
    bad = client.post(url, inspection_data(checklist, 施工内容与公示一致="maybe"), headers=JSON)
    assert bad.status_code == 400 and bad.json()["errors"]
    note_url = reverse("fieldapp:note", args=["project", project.pk])
    note = {"client_uuid": str(uuid.uuid4()), "text": "现场整洁"}
    assert client.post(note_url, note, headers=JSON).status_code == 201
    assert client.post(note_url, note, headers=JSON).status_code == 200


def test_several_photos_get_uuids_derived_from_the_form(client, inspector, project):
    key = uuid.uuid4()
    url = reverse("fieldapp:photos", args=["project", project.pk])
    data = {
        "client_uuid": str(key),
        "photos": [jpeg_upload("a.jpg"), jpeg_upload("b.png", photos.png())],
    }
    body = client.post(url, data, headers=JSON).json()
    assert [p["client_uuid"] for p in body["photos"]] == [
        str(uuid.uuid5(key, "photo-0")),
        str(uuid.uuid5(key, "photo-1")),
    ]


def test_progress_with_a_stale_stage_shows_the_conflict(client, inspector, project):
    url = reverse("fieldapp:progress", args=[project.pk])
    response = client.post(
        url, {"client_uuid": str(uuid.uuid4()), "percent": "60", "stage_seen": "contracting"}
    )
    report = ProgressReport.objects.get()
    html = client.get(response["Location"]).content.decode()
    assert report.conflict and report.conflict in html
    assert project.progress_percent == Project.objects.get(pk=project.pk).progress_percent


def test_advancing_a_stage_needs_a_photo(client, inspector, project):
    url = reverse("fieldapp:progress", args=[project.pk])
    data = {"client_uuid": str(uuid.uuid4()), "percent": "100", "stage_seen": "construction"}
    refused = client.post(url, data | {"advance": "on"})
    assert refused.status_code == 400 and not ProgressReport.objects.exists()
    done = client.post(url, data | {"advance": "on", "photos": jpeg_upload()})
    assert done.status_code == 302
    project.refresh_from_db()
    assert (project.stage, project.progress_percent) == ("acceptance", 100)


def test_the_public_page_shows_public_photos_and_notes_but_not_internal_notes(
    client, inspector, project
):
    client.post(
        reverse("fieldapp:photos", args=["project", project.pk]),
        {"client_uuid": str(uuid.uuid4()), "photos": jpeg_upload(), "public": "on"},
    )
    note_url = reverse("fieldapp:note", args=["project", project.pk])
    client.post(
        note_url, {"client_uuid": str(uuid.uuid4()), "text": "公开：工地整洁", "public": "on"}
    )
    client.post(note_url, {"client_uuid": str(uuid.uuid4()), "text": "内部：承包人有分包嫌疑"})
    assert SupervisorNote.objects.count() == 2
    client.logout()
    eid = ElectronicId.objects.get(
        subject_type=ContentType.objects.get_for_model(project), subject_id=project.pk
    )
    html = client.get(f"/e/{eid.code}").content.decode()
    photo = Photo.objects.get()
    thumb = reverse("fieldapp:public-photo", args=[photo.pk, "thumb"])
    assert thumb in html and 'loading="lazy"' in html
    assert "公开：工地整洁" in html and "内部" not in html
    assert (
        "fieldapp" not in html
        and reverse("fieldapp:note", args=["project", project.pk]) not in html
    )
    image = client.get(thumb)
    assert image["Content-Type"] == "image/jpeg" and b"TestPhone" not in b"".join(image)


def test_staff_in_scope_see_field_buttons_on_the_public_page(client, inspector, project):
    eid = ElectronicId.objects.get(
        subject_type=ContentType.objects.get_for_model(project), subject_id=project.pk
    )
    html = client.get(f"/e/{eid.code}").content.decode()
    assert reverse("fieldapp:progress", args=[project.pk]) in html


def test_nearby_lists_the_closest_records_in_scope(client, inspector, project):
    where = project.location.centroid
    response = client.get(reverse("fieldapp:nearby"), {"lon": where.x, "lat": where.y})
    html = response.content.decode()
    assert project.name in html and " m</span>" in html
    partial = client.get(
        reverse("fieldapp:nearby"), {"lon": where.x, "lat": where.y}, headers={"HX-Request": "true"}
    )
    assert "<html" not in partial.content.decode() and project.name in partial.content.decode()


def _field_pages(project, checklist):
    return {
        "fieldapp:my-work": reverse("fieldapp:my-work"),
        "fieldapp:nearby": reverse("fieldapp:nearby")
        + f"?lon={project.location.centroid.x}&lat={project.location.centroid.y}",
        "fieldapp:subject": reverse("fieldapp:subject", args=["project", project.pk]),
        "fieldapp:inspect": inspect_url(project, checklist),
        "fieldapp:photos": reverse("fieldapp:photos", args=["project", project.pk]),
        "fieldapp:progress": reverse("fieldapp:progress", args=[project.pk]),
        "fieldapp:note": reverse("fieldapp:note", args=["project", project.pk]),
    }


@pytest.mark.parametrize("page", [k for k in BUDGETS if k.startswith("fieldapp:")])
def test_field_pages_stay_within_their_query_budget(
    client, inspector, project, checklist, django_assert_max_num_queries, page
):
    client.post(inspect_url(project, checklist), inspection_data(checklist, 安全防护措施到位="no"))
    url = _field_pages(project, checklist)[page]
    with django_assert_max_num_queries(BUDGETS[page]):
        response = client.get(url)
    assert response.status_code == 200


def test_a_public_note_with_a_photo_shows_both_on_the_public_page(client, demo_user, project):
    client.force_login(demo_user("supervisor"))
    url = reverse("fieldapp:note", args=["project", project.pk])
    key = uuid.uuid4()
    data = {"client_uuid": str(key), "text": "现场已设公示牌", "public": "on"}
    response = client.post(url, data | {"photos": jpeg_upload()})
    assert response.status_code == 302
    note = SupervisorNote.objects.get(client_uuid=key)
    photo = Photo.objects.get(purpose="note", subject_id=project.pk)
    assert note.public and photo.public and photo.caption == "现场已设公示牌"
    eid = ElectronicId.objects.get(subject_type__model="project", subject_id=project.pk)
    html = client.get(f"/e/{eid.code}").content.decode()
    assert "现场已设公示牌" in html
    assert reverse("fieldapp:public-photo", args=[photo.pk, "thumb"]) in html


def test_the_field_app_offers_only_the_stage_move_field_staff_may_make(client, inspector):
    under_way = Project.objects.get(name="许岙村文化礼堂修缮工程")  # construction
    contracting = Project.objects.get(name="许岙村南拳馆外立面改造")
    page = client.get(reverse("fieldapp:progress", args=[under_way.pk]))
    assert page.context["next_stage"] == "acceptance"
    page = client.get(reverse("fieldapp:progress", args=[contracting.pk]))
    assert page.context["next_stage"] is None


def test_a_refused_stage_move_leaves_no_photo_files_behind(client, inspector, project, settings):
    url = reverse("fieldapp:progress", args=[project.pk])
    data = {"client_uuid": str(uuid.uuid4()), "percent": "90", "stage_seen": "construction"}
    refused = client.post(url, data | {"advance": "on", "photos": jpeg_upload()})
    assert refused.status_code == 400 and not ProgressReport.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_nearby_at_zero_zero_is_no_position_and_says_so(client, inspector):
    response = client.get(reverse("fieldapp:nearby"), {"lon": "0", "lat": "0"})
    html = response.content.decode()
    assert " m</span>" not in html
    errors = html.split('class="errors">')[1].split("</p>")[0]
    assert "0.0, 0.0" in errors
