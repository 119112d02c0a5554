"""Long work on the real task queue: a worker killed with SIGKILL mid-job leaves no job running
for ever. Its message is handed out again, and the job is either built by the next worker or,
after JOB_MAX_ATTEMPTS, failed with the reason. Real `manage.py qcluster` processes, no mocks."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django_q.tasks import async_task

from qr.models import ElectronicId, PlaqueJob
from tests.conftest import demo_back

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT, RETRY = 8, 10  # seconds: a job may run 8 s; a dead worker's message returns after 10


def start_cluster(**env: str) -> subprocess.Popen:
    database = settings.DATABASES["default"]
    url = f"postgis://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "JOB_TIMEOUT_SECONDS": str(TIMEOUT),
        "JOB_RETRY_SECONDS": str(RETRY),
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=environment,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill(cluster: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(cluster.pid, signal.SIGKILL)
    cluster.wait(timeout=10)


def wait_for(job: PlaqueJob, *statuses: str, seconds: float) -> PlaqueJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in statuses:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job still {job.status} after {seconds} s, not {statuses}")


@pytest.fixture
def big_job(transactional_db):
    demo_back()
    codes = sorted(ElectronicId.objects.values_list("code", flat=True))
    assert len(codes) > 300  # long enough to be killed in the middle
    job = PlaqueJob.objects.create(codes=codes, layout=1, total=len(codes))
    async_task("qr.services.plaque_job_task", str(job.pk))
    return job


def run_and_kill(job: PlaqueJob, **env: str) -> None:
    first = start_cluster(**env)
    try:
        wait_for(job, "running", seconds=30)
    finally:
        kill(first)
    job.refresh_from_db()
    assert job.status == "running"  # what the dead worker left behind
    assert job.done < job.total


def test_a_job_whose_worker_is_killed_is_built_by_the_next_worker(big_job):
    run_and_kill(big_job)
    second = start_cluster()
    try:
        job = wait_for(big_job, "done", "failed", seconds=RETRY + 40)
    finally:
        kill(second)
    assert (job.status, job.attempts, job.error) == ("done", 2, "")
    assert job.done == job.total
    assert Path(job.file.path).read_bytes().startswith(b"%PDF")


def test_a_job_whose_workers_keep_dying_fails_with_the_reason(big_job):
    run_and_kill(big_job, JOB_MAX_ATTEMPTS="1")
    second = start_cluster(JOB_MAX_ATTEMPTS="1")
    try:
        job = wait_for(big_job, "done", "failed", seconds=RETRY + 40)
    finally:
        kill(second)
    assert (job.status, job.attempts) == ("failed", 1)
    assert "worker stopped" in job.error or "进程" in job.error
