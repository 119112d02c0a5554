"""Changes queue the rules that read them, once per transaction; the nightly pass is scheduled."""

from decimal import Decimal

import pytest
from django.db import transaction
from django_q.models import OrmQ, Schedule

from alerts import tasks
from alerts.models import Alert
from projects.models import Project
from registry import services as registry_services

pytestmark = pytest.mark.django_db(transaction=False)


def _queued(after: int = 0) -> list[str]:
    """The alert evaluations queued after the message `after` (the demo's load queued some)."""
    names = [str(task.name()) for task in OrmQ.objects.filter(pk__gt=after)]
    return [name for name in names if name.startswith("alerts.evaluate(")]


def _last() -> int:
    return OrmQ.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_saving_records_queues_their_rules_once_per_transaction(django_capture_on_commit_callbacks):
    projects = list(Project.objects.order_by("pk")[:3])
    last = _last()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for project in projects:
            project.description = project.description + " "
            registry_services.save_record(project, actor=None)
    names = _queued(last)
    assert len(names) == 1
    assert "W06" in names[0] and "W07" in names[0]


def test_queued_change_evaluates_its_villages():
    project = Project.objects.filter(contract_amount__gt=0).order_by("pk").first()
    Project.objects.filter(pk=project.pk).update(
        budget_price=Decimal("100000"), contract_amount=Decimal("120000")
    )
    tasks.evaluate_change([project.village_id], ["W06"])
    assert Alert.objects.get(rule="W06", key=f"project:{project.pk}").level == "red"


def test_records_no_rule_reads_queue_nothing(django_capture_on_commit_callbacks):
    from visits.models import Site

    site = Site.objects.first()
    last = _last()
    with django_capture_on_commit_callbacks(execute=True):
        registry_services.save_record(site, actor=None)
    assert _queued(last) == []


def test_nightly_pass_is_on_the_schedule():
    assert Schedule.objects.filter(name="alerts-nightly", func="alerts.tasks.nightly").exists()


def test_nightly_pass_runs_at_two_in_the_morning():
    from django.utils import timezone

    run = timezone.localtime(Schedule.objects.get(name="alerts-nightly").next_run)
    assert (run.hour, run.minute) == (2, 0)
    assert run > timezone.now()
