"""A dismissal is in the public log, readable: the rule, the record, the reason, by role."""

from decimal import Decimal

import pytest

from alerts import engine, services
from alerts.models import Alert
from alerts.rules import get_rule
from projects.models import Project

pytestmark = pytest.mark.django_db


def test_dismissal_reads_in_the_public_log_with_its_reason(client, demo_user):
    project = Project.objects.filter(contract_amount__gt=0).order_by("pk").first()
    Project.objects.filter(pk=project.pk).update(
        budget_price=Decimal("100000"), contract_amount=Decimal("105000")
    )
    engine.evaluate(get_rule("W06"), villages=frozenset({project.village_id}))
    alert = Alert.objects.get(rule="W06", key=f"project:{project.pk}")
    services.dismiss(
        alert, reason="增项经村民代表会议表决通过，联系 13912345678。", actor=demo_user("township")
    )
    page = client.get("/log/?subject=alert", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "增项经村民代表会议表决通过" in page
    assert "13912345678" not in page
    assert project.name in page and "W06" in page
    assert "township" not in page  # the actor by role, never the login name
