"""The warnings API: staff (session or token) list the warnings of their units with the list
page's filters and act on one through the same services; others are refused with the reason."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from rest_framework.authtoken.models import Token
from rest_framework.routers import DefaultRouter

from alerts import api
from alerts.models import Alert, AlertChange, AlertState, Level
from config import urls as site_urls
from supervision.models import Case, Category
from tests.alerts.test_pages import (
    ANYANG,
    BAIYANQIAO,
    CAOCUN,
    DONGAO,
    NANBAO,
    REASON,
    XUAO,
    make_alert,
    staff_of,
)
from trail.models import Event

# The API's router as config/urls.py builds it, with the warnings' endpoints (api.register)
# added here if the site's router does not have them yet.
if any(prefix == "alerts" for prefix, *_rest in site_urls.router.registry):
    urlpatterns = site_urls.urlpatterns
else:
    router = DefaultRouter()
    api.register(router)
    urlpatterns = [path("api/", include(router.urls)), *site_urls.urlpatterns]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

ALERTS = "/api/alerts/"


@pytest.fixture
def alerts():
    """Warnings in the supervisor's villages, in a Caocun village that is not theirs, and in
    another township; nothing else."""
    Alert.objects.all().delete()
    return {
        "dongao": make_alert(DONGAO, label="红 东岙"),
        "xuao": make_alert(XUAO, rule="W07", level=Level.YELLOW, label="黄 许岙"),
        "gone": make_alert(
            XUAO, level=Level.YELLOW, holds=False, reached_red=True, label="已不在数据中"
        ),
        "dismissed": make_alert(DONGAO, state=AlertState.DISMISSED, label="已驳回"),
        "nanbao": make_alert(NANBAO, label="南堡"),
        "baiyanqiao": make_alert(BAIYANQIAO, label="白岩桥"),
    }


@pytest.fixture
def api_client(client, demo_user):
    def log_in(username: str):
        client.force_login(demo_user(username))
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return log_in


def post(client, url: str, data: dict | None = None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def labels(response) -> set[str]:
    return {row["subject_label"] for row in response.json()["results"]}


def test_the_list_holds_the_active_warnings_of_the_users_units(api_client, alerts):
    response = api_client("supervisor").get(ALERTS)
    assert response.status_code == 200
    assert labels(response) == {"红 东岙", "黄 许岙", "已不在数据中"}
    first = response.json()["results"][0]
    assert first["subject_label"] == "红 东岙"  # red first
    assert first["rule"] == "W06" and first["rule_name"] == "Contract above the guidance price"
    assert first["unit"] == DONGAO and first["level"] == "red" and first["state"] == "open"
    assert "20.0%" in first["explanation"]
    assert first["evidence"][0]["url"] == first["subject_url"] != ""
    assert first["changes"][0]["kind"] == "raised"
    assert first["page"].endswith(f"/alerts/{alerts['dongao'].pk}/")
    gone = next(r for r in response.json()["results"] if r["subject_label"] == "已不在数据中")
    assert gone["awaiting_action"] is True


def test_a_token_works_too_and_each_township_sees_its_own(client, alerts, demo_user):
    township = Token.objects.create(user=demo_user("township"))
    response = client.get(ALERTS, headers={"authorization": f"Token {township.key}"})
    assert labels(response) == {"红 东岙", "黄 许岙", "已不在数据中", "南堡"}
    anyang = Token.objects.create(user=staff_of(ANYANG))
    response = client.get(ALERTS, headers={"authorization": f"Token {anyang.key}"})
    assert labels(response) == {"白岩桥"}
    dongao = f"{ALERTS}{alerts['dongao'].pk}/"
    assert client.get(dongao, headers={"authorization": f"Token {anyang.key}"}).status_code == 404
    refused = post_as(client, f"{dongao}acknowledge/", anyang.key)
    assert refused.status_code == 404
    alerts["dongao"].refresh_from_db()
    assert alerts["dongao"].state == AlertState.OPEN


def post_as(client, url: str, token: str, data: dict | None = None):
    return client.post(
        url,
        json.dumps(data or {}),
        content_type="application/json",
        headers={"authorization": f"Token {token}"},
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?level=red", {"红 东岙", "南堡"}),
        ("?state=all&village=" + DONGAO, {"红 东岙", "已驳回"}),
        ("?state=dismissed", {"已驳回"}),
        ("?rule=W07", {"黄 许岙"}),
        (f"?township={CAOCUN}&level=yellow", {"黄 许岙", "已不在数据中"}),
    ],
)
def test_the_api_filters_as_the_list_page_does(api_client, alerts, query, expected):
    assert labels(api_client("township").get(ALERTS + query)) == expected


@pytest.mark.parametrize(
    ("query", "field"), [("?village=3303811022", "village"), ("?level=green", "level")]
)
def test_a_filter_not_understood_is_a_400_naming_it(api_client, alerts, query, field):
    response = api_client("township").get(ALERTS + query)
    assert response.status_code == 400
    assert field in response.json()


def test_who_may_not_handle_warnings_is_refused(client, api_client, alerts):
    assert client.get(ALERTS).status_code in (401, 403)
    inspector = api_client("inspector")
    response = inspector.get(ALERTS)
    assert response.status_code == 403
    assert "handle" in response.json()["detail"]
    url = f"{ALERTS}{alerts['dongao'].pk}/dismiss/"
    assert post(inspector, url, {"reason": REASON}).status_code == 403
    alerts["dongao"].refresh_from_db()
    assert alerts["dongao"].state == AlertState.OPEN


def test_a_warning_of_another_village_is_not_found(api_client, alerts):
    client = api_client("supervisor")
    assert client.get(f"{ALERTS}{alerts['nanbao'].pk}/").status_code == 404
    assert post(client, f"{ALERTS}{alerts['nanbao'].pk}/acknowledge/").status_code == 404
    assert client.get(f"{ALERTS}{10**19}/").status_code == 404


def test_acknowledging_twice_answers_the_same(api_client, alerts):
    client = api_client("supervisor")
    url = f"{ALERTS}{alerts['dongao'].pk}/acknowledge/"
    first, second = post(client, url), post(client, url)
    assert first.status_code == second.status_code == 200
    assert first.json()["state"] == second.json()["state"] == "acknowledged"
    changes = [c["kind"] for c in second.json()["changes"]]
    assert changes == ["raised", "acknowledged"]
    assert changes[-1] and second.json()["changes"][-1]["by"].startswith("Village supervisor")


def test_dismissing_needs_a_reason_and_logs_it(api_client, alerts):
    client = api_client("supervisor")
    url = f"{ALERTS}{alerts['dongao'].pk}/dismiss/"
    before = Event.objects.count()
    for data in ({}, {"reason": ""}, {"reason": "不行"}):
        response = post(client, url, data)
        assert response.status_code == 400 and "reason" in response.json()
    assert Event.objects.count() == before
    done = post(client, url, {"reason": REASON})
    assert done.status_code == 200 and done.json()["state"] == "dismissed"
    assert done.json()["dismiss_reason"] == REASON
    event = Event.objects.order_by("-seq").first()
    assert event.action == Event.Action.WARNING and event.changes["dismiss_reason"] == REASON
    again = post(client, url, {"reason": REASON})
    assert again.status_code == 400 and "already" in again.json()["state"][0]


def test_recording_what_was_done_resolves_a_warning_gone_from_the_data(api_client, alerts):
    client = api_client("supervisor")
    url = f"{ALERTS}{alerts['gone'].pk}/action/"
    assert post(client, url, {}).status_code == 400
    response = post(client, url, {"action": "已督促施工单位复工，监察员每周到场。"})
    assert response.status_code == 200 and response.json()["state"] == "resolved"
    assert alerts["gone"].changes.filter(kind=AlertChange.Kind.ACTION).count() == 1


def test_a_case_is_opened_once_however_often_it_is_asked(api_client, alerts):
    client = api_client("supervisor")
    url = f"{ALERTS}{alerts['dongao'].pk}/case/"
    assert post(client, url, {"category": "no-such-category"}).status_code == 400
    category = Category.objects.filter(active=True).order_by("pk").first()
    first = post(client, url, {"category": category.code})
    second = post(client, url)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["case"]["id"] == second.json()["case"]["id"]
    case = Case.objects.get(pk=first.json()["case"]["id"])
    assert case.source == Case.Source.WARNING and case.category == category
    assert first.json()["state"] == "case"
    assert Case.objects.filter(source=Case.Source.WARNING).count() == 1


def test_a_page_of_the_list_costs_as_many_queries_for_many_warnings(
    api_client, alerts, django_assert_max_num_queries
):
    client = api_client("township")
    client.get(ALERTS)
    with CaptureQueriesContext(connection) as few:
        client.get(ALERTS)
    for n in range(40):
        alert = make_alert([DONGAO, XUAO, NANBAO][n % 3])
        AlertChange.objects.create(
            alert=alert, kind=AlertChange.Kind.ACKNOWLEDGED, level=alert.level, at=alert.raised_at
        )
    with django_assert_max_num_queries(len(few)):
        assert len(client.get(ALERTS).json()["results"]) == 44


def test_the_schema_documents_the_list_and_the_actions(api_client):
    schema = api_client("township").get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert "/api/alerts/" in paths and "/api/alerts/{id}/" in paths
    for step in ("acknowledge", "dismiss", "action", "case"):
        assert "post" in paths[f"/api/alerts/{{id}}/{step}/"]
    dismiss = paths["/api/alerts/{id}/dismiss/"]["post"]
    assert "400" in dismiss["responses"] and "requestBody" in dismiss
    parameters = {p["name"] for p in paths["/api/alerts/"]["get"]["parameters"]}
    assert {"rule", "level", "state", "township", "village"} <= parameters
