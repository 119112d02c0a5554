"""The field app's "my work" shows the warnings of the user's units (the alerts app's panel), red
first, in place of the old "stalled projects" list, which called every project under construction
without a field progress report stalled, however recently it moved."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alerts import engine
from alerts.models import Alert, AlertState, Level
from alerts.rules import get_rule
from fieldapp import selectors as field_selectors
from projects.models import Project, Stage
from registry.models import AdminUnit
from tests.alerts.test_pages import DONGAO, NANBAO, XUAO, make_alert

pytestmark = pytest.mark.django_db

MY_WORK = reverse("fieldapp:my-work")


@pytest.fixture
def stalled():
    """A Dong'ao project under construction that nobody will have seen move for over a year: a
    red W08 warning, made by the rule itself (on a day a year ahead, past the demo's visits)."""
    Alert.objects.all().delete()
    village = AdminUnit.objects.get(code=DONGAO)
    project = Project.objects.filter(village=village).order_by("pk").first()
    started = timezone.localdate() - dt.timedelta(days=120)
    Project.objects.filter(pk=project.pk).update(
        stage=Stage.CONSTRUCTION, construction_started_on=started
    )
    later = timezone.localdate() + dt.timedelta(days=400)
    engine.evaluate(get_rule("W08"), villages=frozenset({village.pk}), today=later)
    return Alert.objects.get(rule="W08", key=f"project:{project.pk}")


def panel(html: str) -> str:
    start = html.index('id="warnings"')
    return html[start : html.index("</section>", start)]


def test_the_station_member_sees_a_stalled_project_warning_in_my_work(client, demo_user, stalled):
    client.force_login(demo_user("supervisor"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get(MY_WORK)
    html = panel(response.content.decode())
    assert response.status_code == 200
    assert stalled.level == Level.RED
    assert f'<span class="count">{Alert.objects.count()}</span>' in html
    assert "W08" in html and "Stalled works" in html
    assert '<span class="al-chip al-red">Red</span>' in html
    assert stalled.subject_label in html and stalled.explanation() in html
    assert f'href="{reverse("alerts:alert-detail", args=[stalled.pk])}"' in html
    assert f'href="{reverse("alerts:alert-list")}?level=red"' in html
    assert f'href="{reverse("alerts:alert-list")}"' in html


def test_my_work_shows_when_what_was_done_is_recorded(client, demo_user, stalled):
    from alerts import services

    client.force_login(demo_user("supervisor"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "what was done is recorded" not in panel(client.get(MY_WORK).content.decode())
    services.record_action(
        stalled, text="已督促施工方复工，下周复查。", actor=demo_user("supervisor")
    )
    assert "what was done is recorded" in panel(client.get(MY_WORK).content.decode())


def test_the_old_stalled_list_is_gone(client, demo_user, stalled):
    client.force_login(demo_user("supervisor"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get(MY_WORK).content.decode()
    assert "Stalled projects" not in html
    assert "Under construction with no progress reported" not in html
    assert not hasattr(field_selectors.MyWork, "stalled_projects")
    assert not hasattr(field_selectors, "STALLED_AFTER_DAYS")


def test_red_comes_first_and_only_active_warnings_of_the_users_villages(client, demo_user):
    Alert.objects.all().delete()
    make_alert(DONGAO, level=Level.YELLOW, label="黄 东岙")
    make_alert(XUAO, level=Level.RED, label="红 许岙", days_ago=10)
    make_alert(DONGAO, state=AlertState.DISMISSED, label="已驳回")
    make_alert(DONGAO, state=AlertState.RESOLVED, label="已解决", holds=False)
    make_alert(NANBAO, label="南堡 不是我的")
    client.force_login(demo_user("supervisor"))
    html = panel(client.get(MY_WORK).content.decode())
    assert html.index("红 许岙") < html.index("黄 东岙")
    for absent in ("已驳回", "已解决", "南堡 不是我的"):
        assert absent not in html
    assert '<span class="count">2</span>' in html


def test_without_warnings_the_panel_says_so(client, demo_user):
    Alert.objects.all().delete()
    client.force_login(demo_user("supervisor"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "No warnings in your units." in panel(client.get(MY_WORK).content.decode())


def test_an_inspector_who_does_not_handle_warnings_gets_no_panel(client, demo_user, stalled):
    client.force_login(demo_user("inspector"))
    html = client.get(MY_WORK).content.decode()
    assert 'id="warnings"' not in html and "W08" not in html


def test_many_warnings_cost_my_work_no_more_queries(
    client, demo_user, django_assert_max_num_queries
):
    Alert.objects.all().delete()
    client.force_login(demo_user("supervisor"))
    make_alert(DONGAO)
    client.get(MY_WORK)
    with CaptureQueriesContext(connection) as few:
        client.get(MY_WORK)
    for n in range(30):
        make_alert([DONGAO, XUAO][n % 2], level=[Level.RED, Level.YELLOW][n % 3 == 0])
    with django_assert_max_num_queries(len(few)):
        html = panel(client.get(MY_WORK).content.decode())
    assert html.count('<li class="al-level-') == 5  # the first few; the rest a link away
