"""New and reddened warnings reach the village's station and the township by e-mail, one
message per village and pass, through the task queue."""

from decimal import Decimal

import pytest
from django.core import mail
from django_q.models import OrmQ

from alerts import engine, notifications
from alerts.models import Alert
from alerts.rules import get_rule
from projects.models import Project
from registry.roles import Role
from supervision.services import role_users

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    project = Project.objects.filter(contract_amount__gt=0).order_by("pk").first()
    Project.objects.filter(pk=project.pk).update(
        budget_price=Decimal("100000"), contract_amount=Decimal("115000")
    )
    for user in role_users(project.village, Role.SUPERVISOR):
        user.email = f"{user.username}@example.org"
        user.save()
    return project


def test_new_warning_is_queued_and_mailed_to_the_station(
    project, django_capture_on_commit_callbacks
):
    last = OrmQ.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with django_capture_on_commit_callbacks(execute=True):
        engine.evaluate(get_rule("W06"), villages=frozenset({project.village_id}))
    queued = [str(t.name()) for t in OrmQ.objects.filter(pk__gt=last)]
    assert any(name.startswith("alerts.notifications.send") for name in queued)
    alert = Alert.objects.get(rule="W06", key=f"project:{project.pk}")
    assert notifications.send([alert.pk]) == 1
    message = mail.outbox[-1]
    assert project.village.name in message.subject
    assert alert.get_absolute_url() in message.body and project.name in message.body
    assert set(message.to) >= {u.email for u in role_users(project.village, Role.SUPERVISOR)}


def test_refreshing_a_known_warning_tells_nobody_again(project, django_capture_on_commit_callbacks):
    engine.evaluate(get_rule("W06"), villages=frozenset({project.village_id}))
    last = OrmQ.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with django_capture_on_commit_callbacks(execute=True):
        engine.evaluate(get_rule("W06"), villages=frozenset({project.village_id}))
    queued = [str(t.name()) for t in OrmQ.objects.filter(pk__gt=last)]
    assert not any(name.startswith("alerts.notifications.send") for name in queued)
