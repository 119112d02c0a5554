"""The staff pages of the warnings: the list of a user's units with its filters, one warning with
its evidence and history, what staff do with it through HTTP, the panel on a unit's page, and
the admin's rule settings."""

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alerts import engine
from alerts.models import Alert, AlertChange, AlertState, Level, RuleSetting
from alerts.rules import Evidence, get_rule
from projects.models import Project
from registry.models import AdminUnit, Profile
from registry.roles import Role
from supervision.models import Case, Category
from trail.models import Event

pytestmark = pytest.mark.django_db

CAOCUN = "330381102"
DONGAO = "330381102201"  # the demo supervisor's villages: Dong'ao and Xu'ao
XUAO = "330381102202"
NANBAO = "330381102203"  # Caocun too, but not the supervisor's
ANYANG = "330381001"  # another township
BAIYANQIAO = "330381001201"
LIST = reverse("alerts:alert-list")
REASON = "超出部分为村民代表会议同意的增项，已公示。"


def make_alert(
    code: str,
    *,
    rule: str = "W06",
    level: str = Level.RED,
    state: str = AlertState.OPEN,
    label: str = "",
    days_ago: int = 0,
    subject=None,
    **fields,
) -> Alert:
    """An alert row as the engine leaves it: in the unit of division code `code`, about the
    first project there (or `subject`), raised `days_ago` days ago, with its RAISED change."""
    unit = AdminUnit.objects.get(code=code)
    if subject is None and unit.level == AdminUnit.Level.VILLAGE:
        subject = Project.objects.filter(village=unit).order_by("pk").first()
    raised = timezone.now() - dt.timedelta(days=days_ago)
    fields.setdefault("reached_red", level == Level.RED)
    alert = Alert.objects.create(
        rule=rule,
        key=f"test:{code}:{label or rule}:{Alert.objects.count()}",
        unit=unit,
        subject=subject,
        subject_label=label or (str(subject) if subject else ""),
        level=level,
        state=state,
        numbers=fields.pop(
            "numbers", {"contract": "120,000.00", "guidance": "100,000.00", "over_percent": "20.0"}
        ),
        evidence=[Evidence(subject, "合同价 120,000.00 元").as_json()] if subject else [],
        raised_at=raised,
        seen_at=raised,
        dismiss_reason=REASON if state == AlertState.DISMISSED else "",
        **fields,
    )
    AlertChange.objects.create(alert=alert, kind=AlertChange.Kind.RAISED, level=level, at=raised)
    return alert


@pytest.fixture
def no_alerts():
    """Start from no warnings at all (the demo's planted ones would blur the counts)."""
    Alert.objects.all().delete()


@pytest.fixture
def client_of(client):
    """The test client logged in as `user` (a demo login name or a User), reading English."""

    def log_in(user: User | str) -> Client:
        if isinstance(user, str):
            user = User.objects.get(username=user)
        client.force_login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return log_in


