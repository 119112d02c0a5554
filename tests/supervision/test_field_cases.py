"""The field app's case pages: station members and the township discipline office work the
villagers' reports on a phone, edge by edge, through the offline outbox's JSON answers too."""

import datetime as dt
import hashlib
import re
import uuid

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gis.crs import distance_m
from registry.models import AdminUnit, Profile
from registry.roles import Role
from supervision import services
from supervision.models import Case, CasePhoto, CaseState, State
from tests.fieldapp import photos
from tests.supervision.conftest import jpeg

pytestmark = pytest.mark.django_db
JSON = {"headers": {"accept": "application/json"}}
EAST = "330381102201"  # 东岙村: the demo supervisor heads its station
STAFF_EDGES = [(start, to) for (start, to), edge in services.EDGES.items() if not edge.by_reporter]


@pytest.fixture
def supervisor(client, demo_user):
    user = demo_user("supervisor")
    client.force_login(user)
    return user


def case_in(village_code: str, **changes) -> Case:
    """A demo case of the village, put in the wanted state by a plain update (test setup)."""
    case = Case.objects.filter(village__code=village_code).order_by("pk").first()
    if changes:
        Case.objects.filter(pk=case.pk).update(**changes)
        case.refresh_from_db()
    return case


def move_url(case: Case) -> str:
    return reverse("supervision:field-case-move", args=[case.pk])


def case_url(case: Case) -> str:
    return reverse("supervision:field-case", args=[case.pk])


def move_data(to: str, **extra) -> dict:
    data = {"client_uuid": str(uuid.uuid4()), "to": to}
    if services.EDGES.get((extra.pop("start", ""), to), services.Edge()).reason:
        data["reason"] = "现场核实过了。"
    if to == State.ORDERED:
        data["rectify_who"] = "村委会"
        data["rectify_by"] = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    return data | extra


def station_member(village_code: str) -> User:
    """A second member of the village's station: a village supervisor who is not its head."""
    user = User.objects.create_user("member2", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.SUPERVISOR))
    Profile.objects.get_or_create(user=user)[0].units.add(AdminUnit.objects.get(code=village_code))
    return user


@pytest.mark.parametrize(("start", "to"), STAFF_EDGES, ids=[f"{a}-{b}" for a, b in STAFF_EDGES])
def test_station_member_moves_a_case_along_each_allowed_edge(client, supervisor, start, to):
    case = case_in(EAST, state=start)
    if to == State.RECTIFIED:  # rectified on a photo of the rectification
        services.add_evidence_photo(case, jpeg(), purpose="rectified", actor=None, client_uuid=None)
    page = client.get(case_url(case)).content.decode()
    assert f'name="to" value="{to}"' in page
    before = CaseState.objects.filter(case=case).count()
    response = client.post(move_url(case), move_data(to, start=start))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == to
    row = CaseState.objects.filter(case=case).last()
    assert CaseState.objects.filter(case=case).count() == before + 1
    assert (row.state, row.actor) == (to, supervisor)
    assert row.client_uuid is not None


def test_wrong_edge_is_refused_with_its_reason_and_writes_nothing(client, supervisor):
    case = case_in(EAST, state=State.RECEIVED)
    before = CaseState.objects.count()
    response = client.post(move_url(case), move_data(State.CLOSED, reason="办结"))
    assert response.status_code == 400
    with translation.override("zh-hans"):
        refusal = _("A case that is “%(now)s” cannot be moved to “%(to)s”.") % {
            "now": State.RECEIVED.label,
            "to": State.CLOSED.label,
        }
    assert refusal in response.content.decode()
    missing_reason = client.post(move_url(case), move_data(State.DECLINED) | {"reason": ""}, **JSON)
    assert missing_reason.status_code == 400 and missing_reason.json()["errors"]
    assert CaseState.objects.count() == before
    case.refresh_from_db()
    assert case.state == State.RECEIVED


def test_outbox_replay_of_a_move_answers_with_the_case_and_never_moves_twice(client, supervisor):
    case = case_in(EAST, state=State.RECEIVED)
    data = move_data(State.ACCEPTED)
    first = client.post(move_url(case), data, **JSON)
    again = client.post(move_url(case), data, **JSON)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["next"] == case_url(case)
    assert again.json() == {"status": "replayed", "next": case_url(case), "state": "accepted"}
    assert CaseState.objects.filter(case=case, state=State.ACCEPTED).count() == 1
    # A colleague's move got there first: the phone's queued move finds the case there.
    late = client.post(move_url(case), move_data(State.ACCEPTED), **JSON)
    assert late.status_code == 200
    assert CaseState.objects.filter(case=case, state=State.ACCEPTED).count() == 1


def test_case_for_the_township_is_refused_to_the_station_and_worked_by_discipline(
    client, supervisor, demo_user
):
    case = case_in(EAST, state=State.RECEIVED, route=Case.Route.TOWNSHIP)
    refused = client.get(case_url(case))
    assert refused.status_code == 404
    assert client.post(move_url(case), move_data(State.ACCEPTED)).status_code == 404
    assert case_url(case) not in client.get(reverse("supervision:field-case-list")).content.decode()
    client.force_login(demo_user("discipline"))
    assert client.get(case_url(case)).status_code == 200
    assert case_url(case) in client.get(reverse("supervision:field-case-list")).content.decode()
    assert client.post(move_url(case), move_data(State.ACCEPTED)).status_code == 302
    case.refresh_from_db()
    assert case.state == State.ACCEPTED


