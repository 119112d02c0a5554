"""Saves and deletions of the records the rules read queue their evaluation."""

from django.db.models.signals import post_delete, post_save

from alerts import tasks


def record_written(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    label = sender._meta.label_lower
    if tasks.rules_reading(label):
        tasks.changed(tasks.village_of(instance), label)


def connect() -> None:
    post_save.connect(record_written, dispatch_uid="alerts-record-saved")
    post_delete.connect(record_written, dispatch_uid="alerts-record-deleted")
