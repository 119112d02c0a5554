from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from trail.chain import GENESIS_HASH, row_hash

__all__ = ["GENESIS_HASH", "Event"]


class Event(models.Model):
    """One row of the append-only public log. Written only by `trail.services.append_event`.

    On PostGIS a trigger refuses UPDATE and DELETE of this table. `unit` is the admin unit the
    subject belongs to, in the model `settings.TRAIL_UNIT_MODEL` names (like `AUTH_USER_MODEL`),
    so the log knows no model of the record; that model has a `code` (the GB/T 2260 division
    code) and a `name`.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        RETIRE = "retire", _("Retired")
        PAYMENT = "payment", _("Payment recorded")
        ISSUE = "issue", _("Electronic ID issued")
        INSPECT = "inspect", _("Inspected")
        PHOTO = "photo", _("Photo added")
        NOTE = "note", _("Supervisor note")
        PROGRESS = "progress", _("Progress reported")
        RECTIFIED = "rectified", _("Problem rectified")
        STAGE = "stage", _("Stage reached")
        DELIBERATE = "deliberation", _("Deliberation recorded")
        DISCLOSE = "disclosure", _("Made public")
        ATTACH = "document", _("Document attached")
        ANNOUNCE = "announce", _("Auction announced")
        BID = "bid", _("Bid recorded")
        AWARD = "award", _("Auction result")
        RENEW = "renew", _("Lease renewed")
        SUBLET = "sublet", _("Sublet declared")
        REPORT = "report", _("Report received")
        CASE = "case", _("Case moved on")
        WARNING = "warning", _("Warning handled")
        SUBMIT = "submit", _("Submitted for approval")
        APPROVE = "approve", _("Approval step")
        PAID = "paid", _("Paid by bank transfer")
        PUBLISH = "publish", _("Published")
        QUESTION = "question", _("Question on a disclosure")

    seq = models.PositiveBigIntegerField(_("sequence"), primary_key=True)
    at = models.DateTimeField(_("time"))
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    unit = models.ForeignKey(
        settings.TRAIL_UNIT_MODEL,
        verbose_name=_("admin unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    changes = models.JSONField(_("public changes"), default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("event log")
        ordering = ["seq"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.subject_label} {self.action}"

    @property
    def subject_label(self) -> str:
        return f"{self.subject_type.app_label}.{self.subject_type.model}:{self.subject_id}"

    def as_chain_row(self, subject_label: str | None = None) -> dict:
        """The fields the hash covers, in the form the hash is computed over."""
        return {
            "seq": self.seq,
            "at": self.at.isoformat(timespec="microseconds").replace("+00:00", "Z"),
            "subject": subject_label or self.subject_label,
            "actor": self.actor_name,
            "action": self.action,
            "changes": self.changes,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }

    def compute_hash(self, subject_label: str | None = None) -> str:
        return row_hash(self.as_chain_row(subject_label))


class DailyHead(models.Model):
    """The last hash of each day, kept so a history rewritten later shows against it."""

    day = models.DateField(_("day"), unique=True)
    seq = models.PositiveBigIntegerField(_("sequence"))
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("daily head")
        verbose_name_plural = _("daily heads")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day} #{self.seq}"
