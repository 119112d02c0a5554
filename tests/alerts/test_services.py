"""What staff do with a warning: acknowledge, dismiss with a reason (logged in public), record
what was done, turn it into a supervision case; who may; a bad input changes nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from alerts import engine, services
from alerts.models import Alert, AlertChange, AlertState
from alerts.rules import get_rule
from projects.models import Project
from supervision.models import Case
from trail.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert():
    project = Project.objects.filter(contract_amount__gt=0).order_by("pk").first()
    Project.objects.filter(pk=project.pk).update(
        budget_price=Decimal("100000"), contract_amount=Decimal("105000")
    )
    engine.evaluate(get_rule("W06"), villages=frozenset({project.village_id}))
    return Alert.objects.get(rule="W06", key=f"project:{project.pk}")


def test_dismissal_is_a_public_log_event_with_its_reason(alert, demo_user):
    township = demo_user("township")
    services.dismiss(alert, reason="  超出部分为村民代表会议同意的增项。 ", actor=township)
    alert.refresh_from_db()
    event = Event.objects.order_by("-seq").first()
    assert alert.state == AlertState.DISMISSED
    assert alert.dismiss_reason == "超出部分为村民代表会议同意的增项。"
    assert event.action == Event.Action.WARNING
    assert event.changes["dismiss_reason"] == "超出部分为村民代表会议同意的增项。"
    assert event.changes["rule"] == "W06" and event.changes["state"] == "dismissed"
    assert event.actor == township
    assert alert.changes.filter(kind=AlertChange.Kind.DISMISSED, actor=township).exists()


@pytest.mark.parametrize("reason", ["", "  ", "不行"])
def test_dismissal_without_a_real_reason_changes_nothing(alert, reason):
    before = Event.objects.count()
    with pytest.raises(ValidationError) as error:
        services.dismiss(alert, reason=reason, actor=None)
    alert.refresh_from_db()
    assert "reason" in error.value.message_dict
    assert alert.state == AlertState.OPEN and Event.objects.count() == before


def test_acknowledging_twice_is_one_acknowledgement(alert, demo_user):
    services.acknowledge(alert, actor=demo_user("township"))
    services.acknowledge(alert, actor=demo_user("township"))
    alert.refresh_from_db()
    assert alert.state == AlertState.ACKNOWLEDGED
    assert alert.changes.filter(kind=AlertChange.Kind.ACKNOWLEDGED).count() == 1


def test_warning_turned_into_a_case_goes_to_the_station_once(alert, demo_user):
    case = services.open_case(alert, actor=demo_user("township"))
    again = services.open_case(Alert.objects.get(pk=alert.pk), actor=demo_user("township"))
    alert.refresh_from_db()
    assert case == again and alert.case == case and alert.state == AlertState.CASE
    assert case.source == Case.Source.WARNING and case.village_id == alert.unit_id
    assert "W06" in case.text and alert.subject_label in case.text
    assert Case.objects.filter(source=Case.Source.WARNING, village_id=alert.unit_id).count() == 1


def test_roles_without_the_task_may_not_act(alert, demo_user):
    for username in ("inspector", "bookkeeper"):
        with pytest.raises(PermissionDenied):
            services.acknowledge(alert, actor=demo_user(username))
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN


def test_resolved_warning_cannot_be_dismissed(alert):
    Alert.objects.filter(pk=alert.pk).update(state=AlertState.RESOLVED, holds=False)
    with pytest.raises(ValidationError):
        services.dismiss(alert, reason="已经处理完毕，无需再看。", actor=None)


def test_warning_followed_up_as_a_case_is_not_dismissed_behind_the_cases_back(alert, demo_user):
    case = services.open_case(alert, actor=demo_user("township"))
    with pytest.raises(ValidationError) as error:
        services.dismiss(
            Alert.objects.get(pk=alert.pk), reason="另一部手机上的旧页面。", actor=None
        )
    alert.refresh_from_db()
    assert case.reference in str(error.value)
    assert alert.state == AlertState.CASE and alert.dismiss_reason == ""
