"""Background imports: an uploaded file checked and applied outside the web request."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from registry.models import AdminUnit


class ImportStorage(FileSystemStorage):
    """Uploads kept off MEDIA_URL: they may carry restricted columns such as book values.

    The folder is IMPORT_ROOT, by default `imports/` beside MEDIA_ROOT; it follows MEDIA_ROOT
    when a test overrides it.
    """

    @cached_property
    def base_location(self) -> str:
        root = settings.IMPORT_ROOT
        return str(root or Path(settings.MEDIA_ROOT).parent / "imports")


import_storage = ImportStorage()


def upload_path(job: "ImportJob", filename: str) -> str:
    return f"{job.pk}/{Path(filename).name}"


class ImportJob(models.Model):
    """One uploaded file, its dry run and (once a person confirms) its import.

    The work runs in a `manage.py import_assets --job` process so a large file never holds a
    web worker; the report of the last run is kept as JSON for the progress page.
    """

    class Action(models.TextChoices):
        CHECK = "check", _("Check (dry run)")
        APPLY = "apply", _("Import")

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("import job", "Queued")
        RUNNING = "running", pgettext_lazy("import job", "Running")
        DONE = "done", pgettext_lazy("import job", "Done")
        FAILED = "failed", pgettext_lazy("import job", "Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    village = models.ForeignKey(
        AdminUnit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    default_kind = models.CharField(
        _("kind, for rows that do not give one"), max_length=10, blank=True
    )
    srid = models.PositiveIntegerField(_("coordinate system (EPSG)"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    file = models.FileField(_("file"), upload_to=upload_path, storage=import_storage, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    action = models.CharField(
        _("action"), max_length=5, choices=Action.choices, default=Action.CHECK
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    # The person's own reading of the file's columns after a dry run: column name -> field
    # (transfer.importers.FIELD_ALIASES), "" to leave a column out. Others are read by name.
    columns = models.JSONField(_("column choices"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.file_name} → {self.village} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 100

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def can_remap(self) -> bool:
        """A finished dry run whose columns the person may read differently and check again."""
        return (
            self.action == self.Action.CHECK
            and self.status == self.Status.DONE
            and not self.report.get("refused")
            and bool(self.report.get("layers"))
        )

    @property
    def can_apply(self) -> bool:
        """A finished dry run that found rows to import, and no import of it yet."""
        return (
            self.action == self.Action.CHECK
            and self.status == self.Status.DONE
            and not self.report.get("refused")
            and self.report.get("accepted", 0) > 0
        )
