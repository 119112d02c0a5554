"""The life of a warning: raised once, refreshed, resolved by itself, red held at yellow until the
station records what was done, raised again on the same row; scoped passes; rule settings."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import translation

from alerts import engine, services
from alerts.models import Alert, AlertChange, AlertState, Level, RuleSetting
from alerts.rules import Param, get_rule
from projects.models import Project

pytestmark = pytest.mark.django_db

W06 = "W06"


@pytest.fixture
def project():
    """A demo project with a contract at its guidance price: no W06 warning."""
    project = (
        Project.objects.filter(contract_amount__gt=0, budget_price__gt=0).order_by("pk").first()
    )
    Project.objects.filter(pk=project.pk).update(contract_amount=project.budget_price)
    project.refresh_from_db()
    return project


def _over(project: Project, percent: str) -> None:
    """Put the contract `percent` % above the guidance price (keeping the 200,000 cap)."""
    guidance = Decimal("100000")
    contract = guidance * (1 + Decimal(percent) / 100)
    Project.objects.filter(pk=project.pk).update(budget_price=guidance, contract_amount=contract)


def _alert(project: Project) -> Alert | None:
    return Alert.objects.filter(rule=W06, key=f"project:{project.pk}").first()


def _run(project: Project) -> engine.Outcome:
    return engine.evaluate(get_rule(W06), villages=frozenset({project.village_id}))


def test_condition_raises_one_warning_however_often_it_is_evaluated(project):
    _over(project, "5")
    first = _run(project)
    second = _run(project)
    engine.evaluate(get_rule(W06))
    alert = _alert(project)
    assert alert.level == Level.YELLOW and alert.state == AlertState.OPEN
    assert first.raised == 1 and second.raised == 0
    assert Alert.objects.filter(rule=W06, key=f"project:{project.pk}").count() == 1
    assert alert.changes.filter(kind=AlertChange.Kind.RAISED).count() == 1
    assert alert.numbers["over_percent"] == "5.0"
    assert alert.evidence[0]["url"] == project.get_absolute_url()
    assert "5.0%" in alert.explanation()


def test_warning_without_its_condition_resolves_itself(project):
    _over(project, "5")
    _run(project)
    Project.objects.filter(pk=project.pk).update(contract_amount=Decimal("99000"))
    outcome = _run(project)
    alert = _alert(project)
    assert outcome.resolved == 1
    assert alert.state == AlertState.RESOLVED and not alert.holds and alert.resolved_at


def test_worse_numbers_turn_a_yellow_warning_red_on_the_same_row(project):
    _over(project, "5")
    _run(project)
    _over(project, "15")
    outcome = _run(project)
    alert = _alert(project)
    assert outcome.changed == 1 and alert.level == Level.RED and alert.reached_red
    assert list(alert.changes.values_list("kind", "level")) == [
        ("raised", "yellow"),
        ("level", "red"),
    ]


def test_red_warning_drops_only_to_yellow_until_the_station_records_what_was_done(project):
    _over(project, "15")
    _run(project)
    Project.objects.filter(pk=project.pk).update(contract_amount=Decimal("99000"))
    _run(project)
    alert = _alert(project)
    assert alert.state == AlertState.OPEN and alert.level == Level.YELLOW
    assert alert.awaiting_action
    _run(project)  # nothing new: no second "gone" row
    assert alert.changes.filter(kind=AlertChange.Kind.GONE).count() == 1
    services.record_action(alert, text="合同已按指导价重新签订。", actor=None)
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED and not alert.awaiting_action


def test_action_recorded_while_red_lets_it_resolve_when_the_data_clear(project):
    _over(project, "15")
    _run(project)
    services.record_action(_alert(project), text="已责令施工方说明超出原因。", actor=None)
    assert _alert(project).state == AlertState.OPEN  # still in the data
    Project.objects.filter(pk=project.pk).update(contract_amount=Decimal("99000"))
    _run(project)
    assert _alert(project).state == AlertState.RESOLVED


def test_condition_that_returns_raises_the_same_warning_again(project):
    _over(project, "5")
    _run(project)
    Project.objects.filter(pk=project.pk).update(contract_amount=Decimal("99000"))
    _run(project)
    _over(project, "6")
    outcome = _run(project)
    alert = _alert(project)
    assert outcome.raised == 1 and alert.state == AlertState.OPEN and alert.holds
    assert alert.changes.filter(kind=AlertChange.Kind.REOPENED).count() == 1
    assert Alert.objects.filter(rule=W06, key=f"project:{project.pk}").count() == 1


def test_dismissed_warning_stays_dismissed_while_its_condition_holds(project):
    _over(project, "5")
    _run(project)
    services.dismiss(_alert(project), reason="超出部分为村民代表会议同意的增项。", actor=None)
    _run(project)
    assert _alert(project).state == AlertState.DISMISSED
    Project.objects.filter(pk=project.pk).update(contract_amount=Decimal("99000"))
    _run(project)
    assert _alert(project).state == AlertState.RESOLVED


def test_pass_over_some_villages_leaves_other_villages_warnings_alone(project):
    _over(project, "5")
    _run(project)
    other = Project.objects.exclude(village_id=project.village_id).first()
    Project.objects.filter(pk=project.pk).update(contract_amount=Decimal("99000"))
    engine.evaluate(get_rule(W06), villages=frozenset({other.village_id}))
    assert _alert(project).state == AlertState.OPEN


def test_rule_turned_off_in_the_admin_resolves_its_warnings(project):
    _over(project, "5")
    _run(project)
    RuleSetting.objects.create(rule=W06, enabled=False)
    _run(project)
    assert _alert(project).state == AlertState.RESOLVED


def test_parameters_come_from_the_admin_over_settings_over_defaults(project):
    rule = get_rule(W06)
    assert rule.parameters()["red_percent"] == Decimal("10")
    with override_settings(ALERT_RULES={W06: {"red_percent": "20"}}):
        assert rule.parameters()["red_percent"] == Decimal("20")
        _over(project, "15")
        _run(project)
        assert _alert(project).level == Level.YELLOW
        RuleSetting.objects.create(rule=W06, params={"red_percent": "12"})
        _run(project)
        assert _alert(project).level == Level.RED


@pytest.mark.parametrize("value", ["abc", "-1", "NaN", "Infinity", ""])
def test_bad_parameter_is_refused_with_the_reason(value):
    with translation.override("en"), pytest.raises(ValueError, match=r"not a number|outside"):
        Param(Decimal("10"), "percent").parse(value)


def test_evaluation_on_a_date_uses_that_date(project):
    _over(project, "5")
    outcome = engine.evaluate(get_rule(W06), today=dt.date(2026, 1, 1))
    assert outcome.raised >= 1
