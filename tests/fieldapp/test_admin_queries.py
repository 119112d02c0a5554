"""The field admin lists make a bounded number of queries, however many rows they show."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fieldapp import services
from projects.models import Project
from tests.fieldapp import photos

pytestmark = pytest.mark.django_db

LISTS = ("photo", "supervisornote", "progressreport", "inspection", "followup")


def add_rows(project, users) -> None:
    """One photo, note and progress report by each user: rows whose related users differ."""
    for user in users:
        services.add_photo(project, actor=user, data=photos.jpeg(), client_uuid=uuid.uuid4())
        services.write_note(
            project, actor=user, text="现场已整改", public=True, client_uuid=uuid.uuid4()
        )
        services.report_progress(
            project,
            actor=user,
            client_uuid=uuid.uuid4(),
            percent=project.progress_percent,
            stage_seen=project.stage,
        )


def queries(client, model: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(f"admin:fieldapp_{model}_changelist"))
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("model", LISTS)
def test_a_field_admin_list_costs_the_same_for_one_row_or_many(client, demo_user, model):
    project = Project.objects.filter(village__name="东岙村").order_by("pk").first()
    city = demo_user("city")
    client.force_login(city)
    add_rows(project, [demo_user("inspector")])
    few = queries(client, model)
    add_rows(project, [demo_user("supervisor"), city, demo_user("inspector")])
    assert queries(client, model) == few
