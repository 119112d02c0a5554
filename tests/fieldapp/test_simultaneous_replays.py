"""One submission sent by several phones (or one phone's outbox retrying) at the same moment:
every copy is answered with the first row, never an IntegrityError (issue 13, part 5)."""

import threading
import uuid

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections

from fieldapp import services
from fieldapp.models import SupervisorNote
from projects.models import Project

COPIES = 8


def _in_own_connection(work):
    """Run `work` in a thread of its own: its own database connection, committing for real."""
    outcome = {}

    def run():
        try:
            outcome["value"] = work()
        except Exception as exc:
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    return thread, outcome


@pytest.mark.django_db
def test_copies_of_one_note_sent_at_once_store_it_once_and_answer_every_copy():
    if connection.vendor != "postgresql":
        pytest.skip("the race needs two writers at once: PostgreSQL")
    key = uuid.uuid4()
    project_pk = Project.objects.filter(village__name="东岙村").values_list("pk", flat=True)[0]
    start = threading.Barrier(COPIES)

    def send():
        project = Project.objects.get(pk=project_pk)
        author = User.objects.get(username="supervisor")
        start.wait()
        return services.write_note(
            project, actor=author, text="同一条记录", public=False, client_uuid=key
        )

    runs = [_in_own_connection(send) for _ in range(COPIES)]
    try:
        for thread, _outcome in runs:
            thread.start()
        for thread, _outcome in runs:
            thread.join(timeout=60)
        errors = [outcome["error"] for _thread, outcome in runs if "error" in outcome]
        assert errors == []
        answers = [outcome["value"] for _thread, outcome in runs]
        assert len({note.pk for note, _created in answers}) == 1
        assert [created for _note, created in answers].count(True) == 1
    finally:
        cleanup, _ = _in_own_connection(
            lambda: SupervisorNote.objects.filter(client_uuid=key).delete()
        )
        cleanup.start()
        cleanup.join()
