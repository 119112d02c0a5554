"""The site as its README serves it, in a process of its own, for browser budgets and benchmarks.

`make_run_server` is what `make run` starts (runserver, DEBUG on); `production_server` is the
README's production setup (collectstatic, then gunicorn with DEBUG off). Both read the database
of the test run, so they serve the data the test put there.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "4", "--threads", "2"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgis://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _environment(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        "LOG_LEVEL": "ERROR",
        **extra,
    }


def wait_until_up(base: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"{base}/log/head", timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{base} did not answer within {seconds} s")


@contextlib.contextmanager
def _serving(command: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@contextlib.contextmanager
def make_run_server() -> Iterator[str]:
    """runserver with DEBUG on, as `make run` starts it."""
    port = free_port()
    command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    with _serving(command, _environment(DEBUG="true"), port) as base:
        yield base


@contextlib.contextmanager
def production_server(static_root: Path) -> Iterator[str]:
    """collectstatic, then gunicorn (4 workers × 2 threads) with DEBUG off, as the README says
    (plain http here: no TLS redirect, no secure-only cookies)."""
    env = _environment(
        DEBUG="false",
        SECRET_KEY="budget-test-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        STATIC_ROOT=str(static_root),
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = free_port()
    with _serving([*GUNICORN, "--bind", f"127.0.0.1:{port}"], env, port) as base:
        yield base
