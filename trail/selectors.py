"""Reads of the public log."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Model, QuerySet

from trail.models import Event


def event_history(subject: Model) -> QuerySet[Event]:
    """The subject's public log, newest first."""
    return (
        Event.objects.filter(
            subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
        )
        .select_related("actor")
        .prefetch_related("actor__groups")  # the actor's role names them in public
        .order_by("-seq")
    )


def last_event() -> Event | None:
    return Event.objects.order_by("-seq").only("seq", "hash").first()


def data_version() -> int:
    """The head of the public event log: every write to the record appends an event, so one
    index lookup tells whether anything public may have changed (ETags of public answers)."""
    return Event.objects.aggregate(head=Max("seq"))["head"] or 0
