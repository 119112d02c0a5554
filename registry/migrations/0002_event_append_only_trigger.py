"""Make the public event log append-only in the database itself (PostGIS only).

Application code never updates or deletes events; this trigger makes sure nobody else does
either, short of disabling it as the table owner, which verify_log would then reveal.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION registry_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'registry_event is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER registry_event_append_only
    BEFORE UPDATE OR DELETE ON registry_event
    FOR EACH ROW EXECUTE FUNCTION registry_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS registry_event_append_only ON registry_event;
DROP FUNCTION IF EXISTS registry_event_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(create_trigger, drop_trigger)]
