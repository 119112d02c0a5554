"""Who hears of a case (through the task queue), and inspection tours that open cases."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django_q.models import OrmQ, Schedule

from supervision import notifications, services
from supervision.models import Case, Category, ProblemForm, State, Tour, TourArea
from tests.supervision.conftest import DONGAO


@pytest.fixture
def emails(demo_user):
    for name in ("supervisor", "discipline", "city"):
        user = demo_user(name)
        user.email = f"{name}@example.cn"
        user.save()


def test_a_new_report_is_queued_for_the_station(report, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = report().case
    assert any(f"({case.pk})" in str(task.name()) for task in OrmQ.objects.all())


def test_the_station_hears_of_a_new_report_and_the_township_does_not(report, emails):
    case = report().case
    assert notifications.send(case.pk, "new") == 1
    assert mail.outbox[-1].to == ["supervisor@example.cn"]
    assert case.reference in mail.outbox[-1].body


def test_the_named_member_never_hears_of_the_report_about_them(report, emails, demo_user):
    case = report(about_member=demo_user("supervisor")).case
    notifications.send(case.pk, "new")
    assert mail.outbox[-1].to == ["discipline@example.cn"]


def test_an_overdue_case_reaches_the_township_too(report, emails):
    case = report().case
    notifications.send(case.pk, "overdue")
    assert sorted(mail.outbox[-1].to) == ["discipline@example.cn", "supervisor@example.cn"]


def test_a_reporter_with_an_email_hears_of_each_change(report, demo_user):
    contact = {"name": "王村民", "email": "villager@example.cn"}
    case = report(identity=Case.Identity.NAMED, contact=contact).case
    services.move(case, to=State.ACCEPTED, actor=demo_user("supervisor"))
    assert notifications.send(case.pk, "moved") == 1
    assert mail.outbox[-1].to == ["villager@example.cn"]
    assert "receipt" in mail.outbox[-1].body or "回执" in mail.outbox[-1].body


def test_an_anonymous_reporter_is_written_to_by_nobody(report, demo_user):
    case = report().case
    services.move(case, to=State.ACCEPTED, actor=demo_user("supervisor"))
    assert notifications.send(case.pk, "moved") == 0
    assert mail.outbox == []


def test_the_daily_round_is_on_the_task_queues_schedule(db):
    schedule = Schedule.objects.get(name="supervision-daily")
    assert schedule.func == "supervision.notifications.daily"


def test_contacts_are_wiped_a_year_after_closing(report, demo_user):
    case = report(identity=Case.Identity.NAMED, contact={"name": "王", "phone": "13912345678"})
    closed = case.case
    Case.objects.filter(pk=closed.pk).update(state=State.CLOSED)
    services.wipe_contacts(today=dt.date.today() + dt.timedelta(days=300))
    assert Case.objects.filter(pk=closed.pk, contact__isnull=False).exists()
    assert services.wipe_contacts(today=dt.date.today() + dt.timedelta(days=366)) >= 1
    assert not Case.objects.filter(pk=closed.pk, contact__isnull=False).exists()


def test_the_tour_checklist_ships_a_marked_sample(db):
    assert TourArea.objects.exists()
    assert all(area.sample and area.name.startswith("【示例】") for area in TourArea.objects.all())
    assert ProblemForm.objects.filter(sample=True).count() >= 6


def test_a_tour_finding_opens_a_case_for_the_township(demo_user):
    tour = Tour.objects.create(
        village_id=Case._meta.get_field("village").related_model.objects.get(code=DONGAO).pk,
        starts_on=dt.date(2026, 11, 2),
        ends_on=dt.date(2026, 11, 6),
        team="镇巡察组",
    )
    form = ProblemForm.objects.first()
    category = Category.objects.get(code="cadre")
    with pytest.raises(PermissionDenied):
        services.record_finding(
            tour,
            form=form,
            text="集体资产出租未经公开竞价。",
            category=category,
            actor=demo_user("supervisor"),
        )
    finding = services.record_finding(
        tour,
        form=form,
        text="集体资产出租未经公开竞价。",
        category=category,
        actor=demo_user("discipline"),
    )
    case = finding.case
    assert (case.source, case.route, case.state) == ("tour", "township", "received")
    assert form.text in case.text


def test_the_demo_has_a_case_in_every_state(db):
    from supervision.models import State as CaseStateName

    assert set(Case.objects.values_list("state", flat=True)) == set(CaseStateName.values)
