import datetime as dt
import uuid

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from PIL import Image

from fieldapp import services
from fieldapp.models import FollowUp, Inspection, Photo, ProgressReport
from projects.models import Project
from registry.models import Asset
from tests.fieldapp import photos
from trail.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def answers_for(checklist, **overrides):
    values = {"yes_no": "yes", "number": "5", "text": "ok", "photo": ""}
    return {
        item.pk: overrides.get(item.text, values[item.answer_type])
        for item in checklist.items.all()
    }


def photo_items(checklist):
    return frozenset(i.pk for i in checklist.items.all() if i.answer_type == "photo")


def test_an_inspection_with_a_failed_check_opens_a_follow_up(demo_user, project, checklist):
    inspector = demo_user("inspector")
    inspection, created = services.record_inspection(
        project,
        actor=inspector,
        checklist=checklist,
        answers=answers_for(checklist, 安全防护措施到位="no"),
        client_uuid=uuid.uuid4(),
        location=Point(120.52, 27.90, srid=4326),
        photo_item_ids=photo_items(checklist),
    )
    assert created and inspection.failed_count == 1
    follow_up = FollowUp.objects.get(inspection=inspection)
    assert follow_up.item.text == "安全防护措施到位"
    event = Event.objects.latest("seq")
    assert (event.action, event.changes["failed"]) == ("inspect", 1)
    services.close_follow_up(follow_up, actor=inspector, evidence="已加装护栏")
    assert FollowUp.objects.get(pk=follow_up.pk).status == "closed"
    assert Event.objects.latest("seq").action == "rectified"


def test_a_missing_mandatory_answer_is_refused(demo_user, project, checklist):
    with pytest.raises(ValidationError, match="安全防护措施到位"):
        services.record_inspection(
            project,
            actor=demo_user("inspector"),
            checklist=checklist,
            answers=answers_for(checklist, 安全防护措施到位=""),
            client_uuid=uuid.uuid4(),
            photo_item_ids=photo_items(checklist),
        )
    assert not Inspection.objects.exists()


def test_replaying_one_submission_fifty_times_stores_it_once(demo_user, project, checklist):
    key = uuid.uuid4()
    results = [
        services.record_inspection(
            project,
            actor=demo_user("inspector"),
            checklist=checklist,
            answers=answers_for(checklist),
            client_uuid=key,
            photo_item_ids=photo_items(checklist),
        )
        for _ in range(50)
    ]
    assert Inspection.objects.filter(client_uuid=key).count() == 1
    assert {r[0].pk for r in results} == {results[0][0].pk}
    assert [created for _, created in results].count(True) == 1


def test_inspectors_write_only_in_their_own_units(demo_user, checklist):
    elsewhere = (
        Project.objects.filter(stage="construction")
        .exclude(village__name__in=["东岙村", "许岙村"])
        .first()
    )
    with pytest.raises(PermissionDenied):
        services.record_inspection(
            elsewhere,
            actor=demo_user("inspector"),
            checklist=checklist,
            answers={},
            client_uuid=uuid.uuid4(),
        )
    with pytest.raises(PermissionDenied):
        services.write_note(
            elsewhere,
            actor=demo_user("bookkeeper"),
            text="x",
            public=True,
            client_uuid=uuid.uuid4(),
        )


def test_a_photo_on_site_keeps_its_gps_and_the_public_copy_has_no_exif(demo_user, project):
    site = project.location.centroid
    photo, created = services.add_photo(
        project,
        actor=demo_user("inspector"),
        data=photos.jpeg(site.x, site.y),
        client_uuid=uuid.uuid4(),
    )
    assert created and not photo.off_site and photo.distance_m < 5
    assert photo.taken_at.year == 2026
    public = Image.open(photo.public_image.open("rb"))
    assert dict(public.getexif()) == {}
    assert b"TestPhone" not in photo.public_image.open("rb").read()
    assert b"TestPhone" in photo.original.open("rb").read()


def test_an_off_site_photo_is_kept_and_flagged(demo_user, project):
    photo, _ = services.add_photo(
        project,
        actor=demo_user("inspector"),
        data=photos.jpeg(120.70, 27.70),
        client_uuid=uuid.uuid4(),
    )
    assert photo.off_site and photo.distance_m > 200


@pytest.mark.parametrize(
    ("data", "accepted"),
    [
        (photos.jpeg(), True),
        (photos.png(), True),
        (photos.heic(), True),
        (b"%PDF-1.4 not a photo", False),
        (b"", False),
    ],
)
def test_photos_are_checked_by_content(demo_user, project, data, accepted):
    if accepted:
        photo, _ = services.add_photo(
            project, actor=demo_user("inspector"), data=data, client_uuid=uuid.uuid4()
        )
        assert photo.location is None and photo.width > 0
    else:
        with pytest.raises(ValidationError):
            services.add_photo(
                project, actor=demo_user("inspector"), data=data, client_uuid=uuid.uuid4()
            )


def test_a_decompression_bomb_is_refused(demo_user, project):
    with pytest.raises(ValidationError, match="pixels"):
        services.add_photo(
            project, actor=demo_user("inspector"), data=photos.bomb(), client_uuid=uuid.uuid4()
        )
    assert not Photo.objects.exists()


def test_progress_moves_the_project_and_a_stale_stage_is_a_kept_conflict(demo_user, project):
    inspector = demo_user("inspector")
    report, _ = services.report_progress(
        project, actor=inspector, client_uuid=uuid.uuid4(), percent=80, stage_seen="construction"
    )
    project.refresh_from_db()
    assert (report.conflict, project.progress_percent) == ("", 80)
    stale, _ = services.report_progress(
        project, actor=inspector, client_uuid=uuid.uuid4(), percent=90, stage_seen="contracting"
    )
    project.refresh_from_db()
    assert stale.conflict and project.progress_percent == 80
    assert ProgressReport.objects.filter(pk=stale.pk).exists()


def test_advancing_more_than_one_stage_is_refused(demo_user, project):
    inspector = demo_user("inspector")
    photo, _ = services.add_photo(
        project, actor=inspector, data=photos.jpeg(), client_uuid=uuid.uuid4()
    )
    with pytest.raises(ValidationError, match="one stage at a time"):
        services.report_progress(
            project,
            actor=inspector,
            client_uuid=uuid.uuid4(),
            percent=100,
            stage_seen="construction",
            advance_to="settlement",
            evidence=[photo],
        )


def test_a_public_note_is_on_the_public_log_and_an_internal_one_is_not(demo_user):
    asset = Asset.objects.filter(village__name="东岙村").first()
    supervisor = demo_user("supervisor")
    count = Event.objects.count()
    services.write_note(
        asset, actor=supervisor, text="内部提醒", public=False, client_uuid=uuid.uuid4()
    )
    assert Event.objects.count() == count
    services.write_note(
        asset, actor=supervisor, text="已核实租金到账", public=True, client_uuid=uuid.uuid4()
    )
    assert Event.objects.latest("seq").changes == {"note": "已核实租金到账"}


def test_a_follow_up_is_overdue_only_while_open_and_past_its_local_due_date():
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    assert FollowUp(status=FollowUp.Status.OPEN, due_on=yesterday).is_overdue
    assert not FollowUp(status=FollowUp.Status.OPEN, due_on=today).is_overdue
    assert not FollowUp(status=FollowUp.Status.CLOSED, due_on=yesterday).is_overdue
