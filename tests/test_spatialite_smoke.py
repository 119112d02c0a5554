"""The embedded path of `make run`: a fresh SpatiaLite file is migrated, loaded and served."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RENDER_HOME = (
    "from django.test import Client; r = Client().get('/'); "
    "assert r.status_code == 200, r.status_code; "
    "assert 'L.map(' in r.content.decode(); print('home ok')"
)


def _manage(db: Path, *args: str) -> str:
    env = os.environ | {"DATABASE_URL": f"spatialite:///{db}", "DEBUG": "true"}
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.mark.spatialite
def test_spatialite_migrate_load_demo_and_render_home(tmp_path):
    db = tmp_path / "smoke.sqlite3"
    _manage(db, "migrate", "--noinput", "-v0")
    first = _manage(db, "load_demo")
    assert "township" in first
    assert "already" in _manage(db, "load_demo").lower()
    assert "home ok" in _manage(db, "shell", "-c", RENDER_HOME)
    assert "OK:" in _manage(db, "verify_log")
