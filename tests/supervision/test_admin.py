"""The supervision admin: configuration for city staff, stations and tours in one's own units
(saved through the services: a tour's finding opens a case), cases looked at by those who
handle them, and reporters' contacts only for roles that may see them."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry.models import AdminUnit
from supervision import services
from supervision.models import Case, Category, Finding, ProblemForm, Station, Tour, TourArea
from tests.supervision.conftest import DONGAO
from trail.models import Event

pytestmark = pytest.mark.django_db

LISTS = ("category", "station", "tourarea", "tour", "case", "reportercontact")
BUDGET = 20  # as tests/registry/test_admin_queries.py: never a query per row


def _tour(village_code: str = DONGAO) -> Tour:
    today = dt.date.today()
    return Tour.objects.create(
        village=AdminUnit.objects.get(code=village_code),
        starts_on=today,
        ends_on=today + dt.timedelta(days=3),
        team="第一巡察组",
    )


@pytest.mark.parametrize("username", ["city", "discipline"])
@pytest.mark.parametrize("name", LISTS)
def test_the_lists_open_within_their_query_budget(client, demo_user, username, name):
    client.force_login(demo_user(username))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(f"admin:supervision_{name}_changelist"))
    assert response.status_code == 200
    assert len(captured) <= BUDGET, (name, len(captured))


@pytest.mark.parametrize("username", ["city", "discipline"])
def test_a_case_tour_and_area_open_for_the_township_office(client, demo_user, username):
    client.force_login(demo_user(username))
    case = Case.objects.filter(village__code=DONGAO).first()
    tour = _tour()
    services.record_finding(
        tour,
        form=ProblemForm.objects.first(),
        text="村务公开栏三个月没有更新。",
        category=Category.objects.get(code="disclosure"),
        actor=None,
    )
    for url in (
        reverse("admin:supervision_case_change", args=[case.pk]),
        reverse("admin:supervision_tour_change", args=[tour.pk]),
        reverse("admin:supervision_tour_add"),
        reverse("admin:supervision_tourarea_change", args=[TourArea.objects.first().pk]),
        reverse(
            "admin:supervision_station_change", args=[Station.objects.get(village=case.village).pk]
        ),
    ):
        assert client.get(url).status_code == 200, url


def test_the_case_list_shows_no_raw_text(client, demo_user):
    client.force_login(demo_user("city"))
    page = client.get(reverse("admin:supervision_case_changelist"), {"all": ""}).content.decode()
    for text in Case.objects.values_list("text", flat=True):
        assert text not in page


def test_a_station_member_sees_only_the_cases_they_handle(client, demo_user):
    supervisor = demo_user("supervisor")
    client.force_login(supervisor)
    response = client.get(reverse("admin:supervision_case_changelist"))
    assert response.status_code == 200
    shown = response.context["cl"].result_count
    assert shown == sum(services.may_handle(supervisor, case) for case in Case.objects.all())
    assert shown < Case.objects.count()


def test_contacts_are_refused_to_a_station_member(client, demo_user):
    client.force_login(demo_user("supervisor"))
    assert client.get(reverse("admin:supervision_reportercontact_changelist")).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:supervision_reportercontact_changelist") not in index


def test_contacts_are_listed_for_the_discipline_office(client, demo_user):
    client.force_login(demo_user("discipline"))
    response = client.get(reverse("admin:supervision_reportercontact_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


def test_only_city_staff_edit_categories(client, demo_user):
    url = reverse("admin:supervision_category_changelist")
    client.force_login(demo_user("discipline"))
    assert 'name="form-0-days_allowed"' not in client.get(url).content.decode()
    client.force_login(demo_user("city"))
    assert 'name="form-0-days_allowed"' in client.get(url).content.decode()


def test_the_sample_checklist_is_marked_in_the_list(client, demo_user):
    client.force_login(demo_user("discipline"))
    page = client.get(reverse("admin:supervision_tourarea_changelist")).content.decode()
    assert "Sample" in page or "示例" in page


def test_a_finding_added_on_the_tour_page_opens_a_case(client, demo_user):
    client.force_login(demo_user("discipline"))
    village = AdminUnit.objects.get(code=DONGAO)
    form = ProblemForm.objects.first()
    category = Category.objects.get(code="cadre")
    today = dt.date.today()
    response = client.post(
        reverse("admin:supervision_tour_add"),
        {
            "village": village.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=2)).isoformat(),
            "team": "第二巡察组",
            "findings-TOTAL_FORMS": "1",
            "findings-INITIAL_FORMS": "0",
            "findings-MIN_NUM_FORMS": "0",
            "findings-MAX_NUM_FORMS": "1000",
            "findings-0-form": form.pk,
            "findings-0-text": "集体资产出租没有公开竞价。",
            "findings-0-category": category.pk,
        },
    )
    assert response.status_code == 302, response.context and response.context.get("errors")
    finding = Finding.objects.get(tour__team="第二巡察组")
    assert (finding.case.source, finding.case.route) == ("tour", "township")
    assert finding.case.category == category


def test_a_finding_too_short_is_a_form_error(client, demo_user):
    client.force_login(demo_user("discipline"))
    tour = _tour()
    response = client.post(
        reverse("admin:supervision_tour_change", args=[tour.pk]),
        {
            "village": tour.village_id,
            "starts_on": tour.starts_on.isoformat(),
            "ends_on": tour.ends_on.isoformat(),
            "team": tour.team,
            "findings-TOTAL_FORMS": "1",
            "findings-INITIAL_FORMS": "0",
            "findings-MIN_NUM_FORMS": "0",
            "findings-MAX_NUM_FORMS": "1000",
            "findings-0-form": ProblemForm.objects.first().pk,
            "findings-0-text": "短",
            "findings-0-category": Category.objects.first().pk,
        },
    )
    assert response.status_code == 200
    assert not Finding.objects.filter(tour=tour).exists()


def test_a_station_head_who_is_no_member_is_a_form_error(client, demo_user):
    client.force_login(demo_user("city"))
    station = Station.objects.get(village__code="330381001201")
    response = client.post(
        reverse("admin:supervision_station_change", args=[station.pk]),
        {
            "village": station.village_id,
            "name": station.name,
            "head": demo_user("supervisor").pk,
            "office_phone": station.office_phone,
            "place": station.place,
            "office_hours": station.office_hours,
        },
    )
    assert response.status_code == 200
    assert "head" in response.context["adminform"].form.errors
    station.refresh_from_db()
    assert station.head_id is None


def test_a_station_saved_in_the_admin_is_logged(client, demo_user):
    client.force_login(demo_user("city"))
    station = Station.objects.get(village__code=DONGAO)
    response = client.post(
        reverse("admin:supervision_station_change", args=[station.pk]),
        {
            "village": station.village_id,
            "name": station.name,
            "head": station.head_id or "",
            "office_phone": "0577-65890000",
            "place": station.place,
            "office_hours": station.office_hours,
        },
    )
    assert response.status_code == 302
    station.refresh_from_db()
    assert station.office_phone == "0577-65890000"
    logged = Event.objects.filter(subject_type__model="station", subject_id=station.pk)
    assert logged.filter(actor=demo_user("city")).exists()


def test_township_staff_edit_the_stations_of_their_units_only(client, demo_user):
    client.force_login(demo_user("township"))
    response = client.get(reverse("admin:supervision_station_changelist"))
    assert response.status_code == 200
    shown = {station.village.parent.code for station in response.context["cl"].result_list}
    assert shown == {"330381102"}
    mine = Station.objects.get(village__code=DONGAO)
    page = client.get(reverse("admin:supervision_station_change", args=[mine.pk]))
    assert page.status_code == 200 and page.context["has_change_permission"]
    elsewhere = Station.objects.get(village__code="330381001201")
    response = client.get(reverse("admin:supervision_station_change", args=[elsewhere.pk]))
    assert response.status_code == 302  # "does not exist" (outside their units)
