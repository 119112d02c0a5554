from django.utils import translation

from leasing.models.auctions import Bid
from projects.models import Project
from trail.models import Event
from trail.presenters import event_view


def test_times_are_shown_in_local_time_and_booleans_as_words():
    event = Event(
        action=Event.Action.CREATE,
        changes={"placed_at": "2026-11-26T02:10:15.422453+00:00"},
    )
    with translation.override("en"):
        line = event_view(event, Bid).lines[0]
    assert line.new == "2026-11-26 10:10"  # Asia/Shanghai
    event = Event(
        action=Event.Action.UPDATE, changes={"acceptance_passed": {"from": None, "to": True}}
    )
    with translation.override("en"):
        line = event_view(event, Project).lines[0]
    assert (line.old, line.new) == ("—", "yes")


def test_a_document_event_on_a_project_reads_with_the_documents_field_names():
    event = Event(
        action=Event.Action.ATTACH, changes={"kind": "contract", "issued_on": "2026-03-22"}
    )
    with translation.override("en"):
        lines = [(line.label, line.new) for line in event_view(event, Project).lines]
    assert lines == [("kind", "Contract"), ("dated", "2026-03-22")]
