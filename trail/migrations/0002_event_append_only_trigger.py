"""Make the public event log append-only in the database itself (PostGIS only).

Application code never updates or deletes events; this trigger makes sure nobody else does
either, short of disabling it as the table owner, which verify_log would then reveal.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION trail_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'trail_event is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER trail_event_append_only
    BEFORE UPDATE OR DELETE ON trail_event
    FOR EACH ROW EXECUTE FUNCTION trail_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS trail_event_append_only ON trail_event;
DROP FUNCTION IF EXISTS trail_event_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("trail", "0001_initial")]
    operations = [migrations.RunPython(create_trigger, drop_trigger)]
