import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models import AdminUnit


class ElectronicId(models.Model):
    """The code on a plaque (电子身份证). Issued once, never changed, never reused or deleted."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    prefix = models.CharField(_("kind prefix"), max_length=1)
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("admin unit"), on_delete=models.PROTECT, related_name="+"
    )
    serial = models.PositiveSmallIntegerField(_("serial"))
    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of record"), on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(_("record number"))
    subject = GenericForeignKey("subject_type", "subject_id")
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)

    class Meta:
        verbose_name = _("electronic ID")
        verbose_name_plural = _("electronic IDs")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"], name="electronicid_one_per_subject"
            ),
            models.UniqueConstraint(
                fields=["prefix", "unit", "serial"], name="electronicid_unique_serial"
            ),
            models.CheckConstraint(
                name="electronicid_serial_in_range",
                condition=models.Q(serial__gte=1, serial__lte=9999),
            ),
        ]

    def __str__(self) -> str:
        return self.code


class ScanCount(models.Model):
    """How often a code was opened on one day, in SHARDS rows. Nothing about who scanned is kept.

    A plaque scanned by a crowd at once (a village meeting, a share in a WeChat group) would
    queue every request behind one row's lock; each scan adds to one of SHARDS rows chosen at
    random instead, and a day's count is their sum (`qr.selectors.scans_on`).
    """

    SHARDS = 16

    electronic_id = models.ForeignKey(
        ElectronicId,
        verbose_name=_("electronic ID"),
        on_delete=models.PROTECT,
        related_name="scans",
    )
    day = models.DateField(_("day"))
    shard = models.PositiveSmallIntegerField(_("counter"), default=0, editable=False)
    count = models.PositiveIntegerField(_("scans"), default=0)

    class Meta:
        verbose_name = _("scan count")
        verbose_name_plural = _("scan counts")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["electronic_id", "day", "shard"], name="scancount_one_per_day_shard"
            )
        ]

    def __str__(self) -> str:
        return f"{self.electronic_id} {self.day}: {self.count}"


class PlaqueJob(models.Model):
    """A plaque sheet built in the background, so no web worker is held for a large batch."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    codes = models.JSONField(_("codes"), default=list)
    layout = models.PositiveSmallIntegerField(_("plaques per page"), default=4)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(upload_to="plaques/", blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("plaque sheet job")
        verbose_name_plural = _("plaque sheet jobs")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.total} plaques ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100
