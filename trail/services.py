"""Appending to the public log (步步留痕): the one writer of `Event` and `DailyHead`.

Every app's services call `append_event` inside the transaction that changes their record, so a
change and its log row commit together or not at all.
"""

import datetime as dt

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from trail.chain import GENESIS_HASH
from trail.models import DailyHead, Event

SYSTEM_ACTOR = "system"
_EVENT_LOCK_KEY = 7_233_001  # pg_advisory_xact_lock key serialising appends to the chain


@transaction.atomic
def append_event(
    subject: models.Model,
    *,
    action: str,
    changes: dict,
    actor: User | None,
    unit_id: int | None = None,
) -> Event:
    """Append one row to the hash chain and move today's daily head to it.

    `changes` is already public (JSON-ready, scrubbed); `unit_id` is the admin unit the subject
    belongs to (`settings.TRAIL_UNIT_MODEL`), None for none; `actor=None` is the system. Appends
    are serialised (a PostgreSQL advisory lock; SQLite has one writer) so two writers never share
    a prev_hash.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_EVENT_LOCK_KEY])
    last = Event.objects.order_by("-seq").values("seq", "hash").first()
    event = Event(
        seq=(last["seq"] + 1) if last else 1,
        at=timezone.now().replace(tzinfo=dt.UTC),
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        unit_id=unit_id,
        actor=actor,
        actor_name=actor.get_username() if actor else SYSTEM_ACTOR,
        action=action,
        changes=changes,
        prev_hash=last["hash"] if last else GENESIS_HASH,
    )
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    DailyHead.objects.update_or_create(
        day=timezone.localdate(event.at), defaults={"seq": event.seq, "hash": event.hash}
    )
    return event
