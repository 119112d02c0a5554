"""Evaluation on the task queue: after a change (the rules that read what changed, in the
villages it touched) and every night (every rule, everywhere, for the warnings that come from
the calendar going on: arrears, stalled works)."""

import functools
import threading

from django.apps import apps
from django.db import transaction
from django_q.tasks import async_task

from alerts import engine
from alerts.rules import all_rules

_local = threading.local()


@functools.cache
def _readers() -> dict[str, list[str]]:
    readers: dict[str, list[str]] = {}
    for rule in all_rules():
        for label in rule.reads:
            readers.setdefault(label, []).append(rule.code)
    return readers


def rules_reading(label: str) -> list[str]:
    """The codes of the rules that read records of the model `label` ("app.model")."""
    return _readers().get(label, [])


class _Batch:
    """The villages and rules a transaction touched, queued once when it commits."""

    def __init__(self) -> None:
        self.pending: dict[int, set[str]] = {}

    def add(self, village_id: int, codes: list[str]) -> None:
        self.pending.setdefault(village_id, set()).update(codes)

    def flush(self) -> None:
        pending, self.pending = self.pending, {}
        _local.batch = None
        by_rules: dict[tuple[str, ...], list[int]] = {}
        for village, codes in pending.items():
            by_rules.setdefault(tuple(sorted(codes)), []).append(village)
        for codes, villages in by_rules.items():
            async_task(
                "alerts.tasks.evaluate_change",
                sorted(villages),
                list(codes),
                task_name=f"alerts.evaluate({','.join(codes)})",
            )


def changed(village_id: int | None, label: str) -> None:
    """A record of model `label` in `village_id` was written: queue its rules once the
    transaction commits, one message however many records the transaction wrote."""
    codes = rules_reading(label)
    if village_id is None or not codes:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        batch = _Batch()
        batch.add(village_id, codes)
        batch.flush()
        return
    batch = getattr(_local, "batch", None)
    queued = batch is not None and any(
        func == batch.flush for _, func, _ in connection.run_on_commit
    )
    if not queued:
        batch = _Batch()
        _local.batch = batch
        transaction.on_commit(batch.flush)
    batch.add(village_id, codes)


def evaluate_change(village_ids: list[int], codes: list[str]) -> dict:
    """The task a change queues: its rules over its villages."""
    return engine.evaluate_villages(village_ids, codes).__dict__


def nightly() -> dict:
    """The nightly pass on the task queue's schedule: every rule over every village."""
    return engine.evaluate_all().__dict__


def village_of(instance) -> int | None:
    """The village a record belongs to, as its scoping says (None for none)."""
    try:
        return instance.village_id_for_scope
    except (AttributeError, apps.get_model("registry", "AdminUnit").DoesNotExist):
        return None
