"""Village supervision: liaison stations, villagers' reports followed as cases to rectification,
and inspection tours (巡察).

A report (线索) is a `Case` from the moment it is sent. Its current state is a column and every
state it passed through is a `CaseState` row with who, when and why (as Amsterdam's `signals`).
What identifies a reporter lives in `ReporterContact`, a table of its own behind its own
permission, wiped a year after the case closes; an anonymous report has none, and nothing else
about its sender (address, browser, photo metadata) is stored anywhere.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from registry.models import AdminUnit, TimeStampedModel
from registry.storage import PrivateStorage


class Station(TimeStampedModel):
    """A village's supervision liaison station (村（社）监察工作联络站). Its members are the users
    with the village supervisor role whose units cover the village; the head is one of them."""

    PUBLIC_FIELDS = ("name", "village", "office_phone", "place", "office_hours")

    village = models.OneToOneField(
        AdminUnit,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="station",
        limit_choices_to={"level": AdminUnit.Level.VILLAGE},
    )
    name = models.CharField(_("name"), max_length=120)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("head (站长)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    office_phone = models.CharField(
        _("office phone"),
        max_length=20,
        blank=True,
        help_text=_("The station's public office line, never a member's own mobile."),
    )
    place = models.CharField(_("office place"), max_length=200, blank=True)
    office_hours = models.CharField(_("office hours"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("supervision liaison station")
        verbose_name_plural = _("supervision liaison stations")
        ordering = ["village__code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("supervision:station-detail", args=[self.village.code])


class Category(models.Model):
    """What a report is about (a configurable list), with the time allowed to handle it and
    whether it goes straight to the township discipline office."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("name in English"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    days_allowed = models.PositiveSmallIntegerField(
        _("days allowed"), default=15, help_text=_("From receipt to closing.")
    )
    working_days = models.BooleanField(
        _("in working days"),
        default=True,
        help_text=_("Working days follow China's official holidays and make-up working days."),
    )
    to_township = models.BooleanField(_("goes to the township discipline office"), default=False)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("report category")
        verbose_name_plural = _("report categories")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(days_allowed__gte=1), name="category_days_allowed")
        ]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class State(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("case state", "Received")
    ACCEPTED = "accepted", pgettext_lazy("case state", "Accepted")
    DECLINED = "declined", pgettext_lazy("case state", "Declined")
    VERIFYING = "verifying", pgettext_lazy("case state", "Under verification")
    FOUND = "found", pgettext_lazy("case state", "Problem found")
    NOT_FOUND = "not_found", pgettext_lazy("case state", "No problem found")
    ORDERED = "ordered", pgettext_lazy("case state", "Rectification ordered")
    RECTIFIED = "rectified", pgettext_lazy("case state", "Rectified")
    CLOSED = "closed", pgettext_lazy("case state", "Closed")
    REOPEN_ASKED = "reopen_asked", pgettext_lazy("case state", "Reporter not satisfied")
    MERGED = "merged", pgettext_lazy("case state", "Merged into another case")


# States in which nobody has work to do on the case (its deadline no longer runs).
RESTING = frozenset({State.DECLINED, State.CLOSED, State.MERGED})


class Case(TimeStampedModel):
    """A villager's report and its handling. `text` is what the reporter wrote and is never
    changed; the public sees `public_text` (a redacted version staff publish, or nothing) and
    `outcome`, the summary staff write for the public."""

    PUBLIC_FIELDS = (
        "category",
        "village",
        "state",
        "subject_code",
        "due_on",
        "rectify_by",
        "public_text",
        "outcome",
    )

    class Identity(models.TextChoices):
        NAMED = "named", _("Named")
        CONFIDENTIAL = "confidential", _("Confidential")
        ANONYMOUS = "anonymous", _("Anonymous")

    class Route(models.TextChoices):
        STATION = "station", _("Village liaison station")
        TOWNSHIP = "township", _("Township discipline office")

    class Source(models.TextChoices):
        VILLAGER = "villager", _("Villager's report")
        TOUR = "tour", _("Inspection tour finding")
        WARNING = "warning", _("Warning from the data")

    submission = models.CharField(
        _("submission"),
        max_length=64,
        unique=True,
        help_text=_("A keyed hash of the client's submission id: a resent form finds its case."),
    )
    receipt_hash = models.CharField(_("receipt (hashed)"), max_length=64, unique=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.VILLAGER
    )
    identity = models.CharField(_("identity"), max_length=12, choices=Identity.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="cases"
    )
    village = models.ForeignKey(
        AdminUnit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    subject_code = models.CharField(_("electronic ID"), max_length=20, blank=True)
    subject_name = models.CharField(_("about"), max_length=200, blank=True)
    location = models.PointField(_("where"), srid=4326, null=True, blank=True)
    text = models.TextField(_("report as sent"))
    about_cadre = models.BooleanField(_("about a station member or village cadre"), default=False)
    about_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("station member named"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    route = models.CharField(_("handled by"), max_length=10, choices=Route.choices)
    state = models.CharField(
        _("state"), max_length=14, choices=State.choices, default=State.RECEIVED
    )
    due_on = models.DateField(_("to be closed by"))
    rectify_by = models.DateField(_("rectify by"), null=True, blank=True)
    rectify_who = models.CharField(_("who rectifies"), max_length=200, blank=True)
    escalated = models.BooleanField(_("escalated to the township"), default=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_cases",
    )
    public_text = models.TextField(_("published text (redacted)"), blank=True)
    outcome = models.TextField(_("outcome for the public"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created"]
        indexes = [models.Index(fields=["state", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(state="merged"),
                name="case_merged_has_state",
            )
        ]

    def __str__(self) -> str:
        return f"{_('Case')} {self.reference}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:case-detail", args=[self.pk])

    @property
    def reference(self) -> str:
        """The public number: year and id (the id says nothing about the reporter)."""
        return f"{self.created:%Y}-{self.pk:05d}" if self.pk and self.created else ""

    @property
    def is_resting(self) -> bool:
        return self.state in RESTING


class CaseState(models.Model):
    """One state a case entered: who moved it, when and why. Never changed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="states")
    state = models.CharField(_("state"), max_length=14, choices=State.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the reporter (by receipt code) or the system."),
    )
    by_reporter = models.BooleanField(_("by the reporter"), default=False)
    reason = models.TextField(_("reason"), blank=True)
    client_uuid = models.UUIDField(_("submission id"), null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("case state")
        verbose_name_plural = _("case states")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.get_state_display()


class ReporterContact(TimeStampedModel):
    """How to reach a named or confidential reporter. Only the station head and the township
    discipline office see a confidential one (`registry.roles.Task.SEE_CONTACTS`); wiped a year
    after the case closes (`manage.py wipe_contacts`, run daily by the task queue)."""

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="contact"
    )
    name = models.CharField(_("full name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("reporter's contact")
        verbose_name_plural = _("reporters' contacts")

    def __str__(self) -> str:
        return self.case.reference


class CasePhoto(TimeStampedModel):
    """A photo of a case: the reporter's, or evidence from verification or rectification. Only
    the re-encoded pixels are kept, never the file as sent (its metadata names the phone).
    Kept in PRIVATE_MEDIA_ROOT: handlers see them through a checked view, the public only
    those staff publish (`published`)."""

    class Purpose(models.TextChoices):
        REPORT = "report", _("From the reporter")
        VERIFY = "verify", _("Verification on site")
        RECTIFIED = "rectified", _("Rectification evidence")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    image = models.ImageField(_("photo"), upload_to="cases/%Y/%m/", storage=PrivateStorage())
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to="cases/%Y/%m/", storage=PrivateStorage()
    )
    location = models.PointField(_("where taken (GPS)"), srid=4326, null=True, blank=True)
    distance_m = models.FloatField(_("distance from the subject (m)"), null=True, blank=True)
    published = models.BooleanField(_("shown to the public"), default=False)
    client_uuid = models.UUIDField(_("submission id"), null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("case photo")
        verbose_name_plural = _("case photos")
        ordering = ["created", "pk"]


class CaseMessage(TimeStampedModel):
    """A question to the reporter, their answer, or information they add (FixMyStreet's
    "was it fixed?" too). Read by the reporter with the receipt code, and by the handlers."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question to the reporter")
        ANSWER = "answer", _("Reporter's answer")
        ADDED = "added", _("Information added by the reporter")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    client_uuid = models.UUIDField(_("submission id"), null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created", "pk"]


class RectificationTask(TimeStampedModel):
    """One thing to put right, with who does it and by when."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    text = models.CharField(_("what"), max_length=300)
    who = models.CharField(_("who"), max_length=120)
    due_on = models.DateField(_("by"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    client_uuid = models.UUIDField(_("submission id"), null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("rectification task")
        verbose_name_plural = _("rectification tasks")
        ordering = ["due_on", "pk"]


class TourArea(models.Model):
    """An area of an inspection tour's checklist (巡察 "三个聚焦" 细化清单: 11 areas)."""

    position = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("area"), max_length=200)
    sample = models.BooleanField(
        _("sample entry"),
        default=False,
        help_text=_("Shipped as an example, not the official list: replace it."),
    )

    class Meta:
        verbose_name = _("tour area")
        verbose_name_plural = _("tour areas")
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


class ProblemForm(models.Model):
    """A form a problem takes within an area (62 in all in the official list)."""

    area = models.ForeignKey(TourArea, on_delete=models.CASCADE, related_name="forms")
    position = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("problem form"), max_length=300)
    sample = models.BooleanField(_("sample entry"), default=False)

    class Meta:
        verbose_name = _("problem form")
        verbose_name_plural = _("problem forms")
        ordering = ["area__position", "position"]

    def __str__(self) -> str:
        return self.text


class Tour(TimeStampedModel):
    """An inspection tour of a village's party organisation: where, when, by whom."""

    PUBLIC_FIELDS = ("village", "starts_on", "ends_on", "team")

    village = models.ForeignKey(
        AdminUnit,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": AdminUnit.Level.VILLAGE},
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    team = models.CharField(_("team"), max_length=300)

    class Meta:
        verbose_name = _("inspection tour")
        verbose_name_plural = _("inspection tours")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="tour_dates"
            )
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.starts_on:%Y-%m-%d}"


class Finding(TimeStampedModel):
    """A problem a tour found; each opens a case, handled like a villager's report."""

    tour = models.ForeignKey(Tour, on_delete=models.CASCADE, related_name="findings")
    form = models.ForeignKey(
        ProblemForm, verbose_name=_("problem form"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("what was found"))
    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="finding"
    )

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return f"{self.form} · {self.tour}"
