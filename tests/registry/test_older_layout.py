"""A database made before the one-app-per-domain layout (issue 12) stops `migrate` with a plain
message that says how to start afresh, never a traceback or new tables beside the old ones."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection

from registry.checks import older_layout

ROOT = Path(__file__).resolve().parents[2]
OLD_MIGRATIONS = [
    ("registry", "0001_initial"),
    ("registry", "0011_sync_role_permissions_from_roles"),
    ("qlgis", "0002_job_attempts"),
]


@pytest.mark.django_db
def test_a_current_database_passes():
    assert older_layout(databases=["default"]) == []


@pytest.mark.django_db
def test_migrate_on_an_older_layout_names_it_and_how_to_start_afresh():
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, now())",
            ["registry", "0011_sync_role_permissions_from_roles"],
        )
    [error] = older_layout(databases=["default"])
    assert "older layout" in error.msg
    assert "registry.0011_sync_role_permissions_from_roles" in error.msg
    assert "make run" in error.hint
    with pytest.raises(SystemCheckError, match="older layout"):
        call_command("migrate", verbosity=0, interactive=False, skip_checks=False)


def test_make_run_on_an_old_spatialite_file_says_so_plainly(tmp_path):
    database = tmp_path / "qinglian.sqlite3"
    with sqlite3.connect(database) as old:
        old.execute(
            "CREATE TABLE django_migrations (id integer PRIMARY KEY AUTOINCREMENT, "
            "app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied datetime NOT NULL)"
        )
        old.executemany(
            "INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, '2026-09-01')",
            OLD_MIGRATIONS,
        )
    env = os.environ | {"DATABASE_URL": f"spatialite:///{database}"}
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "older layout of Qinglian" in result.stderr
    assert f"mv {database} {database}.old" in result.stderr
    with sqlite3.connect(database) as after:
        tables = {row[0] for row in after.execute("SELECT name FROM sqlite_master")}
    assert not any(name.startswith("trail_") for name in tables)  # nothing built beside
