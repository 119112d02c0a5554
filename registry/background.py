"""Long work (plaque sheets, imports) runs on the task queue (django-q2), never in a request.

A job is a row of ours (PlaqueJob, ImportJob) with a status its progress page polls, and a
message on the queue naming it. The queue hands a message out again when the worker that took
it died (`JOB_RETRY_SECONDS` later); `claim` then counts the attempt, and after
`JOB_MAX_ATTEMPTS` marks the job failed with the reason instead of running it yet again. So no
job stays "running" for ever once a worker is back.
"""

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_q.tasks import async_task

WORKER_DIED = gettext_noop(
    "The worker stopped while building this (the server was restarted or ran out of memory), "
    "%(attempts)s times; start it again."
)


def enqueue_after_commit(task: str, *args: object) -> None:
    """Put `task` (a dotted path) with `args` on the queue once the current transaction commits,
    so the worker sees the job row it is asked to work on."""
    transaction.on_commit(lambda: async_task(task, *args, task_name=task_name(task, args[0])))


TASK_NAME_MAX = 100  # django-q's Task.name


def task_name(task: str, first: object) -> str:
    """The queue's name of a message: the task and its first argument (a list by its length),
    within the length the queue's result table holds."""
    what = f"{len(first)} items" if isinstance(first, (list, tuple, set)) else str(first)
    name = f"{task}({what})"
    return name if len(name) <= TASK_NAME_MAX else name[: TASK_NAME_MAX - 2] + "…)"


@transaction.atomic
def claim(model: type[models.Model], pk: object) -> models.Model | None:
    """The job, ready to run (status queued, its attempt counted), or None when there is nothing
    to do: it is gone, finished, or failed now because its workers kept dying.

    A job found running was taken by a worker that died: the queue gave its message out again.
    """
    job = model.objects.select_for_update().filter(pk=pk).first()
    if job is None or job.status in (model.Status.DONE, model.Status.FAILED):
        return None
    if job.status == model.Status.RUNNING and job.attempts >= settings.JOB_MAX_ATTEMPTS:
        job.status = model.Status.FAILED
        job.error = _(WORKER_DIED) % {"attempts": job.attempts}
        job.save(update_fields=["status", "error"])
        return None
    job.status = model.Status.QUEUED
    job.attempts += 1
    job.save(update_fields=["status", "attempts"])
    return job