def test_the_member_a_report_names_cannot_open_it(client, supervisor, demo_user):
    case = case_in(EAST, about_member=supervisor)
    named = client.get(case_url(case))
    missing = client.get(case_url(Case(pk=987654321)))
    assert named.status_code == missing.status_code == 404

    def page(answer) -> str:
        """The body without what names the asked URL itself (the asker knows it)."""
        body = re.sub(r'<meta property="og:url" content="[^"]*">', "", answer.content.decode())
        return re.sub(r'(nonce|value)="[^"]*"', "", body)

    assert page(named) == page(missing)
    assert case_url(case) not in client.get(reverse("fieldapp:my-work")).content.decode()
    client.force_login(demo_user("discipline"))
    assert client.get(case_url(case)).status_code == 200


def test_confidential_contact_only_for_the_station_head_and_discipline(
    client, supervisor, demo_user
):
    case = Case.objects.get(village__code=EAST, identity=Case.Identity.CONFIDENTIAL)
    phone = case.contact.phone
    assert phone in client.get(case_url(case)).content.decode()  # the head of the station
    client.force_login(station_member(EAST))
    page = client.get(case_url(case))
    assert page.status_code == 200 and phone not in page.content.decode()
    client.force_login(demo_user("discipline"))
    assert phone in client.get(case_url(case)).content.decode()


def test_evidence_photo_records_its_gps_and_distance_from_the_case(client, supervisor):
    place = Point(120.6510, 27.7800, srid=4326)
    case = case_in(EAST, state=State.VERIFYING, location=place)
    data = photos.jpeg(lon=120.6500, lat=27.7800)
    form = {"client_uuid": str(uuid.uuid4()), "purpose": "verify"}
    response = client.post(
        reverse("supervision:field-case-photos", args=[case.pk]),
        form | {"photos": SimpleUploadedFile("site.jpg", data, "image/jpeg")},
        **JSON,
    )
    assert response.status_code == 201
    assert response.json()["photos"][0]["sha256"] == hashlib.sha256(data).hexdigest()
    photo = CasePhoto.objects.get(case=case, purpose="verify")
    assert photo.location.x == pytest.approx(120.65, abs=1e-4)
    assert photo.location.y == pytest.approx(27.78, abs=1e-4)
    assert photo.distance_m == pytest.approx(distance_m(photo.location, place), rel=1e-6)
    assert 80 < photo.distance_m < 120
    page = client.get(case_url(case)).content.decode()
    with translation.override("zh-hans"):
        shown = _("%(m)s m from the case") % {"m": f"{photo.distance_m:.0f}"}
    assert shown in page
    thumb = client.get(reverse("supervision:field-case-thumb", args=[photo.pk]))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    replay = client.post(
        reverse("supervision:field-case-photos", args=[case.pk]),
        form | {"photos": SimpleUploadedFile("site.jpg", data, "image/jpeg")},
        **JSON,
    )
    assert replay.status_code == 200
    assert CasePhoto.objects.filter(case=case, purpose="verify").count() == 1


def test_case_photos_are_served_to_handlers_only(client, supervisor, demo_user):
    photo = CasePhoto.objects.filter(case__village__code=EAST).first()
    url = reverse("supervision:field-case-photo", args=[photo.pk])
    assert client.get(url).status_code == 200
    client.force_login(demo_user("inspector"))
    assert client.get(url).status_code == 403


def test_my_work_lists_my_cases_with_overdue_marks(client, supervisor, demo_user):
    today = timezone.localdate()
    late = case_in(EAST, state=State.ACCEPTED, due_on=today - dt.timedelta(days=1))
    very_late = Case.objects.filter(village__code=EAST, state=State.VERIFYING).first()
    Case.objects.filter(pk=very_late.pk).update(
        created=timezone.now() - dt.timedelta(days=60), due_on=today - dt.timedelta(days=40)
    )
    very_late.refresh_from_db()
    assert services.lateness(late) == 1 and services.lateness(very_late) >= 3
    page = client.get(reverse("fieldapp:my-work")).content.decode()
    with translation.override("zh-hans"):
        assert _("Villagers' reports") in page
    assert case_url(late) in page and case_url(very_late) in page
    assert page.index(case_url(very_late)) < page.index(case_url(late))
    late_row = page[page.rindex("<li", 0, page.index(case_url(late))) :]
    assert late_row.startswith('<li class="overdue"')
    very_late_row = page[page.rindex("<li", 0, page.index(case_url(very_late))) :]
    assert very_late_row.startswith('<li class="overdue late3"')
    with translation.override("zh-hans"):
        mark = _("%(n)s× overdue") % {"n": services.lateness(very_late)}
    assert mark in very_late_row.split("</li>")[0]
    # A case of another township's village is not this station's.
    other = Case.objects.exclude(village__parent__code="330381102").first()
    assert case_url(other) not in page
    listing = client.get(reverse("supervision:field-case-list"), {"show": "late3"})
    assert case_url(very_late) in listing.content.decode()
    assert case_url(late) not in listing.content.decode()
    client.force_login(demo_user("inspector"))
    assert "supervision/field" not in client.get(reverse("fieldapp:my-work")).content.decode()
    assert case_url(late) not in client.get(reverse("fieldapp:my-work")).content.decode()
