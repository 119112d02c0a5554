"""The public log as people read it (issue 13, part 6): each record named and linked to its
page, who acted by role and public display name (never a login name), choice values in the
page's language, and no "change" between equal numbers. The hashed content is untouched."""

import uuid

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from fieldapp import services as field_services
from projects import services as project_services
from projects.models import Project
from registry import services
from registry.models import Asset
from tests.fieldapp import photos
from trail.models import Event
from trail.presenters import event_view

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _log_html(client, **params) -> str:
    return client.get("/log/", params, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_each_entry_names_its_record_and_links_to_its_page(client):
    asset = Asset.objects.get(name="白岩桥村临街店面1号")
    services.update_asset(asset, actor=None, description="重新丈量后的说明")
    html = _log_html(client, subject="asset")
    assert f'<a href="/assets/{asset.pk}/">白岩桥村临街店面1号</a>' in html
    assert "村级集体资产 #" not in html


def test_who_acted_is_their_role_and_display_name_never_the_login_name(client):
    project = Project.objects.filter(
        stage="construction", village__name__in=["东岙村", "许岙村"]
    ).first()
    inspector = User.objects.get(username="inspector")
    field_services.write_note(
        project,
        actor=User.objects.get(username="supervisor"),
        text="公开意见",
        public=True,
        client_uuid=uuid.uuid4(),
    )
    field_services.add_photo(
        project, actor=inspector, data=photos.jpeg(), client_uuid=uuid.uuid4(), purpose="inspection"
    )
    html = _log_html(client, subject="project")
    entries = html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    with translation.override("zh-hans"):
        assert f"{translation.gettext('Field inspector')} · 巡察检查员（演示）" in entries
        assert f"{translation.gettext('Village supervisor')} · 村监察员（演示）" in entries
        assert f"{translation.gettext('Inspection')}" in entries  # the photo's purpose, in words
    assert "· inspector<" not in entries and "· supervisor<" not in entries
    assert ": inspection<" not in entries


def test_equal_numbers_are_no_change():
    project = Project.objects.filter(stage="construction").first()
    project_services.update_project(project, actor=None, description="路面硬化，全长 1.2 公里。")
    event = Event.objects.latest("seq")
    event.changes = {"paid_amount": {"from": "165100.00", "to": "165100"}}
    assert event_view(event, Project).lines == []


def test_a_documents_file_type_is_named_as_people_name_it(client):
    html = _log_html(client, subject="project")
    assert "application/pdf" not in html


def test_the_log_still_verifies_after_the_new_entries(client):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("verify_log", stdout=out)
    assert out.getvalue().startswith("OK")


def test_the_log_page_answers_in_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        response = client.get("/log/")
    assert response.status_code == 200


def test_a_routes_new_stops_read_in_the_log_and_the_page_answers(client):
    from visits import services as visit_services
    from visits.models import Route

    route = Route.objects.filter(stops__isnull=False).distinct().first()
    sites = [stop.site for stop in route.stops.order_by("position")]
    visit_services.set_route_stops(route, actor=None, sites=list(reversed(sites)))
    event = Event.objects.latest("seq")
    assert "stops" in event.changes
    with translation.override("zh-hans"):
        lines = event_view(event, Route).lines
        assert any(translation.gettext("stops") in str(line) for line in lines)
    assert client.get("/log/").status_code == 200
    assert client.get("/log/?subject=route").status_code == 200


def test_a_reopen_asked_by_the_reporter_reads_in_chinese():
    from supervision.models import Case

    case = Case.objects.filter(state="reopen_asked").first() or Case.objects.first()
    event = Event.objects.filter(subject_id=case.pk, changes__has_key="by").first()
    if event is None:
        event = Event.objects.filter(subject_type__model="case").latest("seq")
        event.changes = {**event.changes, "by": "reporter"}
    with translation.override("zh-hans"):
        lines = " ".join(str(line) for line in event_view(event, Case).lines)
        assert translation.gettext("the reporter") in lines
        assert "reporter" not in lines and "by:" not in lines
