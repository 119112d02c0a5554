"""Field work on site: checklists, inspections, follow-ups, photos and supervisor notes.

Every row a phone sends carries the phone's own UUID (`client_uuid`): the server stores a
submission once however often a flaky connection replays it.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import Stage
from registry.models import AdminUnit, TimeStampedModel
from registry.storage import PrivateStorage


class SubjectMixin(models.Model):
    """What a field record is about: an asset or a project, and the village that scopes it."""

    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of record"), on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(_("record number"))
    subject = GenericForeignKey("subject_type", "subject_id")
    village = models.ForeignKey(
        AdminUnit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def village_id_for_scope(self) -> int:
        return self.village_id


class Checklist(TimeStampedModel):
    """A list of checks defined by staff, chosen by the subject's kind and a project's stage."""

    class SubjectKind(models.TextChoices):
        BUILDING = "building", _("Building")
        PARCEL = "parcel", _("Land parcel")
        FACILITY = "facility", _("Facility")
        PROJECT = "project", _("Small project")

    name = models.CharField(_("name"), max_length=120)
    subject_kind = models.CharField(_("for"), max_length=10, choices=SubjectKind.choices)
    stage = models.CharField(
        _("project stage"),
        max_length=12,
        choices=Stage.choices,
        blank=True,
        help_text=_("For projects: the stage this checklist is for; empty for every stage."),
    )
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["subject_kind", "stage", "name"]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    class AnswerType(models.TextChoices):
        YES_NO = "yes_no", _("Yes / no / not applicable")
        NUMBER = "number", _("Number")
        TEXT = "text", _("Text")
        PHOTO = "photo", _("Photo")

    checklist = models.ForeignKey(
        Checklist, verbose_name=_("checklist"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("check"), max_length=300)
    answer_type = models.CharField(
        _("answer"), max_length=8, choices=AnswerType.choices, default=AnswerType.YES_NO
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    mandatory = models.BooleanField(_("mandatory"), default=True)
    minimum = models.DecimalField(
        _("lowest passing number"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["checklist", "position"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "position"], name="item_unique_position")
        ]

    def __str__(self) -> str:
        return self.text


class PhoneTimed(models.Model):
    """When a field record was made on the phone, beside `created`, when the server received
    it (an offline phone sends its work later). `clock_note` says why the phone's clock is
    doubted (ahead of the server, or behind the photo's own EXIF time); empty when it is not."""

    made_at = models.DateTimeField(_("made on the phone at"), null=True, blank=True)
    clock_note = models.CharField(_("phone clock doubted"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def when(self):
        """The time the record shows: when it was made, unless the phone's clock is doubted
        or unknown; then when it was received."""
        return self.made_at if self.made_at and not self.clock_note else self.created


class Inspection(SubjectMixin, PhoneTimed, TimeStampedModel):
    client_uuid = models.UUIDField(_("submission id"), unique=True)
    checklist = models.ForeignKey(
        Checklist, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="+"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    inspected_at = models.DateTimeField(_("inspected at"))
    location = models.PointField(_("where (GPS)"), srid=4326, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    failed_count = models.PositiveSmallIntegerField(_("failed checks"), default=0)
    conflict = models.TextField(_("conflict"), blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_at"]

    def __str__(self) -> str:
        return f"{self.checklist} {self.inspected_at:%Y-%m-%d}"

    @property
    def when(self):
        """When it was inspected: the phone's time if trusted, else the receipt's (the service
        sets `inspected_at` so)."""
        return self.inspected_at


class Answer(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("check"), on_delete=models.PROTECT, related_name="+"
    )
    yes = models.BooleanField(_("yes"), null=True)
    number = models.DecimalField(_("number"), max_digits=12, decimal_places=2, null=True)
    text = models.TextField(_("text"), blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    failed = models.BooleanField(_("failed"), default=False)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["item__position"]


class FollowUp(SubjectMixin, TimeStampedModel):
    """A failed check, open on "my work" until closed with evidence."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("check"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=6, choices=Status.choices, default=Status.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["status", "due_on"]
        constraints = [
            models.CheckConstraint(
                name="followup_closed_has_evidence",
                condition=Q(status="open") | ~Q(evidence=""),
            )
        ]

    @property
    def is_overdue(self) -> bool:
        """Open past its due date, by the local calendar (Asia/Shanghai)."""
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()

    def __str__(self) -> str:
        return str(self.item)


class Photo(SubjectMixin, PhoneTimed, TimeStampedModel):
    """A photo from the field. The original (with the phone's EXIF: position, device) is kept
    under PRIVATE_MEDIA_ROOT, never served; the public copy and thumbnail are pixels only."""

    class Purpose(models.TextChoices):
        PROGRESS = "progress", _("Progress")
        INSPECTION = "inspection", _("Inspection")
        EVIDENCE = "evidence", _("Evidence of rectification")
        NOTE = "note", _("Supervisor note")

    client_uuid = models.UUIDField(_("submission id"), unique=True)
    sha256 = models.CharField(_("checksum"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.CharField(_("photo of"), max_length=10, choices=Purpose.choices)
    original = models.FileField(
        _("original"), upload_to="photos/original/%Y/%m/", storage=PrivateStorage()
    )
    public_image = models.ImageField(_("public copy"), upload_to="photos/public/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="photos/thumb/%Y/%m/")
    width = models.PositiveIntegerField(_("width (px)"))
    height = models.PositiveIntegerField(_("height (px)"))
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    location = models.PointField(_("where (EXIF GPS)"), srid=4326, null=True, blank=True)
    distance_m = models.FloatField(_("distance from the site (m)"), null=True, blank=True)
    off_site = models.BooleanField(_("taken away from the site"), default=False)
    public = models.BooleanField(_("public"), default=True)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="photos",
    )
    follow_up = models.ForeignKey(
        FollowUp,
        verbose_name=_("follow-up"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="photos",
    )

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.created:%Y-%m-%d}"


class SupervisorNote(SubjectMixin, PhoneTimed, TimeStampedModel):
    client_uuid = models.UUIDField(_("submission id"), unique=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("note"))
    public = models.BooleanField(_("public"), default=False)

    class Meta:
        verbose_name = _("supervisor note")
        verbose_name_plural = _("supervisor notes")
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.text[:40]


class ProgressReport(SubjectMixin, PhoneTimed, TimeStampedModel):
    """A project's progress and stage as reported from the site."""

    client_uuid = models.UUIDField(_("submission id"), unique=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    stage_seen = models.CharField(_("stage on the phone"), max_length=12, choices=Stage.choices)
    advance_to = models.CharField(_("advance to"), max_length=12, choices=Stage.choices, blank=True)
    conflict = models.TextField(_("conflict"), blank=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                name="progressreport_percent", condition=Q(percent__gte=0, percent__lte=100)
            )
        ]

    def __str__(self) -> str:
        return f"{self.percent}%"