def staff_of(code: str, role: str = Role.TOWNSHIP, username: str = "anyang") -> User:
    user = User.objects.create_user(username, first_name="安阳街道干部", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    Profile.objects.create(user=user).units.add(AdminUnit.objects.get(code=code))
    return user


@pytest.fixture
def w06():
    """A real W06 warning made by the engine: a Dong'ao project's contract 5 % above its
    guidance price."""
    village = AdminUnit.objects.get(code=DONGAO)
    project = Project.objects.filter(village=village).order_by("pk").first()
    Project.objects.filter(pk=project.pk).update(
        budget_price=Decimal("100000"), contract_amount=Decimal("105000")
    )
    engine.evaluate(get_rule("W06"), villages=frozenset({village.pk}))
    return Alert.objects.get(rule="W06", key=f"project:{project.pk}")


def labels(response) -> list[str]:
    """The subject labels of the list's rows, in their order."""
    html = response.content.decode()
    return re.findall(r'<span class="al-meta">(?:<a href="[^"]*">)?([^<·]+?)(?:</a>)? ·', html)


def detail(alert: Alert) -> str:
    return reverse("alerts:alert-detail", args=[alert.pk])


def step(alert: Alert, name: str) -> str:
    return reverse(f"alerts:alert-{name}", args=[alert.pk])


# Who sees what -------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, no_alerts):
    alert = make_alert(DONGAO)
    for url in (LIST, detail(alert)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    response = client.post(step(alert, "dismiss"), {"reason": REASON})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN


@pytest.mark.parametrize("username", ["inspector", "bookkeeper"])
def test_roles_that_do_not_handle_warnings_are_refused_with_the_reason(
    client_of, no_alerts, username
):
    alert = make_alert(DONGAO)
    client = client_of(username)
    for response in (client.get(LIST), client.get(detail(alert))):
        assert response.status_code == 403
        assert "handle warnings" in response.content.decode()
    assert client.post(step(alert, "acknowledge")).status_code == 403
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN


def test_each_user_sees_the_warnings_of_their_own_units_only(client_of, no_alerts):
    make_alert(DONGAO, label="东岙 一")
    make_alert(XUAO, label="许岙 二")
    make_alert(NANBAO, label="南堡 三")
    make_alert(CAOCUN, rule="W09", label="曹村镇 承包商集中")
    other = make_alert(BAIYANQIAO, label="白岩桥 四")

    supervisor = client_of("supervisor").get(LIST)
    assert sorted(labels(supervisor)) == sorted(["东岙 一", "许岙 二"])
    township = client_of("township").get(LIST)
    assert sorted(labels(township)) == sorted(
        ["东岙 一", "许岙 二", "南堡 三", "曹村镇 承包商集中"]
    )
    city = client_of("city").get(LIST)
    assert "白岩桥 四" in labels(city) and len(labels(city)) == 5

    anyang = client_of(staff_of(ANYANG))
    assert labels(anyang.get(LIST)) == ["白岩桥 四"]
    caocun_alert = Alert.objects.get(subject_label="东岙 一")
    assert anyang.get(detail(caocun_alert)).status_code == 404
    assert anyang.post(step(caocun_alert, "acknowledge")).status_code == 404
    assert anyang.get(detail(other)).status_code == 200
    caocun_alert.refresh_from_db()
    assert caocun_alert.state == AlertState.OPEN


def test_a_supervisor_gets_404_for_a_village_of_the_township_that_is_not_theirs(
    client_of, no_alerts
):
    nanbao = make_alert(NANBAO)
    assert client_of("supervisor").get(detail(nanbao)).status_code == 404
    assert client_of("supervisor").get(f"{LIST}{10**20}/").status_code == 404


# The list --------------------------------------------------------------------------------------


def test_red_comes_first_then_the_newest(client_of, no_alerts):
    make_alert(DONGAO, level=Level.YELLOW, label="黄 新", days_ago=1)
    make_alert(DONGAO, level=Level.RED, label="红 旧", days_ago=9)
    make_alert(XUAO, level=Level.YELLOW, label="黄 旧", days_ago=5)
    make_alert(XUAO, level=Level.RED, label="红 新", days_ago=2)
    assert labels(client_of("supervisor").get(LIST)) == ["红 新", "红 旧", "黄 新", "黄 旧"]


def test_a_row_says_level_rule_record_village_explanation_date_and_state(client_of, no_alerts):
    alert = make_alert(DONGAO, days_ago=3)
    html = client_of("supervisor").get(LIST).content.decode()
    row = html[html.index('<li class="al-level-red">') :]
    row = row[: row.index("</li>")]
    assert '<span class="al-chip al-red">Red</span>' in row  # the level in words, not colour only
    assert "W06" in row and str(get_rule("W06").name) in row
    assert f'href="{alert.subject.get_absolute_url()}">{alert.subject_label}</a>' in row
    assert "东岙村" in row and "曹村镇" in row
    assert alert.explanation() in row and "20.0%" in row
    assert timezone.localtime(alert.raised_at).strftime("%Y-%m-%d") in row
    assert '<span class="al-state al-state-open">Open</span>' in row
    assert f'href="{detail(alert)}"' in row


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"红 东岙", "黄 许岙", "已确认"}),
        ("?level=red", {"红 东岙"}),
        ("?state=all", {"红 东岙", "黄 许岙", "已确认", "已驳回", "已解决"}),
        ("?state=dismissed", {"已驳回"}),
        ("?state=acknowledged", {"已确认"}),
        ("?rule=W07", {"黄 许岙"}),
        (f"?village={XUAO}", {"黄 许岙"}),
        (f"?village={'３３０３８１１０２２０２'}", {"黄 许岙"}),  # full-width digits, as typed
        (f"?township={CAOCUN}&level=yellow", {"黄 许岙", "已确认"}),
        (f"?township={ANYANG}", set()),
    ],
)
def test_filters_are_in_the_address(client_of, no_alerts, query, expected):
    make_alert(DONGAO, label="红 东岙")
    make_alert(XUAO, rule="W07", level=Level.YELLOW, label="黄 许岙")
    make_alert(DONGAO, level=Level.YELLOW, state=AlertState.ACKNOWLEDGED, label="已确认")
    make_alert(XUAO, state=AlertState.DISMISSED, label="已驳回")
    make_alert(DONGAO, state=AlertState.RESOLVED, label="已解决", holds=False)
    response = client_of("township").get(LIST + query)
    assert response.status_code == 200
    assert set(labels(response)) == expected


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("?village=33038110220", "6, 9 or 12 digits"),
        ("?township=曹村镇", "6, 9 or 12 digits"),
        ("?level=green", "green"),
        ("?rule=W99", "W99"),
    ],
)
def test_a_filter_not_understood_is_a_400_that_says_why(client_of, no_alerts, query, reason):
    make_alert(DONGAO, label="红 东岙")
    response = client_of("township").get(LIST + query)
    html = response.content.decode()
    assert response.status_code == 400
    assert reason in html
    assert labels(response) == []  # never a list that pretends the filter applied


