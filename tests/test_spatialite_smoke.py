"""The embedded path of `make run`: a fresh SpatiaLite file is migrated, loaded and served,
and a served one takes many phones' submissions at once (WAL, a busy timeout, IMMEDIATE)."""

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RENDER_HOME = (
    "from django.test import Client; r = Client().get('/'); "
    "assert r.status_code == 200, r.status_code; "
    "assert 'L.map(' in r.content.decode(); print('home ok')"
)
A_SUPERVISORS_PROJECT = (
    "from projects.models import Project; "
    "print(Project.objects.filter(village__name='东岙村').values_list('pk', flat=True)[0])"
)
COUNT_NOTES = (
    "from fieldapp.models import SupervisorNote; "
    "print(SupervisorNote.objects.filter(text__startswith='同时提交').count())"
)
SUBMISSIONS = 20
PASSWORD = "smoke-password"


def _env(db: Path) -> dict:
    return os.environ | {
        "DATABASE_URL": f"spatialite:///{db}",
        "DEBUG": "true",
        "DEMO_PASSWORD": PASSWORD,
        "MEDIA_ROOT": str(db.parent / "media"),
        "PRIVATE_MEDIA_ROOT": str(db.parent / "private"),
    }


def _manage(db: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env(db),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("spatialite") / "smoke.sqlite3"
    _manage(db, "migrate", "--noinput", "-v0")
    first = _manage(db, "load_demo")
    assert "township" in first
    return db


@pytest.mark.spatialite
def test_spatialite_migrate_load_demo_and_render_home(demo_db):
    assert "already" in _manage(demo_db, "load_demo").lower()
    assert "home ok" in _manage(demo_db, "shell", "-c", RENDER_HOME)
    assert "OK:" in _manage(demo_db, "verify_log")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _logged_in_opener(base: str) -> tuple[urllib.request.OpenerDirector, str]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/field/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    form = {"username": "supervisor", "password": PASSWORD, "csrfmiddlewaretoken": token}
    opener.open(
        urllib.request.Request(
            f"{base}/field/login/",
            data=urllib.parse.urlencode(form).encode(),
            headers={"Referer": f"{base}/field/login/"},
        )
    )
    csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    return opener, csrf


@pytest.mark.spatialite
def test_twenty_phones_submitting_at_once_are_all_stored_without_a_server_error(demo_db):
    project = _manage(demo_db, "shell", "-c", A_SUPERVISORS_PROJECT).strip().splitlines()[-1]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=_env(demo_db),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/field/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        opener, csrf = _logged_in_opener(base)
        start = threading.Barrier(SUBMISSIONS)
        statuses: list[int] = []

        def submit(number: int) -> None:
            body = urllib.parse.urlencode(
                {
                    "client_uuid": str(uuid.uuid4()),
                    "text": f"同时提交 {number}",
                    "public": "on",
                    "csrfmiddlewaretoken": csrf,
                }
            ).encode()
            request = urllib.request.Request(
                f"{base}/field/project/{project}/note/",
                data=body,
                headers={"Accept": "application/json", "Referer": f"{base}/field/"},
            )
            start.wait()
            try:
                with opener.open(request, timeout=60) as response:
                    statuses.append(response.status)
                    json.loads(response.read())
            except urllib.error.HTTPError as exc:
                statuses.append(exc.code)

        threads = [threading.Thread(target=submit, args=(n,)) for n in range(SUBMISSIONS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert sorted(statuses) == [201] * SUBMISSIONS, statuses
    assert _manage(demo_db, "shell", "-c", COUNT_NOTES).strip().splitlines()[-1] == str(SUBMISSIONS)
