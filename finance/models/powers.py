"""The village power list (村级小微权力清单): what a village may decide, who decides it and by which
steps, and the risk points of each post (廉政风险点).

Rui'an's official 36 items are not in our sources; the demo ships the structure with a clearly
marked sample (`sample=True`), which staff replace in the admin.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from registry.models import AdminUnit
from registry.models.base import TimeStampedModel


class PowerItem(TimeStampedModel):
    """One item of the power list: an area, what is decided, who decides, and its steps."""

    class Area(models.TextChoices):
        DECISIONS = "decisions", _("Major village decisions (重大事项决策)")
        PROJECTS = "projects", _("Works projects (工程项目)")
        PURCHASES = "purchases", _("Purchases and services (物资服务采购)")
        ASSETS = "assets", _("Collective assets and resources (三资管理)")
        MONEY = "money", _("Village money (财务管理)")
        VILLAGERS = "villagers", _("Services to villagers (便民服务)")
        PARTY = "party", _("Party affairs (党务)")

    class AppliesTo(models.TextChoices):
        """The records that follow this item unless a record names another."""

        NONE = "", _("—")
        PROJECT = "project", _("small projects")
        LEASE = "lease", _("leases")
        AUCTION = "auction", _("auctions")
        PAYMENT = "payment", _("payment requests")

    PUBLIC_FIELDS = ("number", "area", "title", "decider", "basis", "description", "sample")

    number = models.PositiveSmallIntegerField(
        _("number"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    area = models.CharField(_("area"), max_length=12, choices=Area.choices)
    title = models.CharField(_("item"), max_length=120)
    decider = models.CharField(_("who decides"), max_length=200)
    basis = models.TextField(_("basis"), blank=True)
    description = models.TextField(_("description"), blank=True)
    applies_to = models.CharField(
        _("default for"), max_length=10, choices=AppliesTo.choices, blank=True, default=""
    )
    sample = models.BooleanField(
        _("sample text"),
        default=True,
        help_text=_("A sample shipped with the software; replace it with the official text."),
    )

    class Meta:
        verbose_name = _("power list item")
        verbose_name_plural = _("power list (小微权力清单)")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("finance:power-item", args=[self.number])

    @property
    def village_id_for_scope(self) -> None:
        return None  # city-wide: only city staff edit it


class PowerStep(models.Model):
    """One step of an item's procedure; the flowchart is drawn from these, in order."""

    class Kind(models.TextChoices):
        STEP = "step", _("Step")
        DECISION = "decision", _("Decision or vote")
        PUBLISH = "publish", pgettext_lazy("power list step", "Make public")
        ARCHIVE = "archive", _("Filed")

    PUBLIC_FIELDS = ("position", "kind", "actor", "action")

    item = models.ForeignKey(
        PowerItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STEP)
    actor = models.CharField(pgettext_lazy("power list step", "who"), max_length=60)
    action = models.CharField(pgettext_lazy("power list step", "what"), max_length=120)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["item", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "position"], name="one_power_step_per_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.actor}：{self.action}"

    @property
    def village_id_for_scope(self) -> None:
        return None


class RiskPoint(TimeStampedModel):
    """A risk of abuse for a post (廉政风险点) and how it is prevented; a village's own, or every
    village's when `village` is empty."""

    class Post(models.TextChoices):
        SECRETARY = "secretary", _("Village Party secretary (村党组织书记)")
        HEAD = "head", _("Village committee director (村委会主任)")
        BOOKKEEPER = "bookkeeper", _("Village bookkeeper (报账员)")

    class Level(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    PUBLIC_FIELDS = ("post", "level", "item", "risk", "measure", "sample")

    post = models.CharField(_("post"), max_length=12, choices=Post.choices)
    village = models.ForeignKey(
        AdminUnit,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risk_points",
        limit_choices_to={"level": AdminUnit.Level.VILLAGE},
        help_text=_("Empty: the risk point holds for every village."),
    )
    item = models.ForeignKey(
        PowerItem,
        verbose_name=_("power list item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risk_points",
    )
    level = models.CharField(_("risk level"), max_length=6, choices=Level.choices)
    risk = models.CharField(_("risk"), max_length=200)
    measure = models.CharField(_("prevention"), max_length=200)
    sample = models.BooleanField(_("sample text"), default=True)

    class Meta:
        verbose_name = _("risk point")
        verbose_name_plural = _("risk points (廉政风险点)")
        ordering = ["post", "village", "pk"]

    def __str__(self) -> str:
        return f"{self.get_post_display()} — {self.risk}"


class PowerLink(models.Model):
    """The power-list item a project, lease or auction follows, where it is not its kind's
    default item (`PowerItem.applies_to`)."""

    item = models.ForeignKey(
        PowerItem, verbose_name=_("power list item"), on_delete=models.PROTECT, related_name="links"
    )
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")

    class Meta:
        verbose_name = _("power list link")
        verbose_name_plural = _("power list links")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"], name="one_power_item_per_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.item}"