def test_htmx_asks_for_the_results_or_the_next_rows_only(client_of, no_alerts):
    for n in range(30):
        make_alert(DONGAO, level=Level.YELLOW, label=f"行{n:02d}", days_ago=n)
    client = client_of("supervisor")
    results = client.get(
        LIST + "?level=yellow", headers={"hx-request": "true", "hx-target": "alert-results"}
    )
    html = results.content.decode()
    assert results.status_code == 200
    assert "<html" not in html and 'id="alert-results"' in html and "行00" in html
    assert 'href="?level=yellow&amp;page=2"' in html  # the link works without JavaScript too
    more = client.get(
        LIST + "?level=yellow&page=2", headers={"hx-request": "true", "hx-target": "more-alerts"}
    )
    rows = more.content.decode()
    assert "<html" not in rows and 'id="alert-results"' not in rows
    assert labels(more) == [f"行{n:02d}" for n in range(25, 30)]
    page = client.get(LIST + "?level=yellow&page=2")
    assert "<html" in page.content.decode() and labels(page)[0] == "行25"


def test_the_list_makes_as_many_queries_for_many_warnings_as_for_few(
    client_of, no_alerts, django_assert_max_num_queries
):
    client = client_of("township")
    make_alert(DONGAO)
    client.get(LIST)  # the session and the user's units, read once
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    for n in range(40):
        make_alert([DONGAO, XUAO, NANBAO][n % 3], level=[Level.RED, Level.YELLOW][n % 2])
    with django_assert_max_num_queries(len(few)):
        assert client.get(LIST).status_code == 200
    budget = json.loads((Path(__file__).parents[1] / "query_counts.json").read_text())
    with django_assert_max_num_queries(budget["alerts:alert-list"]):
        assert client.get(LIST + f"?township={CAOCUN}&level=red").status_code == 200


# One warning -----------------------------------------------------------------------------------


def test_the_page_of_a_warning_shows_its_evidence_numbers_and_history(client_of, w06):
    client = client_of("township")
    client.post(step(w06, "acknowledge"))
    html = client.get(detail(w06)).content.decode()
    project = w06.subject
    assert str(get_rule("W06").name) in html and "W06" in html
    assert '<span class="al-chip al-yellow">Yellow</span>' in html
    assert '<span class="al-state al-state-acknowledged">Acknowledged</span>' in html
    assert w06.explanation() in html
    assert f'href="{project.get_absolute_url()}"' in html
    assert "over_percent" not in html  # the numbers are in the explanation, never raw keys
    assert "5.0%" in html
    assert "曹村镇纪委（演示）" in html  # the public actor: role and display name, no login name
    assert ">township<" not in html
    assert html.count("<li>", html.index("al-history")) >= 2  # raised, acknowledged


def test_a_warning_gone_from_the_data_but_once_red_awaits_the_station(client_of, no_alerts):
    alert = make_alert(DONGAO, level=Level.YELLOW, holds=False, reached_red=True)
    html = client_of("supervisor").get(detail(alert)).content.decode()
    assert "al-awaiting" in html
    fresh = make_alert(XUAO)
    assert "al-awaiting" not in client_of("supervisor").get(detail(fresh)).content.decode()


