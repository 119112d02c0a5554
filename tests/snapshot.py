"""The demo database copied table by table, so a browser test gets the demo back in a second.

Browser tests run against a live server, so they cannot sit inside a rolled-back transaction:
pytest-django empties the database after each of them. Replaying the demo through the services
takes about half a minute on PostGIS; copying the rows back with PostgreSQL's COPY takes about a
second. On any other database `restore` answers False and the caller replays the demo.
"""

from io import BytesIO

from django.db import connection

SKIPPED = {"spatial_ref_sys", "django_migrations"}

SEQUENCES = """
SELECT t.relname, a.attname
FROM pg_class s
JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
WHERE s.relkind = 'S' AND t.relnamespace = 'public'::regnamespace
"""

_tables: dict[str, bytes] = {}


def _table_names() -> list[str]:
    return [name for name in connection.introspection.table_names() if name not in SKIPPED]


def take() -> None:
    """Copy every table's rows into memory (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    _tables.clear()
    with connection.cursor() as cursor:
        for name in _table_names():
            buffer = BytesIO()
            cursor.copy_expert(f'COPY "{name}" TO STDOUT WITH (FORMAT binary)', buffer)
            _tables[name] = buffer.getvalue()


def restore() -> bool:
    """Put the copied rows back in place of whatever the tables hold; False if nothing was taken.

    Triggers and foreign-key checks are off while the rows go in (`session_replication_role`), as
    in a pg_restore of data: the rows were consistent when they were copied.
    """
    if not _tables:
        return False
    quoted = ", ".join(f'"{name}"' for name in _tables)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
            for name, rows in _tables.items():
                cursor.copy_expert(f'COPY "{name}" FROM STDIN WITH (FORMAT binary)', BytesIO(rows))
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute(SEQUENCES)
        for table, column in cursor.fetchall():
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                f'COALESCE(MAX("{column}"), 1), MAX("{column}") IS NOT NULL) FROM "{table}"',
                [f'"{table}"', column],
            )
    return True
