"""The records each stage of a small project needs before the next stage opens (DOMAIN.md).

Which records a stage needs, and the rules on them, are in `projects.procedure`; these models
only hold them. Every one is written by a service that logs it on the project's event trail.
"""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from projects.models.projects import Project, Stage
from registry.models.base import TimeStampedModel
from registry.storage import private_storage


class ProjectChild(TimeStampedModel):
    """A record that belongs to a project (its `project` field) and is scoped by its village."""

    class Meta:
        abstract = True

    @property
    def village_id_for_scope(self) -> int | None:
        return self.project.village_id if self.project_id else None


class Deliberation(ProjectChild):
    """One of the five deliberations (五议) that decide a project, with attendance and votes."""

    class Step(models.TextChoices):
        SUGGESTION = "suggestion", _("Suggestions of Party members and villagers (党员群众建议)")
        PROPOSAL = "proposal", _("Proposal of the village Party organisation (村党组织提议)")
        JOINT = "joint", _("Discussion at the joint village affairs meeting (村务联席会议商议)")
        PARTY = "party", _("Review by the Party members' meeting (党员大会审议)")
        RESOLUTION = (
            "resolution",
            _("Resolution of the villagers' representatives (村民代表会议决议)"),
        )

    PUBLIC_FIELDS = (
        "step",
        "held_on",
        "entitled",
        "present",
        "votes_for",
        "votes_against",
        "votes_abstain",
        "public_summary",
    )

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="deliberations"
    )
    step = models.CharField(_("deliberation"), max_length=12, choices=Step.choices)
    held_on = models.DateField(_("held on"))
    entitled = models.PositiveIntegerField(_("members entitled to attend"), null=True, blank=True)
    present = models.PositiveIntegerField(_("members present"), null=True, blank=True)
    votes_for = models.PositiveIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("votes against"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("abstentions"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("deliberation (五议)")
        verbose_name_plural = _("deliberations (五议)")
        ordering = ["project", "held_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "step"], name="one_deliberation_per_step"),
            models.CheckConstraint(
                name="deliberation_present_within_entitled",
                condition=Q(present__isnull=True)
                | Q(entitled__isnull=True)
                | Q(present__lte=F("entitled")),
                violation_error_message=_("More members present than are entitled to attend."),
            ),
        ]

    MEETINGS = frozenset({Step.PROPOSAL, Step.JOINT, Step.PARTY, Step.RESOLUTION})
    VOTES = frozenset({Step.PARTY, Step.RESOLUTION})

    def __str__(self) -> str:
        return f"{self.project} — {self.get_step_display()}"

    @property
    def is_vote(self) -> bool:
        return self.step in self.VOTES

    @property
    def quorate(self) -> bool:
        """Two thirds of the representatives (村民委员会组织法 art. 26), else more than half."""
        if self.step not in self.MEETINGS:
            return True
        if not self.entitled or self.present is None:
            return False
        if self.step == self.Step.RESOLUTION:
            return self.present * 3 >= self.entitled * 2
        return self.present * 2 > self.entitled

    @property
    def passed(self) -> bool:
        """More than half of those present vote for it, at a quorate meeting."""
        if not self.quorate:
            return False
        if not self.is_vote:
            return True
        return self.votes_for is not None and self.votes_for * 2 > (self.present or 0)

    @property
    def public_summary(self) -> str:
        from registry.privacy import scrub

        return scrub(self.summary)


class Disclosure(ProjectChild):
    """One of the two disclosures (两公开): the resolution, then the result of the work."""

    class Kind(models.TextChoices):
        RESOLUTION = "resolution", _("Resolution made public (决议公开)")
        RESULT = "result", _("Result of the work made public (实施结果公开)")

    PUBLIC_FIELDS = ("kind", "published_on", "until", "place")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="disclosures"
    )
    kind = models.CharField(_("disclosure"), max_length=12, choices=Kind.choices)
    published_on = models.DateField(_("published on"))
    until = models.DateField(_("on display until"), null=True, blank=True)
    place = models.CharField(
        _("where published"),
        max_length=200,
        help_text=_("For example the village affairs board (村务公开栏) or the village app."),
    )

    class Meta:
        verbose_name = _("disclosure (两公开)")
        verbose_name_plural = _("disclosures (两公开)")
        ordering = ["project", "published_on"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="one_disclosure_per_kind"),
            models.CheckConstraint(
                name="disclosure_until_after_published",
                condition=Q(until__isnull=True) | Q(until__gte=F("published_on")),
                violation_error_message=_("A disclosure cannot end before it is published."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} — {self.get_kind_display()}"


SUFFIXES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def document_path(instance: "ProjectDocument", filename: str) -> str:
    """A random name with the suffix of the detected type, never the uploader's name or hash."""
    suffix = SUFFIXES.get(instance.content_type, "bin")
    return f"procedure/{instance.project_id}/{uuid.uuid4().hex}.{suffix}"


class ProjectDocument(ProjectChild):
    """A document of the procedure (PDF or image), stored with its SHA-256.

    The file itself is for staff of the project's units: it may carry ID-card and phone
    numbers. The public sees its kind, title, date, size and hash, so a paper copy can be
    checked against the record.
    """

    class Kind(models.TextChoices):
        MINUTES = "minutes", _("Meeting minutes")
        NOTICE = "notice", _("Public notice")
        GUIDANCE = "guidance", _("Budget guidance price document")
        CONTRACT = "contract", _("Contract")
        ACCEPTANCE = "acceptance", _("Acceptance record")
        AUDIT = "audit", _("Settlement audit report")
        OTHER = "other", _("Other")

    PUBLIC_FIELDS = ("stage", "kind", "title", "issued_on", "sha256", "size", "content_type")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="documents"
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    issued_on = models.DateField(_("dated"))
    file = models.FileField(
        _("file"), upload_to=document_path, storage=private_storage, max_length=200
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("file type"), max_length=60)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("procedure document")
        verbose_name_plural = _("procedure documents")
        ordering = ["project", "issued_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def file_is_present(self) -> bool:
        """The stored file is there with its logged size: a cheap check, without reading it."""
        try:
            return self.file.size == self.size
        except OSError:
            return False

    def file_is_intact(self) -> bool:
        """Whether the stored file still has the hash that was logged when it was attached."""
        digest = hashlib.sha256()
        try:
            with self.file.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 16), b""):
                    digest.update(chunk)
        except OSError:
            return False
        return digest.hexdigest() == self.sha256