def test_acknowledging_twice_is_harmless(client_of, w06):
    client = client_of("supervisor")
    first = client.post(step(w06, "acknowledge"))
    second = client.post(step(w06, "acknowledge"))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == detail(w06)
    w06.refresh_from_db()
    assert w06.state == AlertState.ACKNOWLEDGED
    assert w06.changes.filter(kind=AlertChange.Kind.ACKNOWLEDGED).count() == 1


@pytest.mark.parametrize("reason", ["", "不行"])
def test_dismissing_without_a_reason_is_a_400_and_changes_nothing(client_of, w06, reason):
    before = Event.objects.count()
    response = client_of("supervisor").post(step(w06, "dismiss"), {"reason": reason})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="errors"' in html and '<details class="al-dismiss" open>' in html
    assert "Say why" in html or "at least 5 characters" in html
    w06.refresh_from_db()
    assert w06.state == AlertState.OPEN and w06.dismiss_reason == ""
    assert Event.objects.count() == before


def test_dismissing_with_a_reason_logs_it_in_public_and_a_second_time_says_so(client_of, w06):
    client = client_of("supervisor")
    response = client.post(step(w06, "dismiss"), {"reason": REASON}, follow=True)
    assert response.status_code == 200
    w06.refresh_from_db()
    assert w06.state == AlertState.DISMISSED and w06.dismiss_reason == REASON
    event = Event.objects.order_by("-seq").first()
    assert event.action == Event.Action.WARNING
    assert event.changes["dismiss_reason"] == REASON and event.changes["state"] == "dismissed"
    assert REASON in response.content.decode()
    again = client.post(step(w06, "dismiss"), {"reason": REASON})
    assert again.status_code == 400
    assert "This warning is Dismissed already." in again.content.decode()
    assert Event.objects.filter(action=Event.Action.WARNING).count() == (
        Event.objects.filter(action=Event.Action.WARNING, seq__lte=event.seq).count()
    )


