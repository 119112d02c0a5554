import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from trail.chain import GENESIS_HASH, row_hash
from trail.models import Event

pytestmark = pytest.mark.django_db


def test_verify_log_prints_head_and_count(capsys):
    call_command("verify_log")
    out = capsys.readouterr().out
    last = Event.objects.latest("seq")
    assert f"{Event.objects.count()} events" in out
    assert last.hash in out


def test_each_row_hashes_its_content_and_the_previous_hash():
    first, second = Event.objects.order_by("seq")[:2]
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert row_hash(second.as_chain_row()) == second.hash


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostGIS-only")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE trail_event SET action = 'update' WHERE seq = 1",
        "DELETE FROM trail_event WHERE seq = 1",
    ],
)
def test_the_database_refuses_to_update_or_delete_events(sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)


def _tamper(sql: str, params: list) -> None:
    """What an attacker with the table owner's rights could do behind the application's back."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE trail_event DISABLE TRIGGER trail_event_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE trail_event ENABLE TRIGGER trail_event_append_only")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="uses the PostGIS trigger")
def test_verify_log_names_a_tampered_row():
    target = Event.objects.order_by("seq")[5]
    _tamper(
        "UPDATE trail_event SET changes = %s::jsonb WHERE seq = %s",
        ['{"name": "forged"}', target.seq],
    )
    with pytest.raises(CommandError, match=f"event {target.seq}: the row's content"):
        call_command("verify_log")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="uses the PostGIS trigger")
def test_verify_log_notices_a_deleted_row():
    target = Event.objects.order_by("seq")[3]
    _tamper("DELETE FROM trail_event WHERE seq = %s", [target.seq])
    with pytest.raises(CommandError, match=f"event {target.seq + 1}: sequence jumps"):
        call_command("verify_log")
