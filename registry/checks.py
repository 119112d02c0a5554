"""A database made by an older layout of the project is named as such, with how to start afresh.

Issue 12 moved the models into one app per domain and began the migrations anew. A database
migrated before that records migrations that no longer exist; `migrate` would otherwise stop
with a traceback half-way or build new tables beside the old ones. This check runs with
`migrate` (Django runs the checks tagged `database` there) and stops it with a plain message.
"""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.db.utils import DatabaseError


def _local_labels() -> set[str]:
    """The labels of this project's own apps (their code is under BASE_DIR)."""
    base = Path(settings.BASE_DIR).resolve()
    return {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base)
    }


def stale_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[tuple[str, str]]:
    """Applied migrations of our apps that no longer exist on disk, as (app label, name)."""
    connection = connections[alias]
    try:
        loader = MigrationLoader(connection, ignore_no_migrations=True)
        applied = set(loader.applied_migrations)
    except DatabaseError:
        return []  # no database yet, or no migrations table: a fresh start
    labels = _local_labels()
    return sorted(key for key in applied if key[0] in labels and key not in loader.disk_migrations)


@checks.register(checks.Tags.database)
def older_layout(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    for alias in databases or ():
        stale = stale_migrations(alias)
        if not stale:
            continue
        name = connections[alias].settings_dict.get("NAME")
        shown = ", ".join(f"{app}.{migration}" for app, migration in stale[:3])
        errors.append(
            checks.Error(
                f"The database {name} comes from an older layout of Qinglian: it records "
                f"migrations that no longer exist ({shown}{', ...' if len(stale) > 3 else ''}).",
                hint=(
                    "Start afresh: stop the server, move the old database aside "
                    f"(mv {name} {name}.old) and run `make run` again, which makes a new one "
                    "and loads the demo. For PostgreSQL, drop and re-create the database."
                ),
                id="registry.E001",
            )
        )
    return errors