def test_recording_what_was_done_resolves_a_warning_gone_from_the_data(client_of, no_alerts):
    alert = make_alert(DONGAO, level=Level.YELLOW, holds=False, reached_red=True)
    response = client_of("supervisor").post(
        step(alert, "action"), {"action": "施工方已按合同价退还多收款项。"}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED and alert.action == "施工方已按合同价退还多收款项。"
    assert alert.changes.filter(kind=AlertChange.Kind.ACTION).count() == 1


def test_a_warning_becomes_one_supervision_case_however_often_it_is_sent(client_of, w06):
    client = client_of("supervisor")
    first = client.post(step(w06, "case"), {"category": ""})
    second = client.post(step(w06, "case"), {"category": ""})
    assert first.status_code == 302 and second.status_code in (302, 400)
    w06.refresh_from_db()
    cases = Case.objects.filter(source=Case.Source.WARNING, village_id=w06.unit_id)
    assert cases.count() == 1 and w06.case == cases.get() and w06.state == AlertState.CASE
    html = client.get(detail(w06)).content.decode()
    assert w06.case.reference in html
    assert f'href="{reverse("supervision:field-case", args=[w06.case_id])}"' in html


def test_a_case_takes_the_category_chosen(client_of, w06):
    category = Category.objects.filter(active=True).exclude(code="money").order_by("pk").first()
    response = client_of("township").post(step(w06, "case"), {"category": category.code})
    assert response.status_code == 302
    w06.refresh_from_db()
    assert w06.case.category == category
    # Township staff do not work cases: they are linked to the case's public page.
    html = client_of("township").get(detail(w06)).content.decode()
    assert f'href="{w06.case.get_absolute_url()}"' in html


def test_htmx_actions_answer_with_the_panel_and_a_refusal_is_a_400(client_of, w06):
    client = client_of("supervisor")
    refused = client.post(step(w06, "dismiss"), {"reason": ""}, headers={"hx-request": "true"})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "<html" not in html and 'id="alert-panel"' in html and 'class="errors"' in html
    done = client.post(step(w06, "acknowledge"), headers={"hx-request": "true"})
    assert done.status_code == 200 and 'role="status"' in done.content.decode()
    w06.refresh_from_db()
    assert w06.state == AlertState.ACKNOWLEDGED


def test_forms_carry_the_csrf_token_and_a_post_without_it_is_refused(w06, demo_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo_user("supervisor"))
    html = client.get(detail(w06)).content.decode()
    assert html.count('name="csrfmiddlewaretoken"') >= 4  # acknowledge, action, case, dismiss
    assert client.post(step(w06, "acknowledge")).status_code == 403
    w06.refresh_from_db()
    assert w06.state == AlertState.OPEN


def test_a_closed_warning_offers_no_actions(client_of, no_alerts):
    alert = make_alert(DONGAO, state=AlertState.RESOLVED, holds=False)
    html = client_of("supervisor").get(detail(alert)).content.decode()
    assert "alert-dismiss" not in html and 'action="' + step(alert, "acknowledge") not in html


# The panel on a unit's page --------------------------------------------------------------------


def test_a_units_page_shows_its_warnings_to_its_staff_only(client, client_of, no_alerts):
    make_alert(DONGAO)
    make_alert(XUAO, level=Level.YELLOW)
    make_alert(DONGAO, state=AlertState.DISMISSED)
    township_page = reverse("portal:unit-detail", args=[CAOCUN])
    village_page = reverse("portal:unit-detail", args=[DONGAO])
    for url in (township_page, village_page):
        assert 'id="warnings"' not in client.get(url).content.decode()  # anonymous, cached
    township = client_of("township").get(township_page).content.decode()
    panel = township[township.index('id="warnings"') :]
    assert "Red 1" in panel and "Yellow 1" in panel
    assert f"{LIST}?township={CAOCUN}&amp;level=red" in panel
    village = client_of("supervisor").get(village_page).content.decode()
    assert f"{LIST}?village={DONGAO}" in village
    assert 'id="warnings"' not in client_of("supervisor").get(township_page).content.decode()
    client.logout()
    assert 'id="warnings"' not in client.get(township_page).content.decode()


# The admin ------------------------------------------------------------------------------------


def test_the_admin_refuses_a_rule_parameter_its_rule_would_not_take(client_of):
    client = client_of("city")
    add = reverse("admin:alerts_rulesetting_add")
    page = client.get(add).content.decode()
    assert "red_percent" in page and str(get_rule("W06").params["red_percent"].label) in page
    for params, reason in [
        ({"red_percent": "很多"}, "not a number"),
        ({"red_percent": -3}, "outside"),
        ({"no_such": 1}, "no_such"),
        ({"red_percent": "1e30"}, "outside"),
    ]:
        response = client.post(add, {"rule": "W06", "enabled": "on", "params": json.dumps(params)})
        assert response.status_code == 200  # the form again, with the reason
        assert reason in response.content.decode()
        assert not RuleSetting.objects.filter(rule="W06").exists()
    response = client.post(add, {"rule": "W06", "enabled": "on", "params": '{"red_percent": "15"}'})
    assert response.status_code == 302
    assert RuleSetting.objects.get(rule="W06").params == {"red_percent": "15"}
    assert engine.settings_of(get_rule("W06"))[1]["red_percent"] == Decimal("15")


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"red_days": 99999999999999999999999}, "outside"),  # would overflow the date arithmetic
        ({"red_days": 10}, "cannot be below yellow_days"),  # red before yellow
        ({"red_days": 45.5}, "whole number"),
    ],
)
def test_the_admin_refuses_parameters_a_pass_could_not_run_with(client_of, params, reason):
    client = client_of("city")
    response = client.post(
        reverse("admin:alerts_rulesetting_add"),
        {"rule": "W01", "enabled": "on", "params": json.dumps(params)},
    )
    assert response.status_code == 200 and reason in response.content.decode()
    assert not RuleSetting.objects.filter(rule="W01").exists()


def test_a_saved_rule_setting_opens_again_for_editing(client_of):
    RuleSetting.objects.create(rule="W01", params={"red_days": 45})
    client = client_of("city")
    change = reverse("admin:alerts_rulesetting_change", args=["W01"])
    assert client.get(change).status_code == 200
    response = client.post(change, {"enabled": "on", "params": '{"red_days": 50}'})
    assert response.status_code == 302
    assert RuleSetting.objects.get(rule="W01").params == {"red_days": 50}


def test_the_admin_lists_warnings_read_only_and_only_city_staff_change_rules(client_of, w06):
    client = client_of("city")
    listed = client.get(reverse("admin:alerts_alert_changelist"))
    assert listed.status_code == 200 and w06.subject_label in listed.content.decode()
    page = client.get(reverse("admin:alerts_alert_change", args=[w06.pk])).content.decode()
    assert 'name="state"' not in page and w06.explanation() in page
    township = client_of("township")
    assert township.get(reverse("admin:alerts_rulesetting_add")).status_code == 403
