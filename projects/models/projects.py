from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gis.validation import clean_geometry
from registry.models.base import TimeStampedModel
from registry.models.units import AdminUnit

SMALL_PROJECT_LIMIT = Decimal("200000")


class Stage(models.TextChoices):
    """The six steps of a small village project, in order (DOMAIN.md)."""

    PROPOSAL = "proposal", _("Proposal and democratic decision (五议两公开)")
    BUDGET = "budget", _("Budget guidance price")
    CONTRACTING = "contracting", _("Contracting")
    CONSTRUCTION = "construction", _("Construction")
    ACCEPTANCE = "acceptance", _("Completion acceptance")
    SETTLEMENT = "settlement", _("Settlement audit")

    @classmethod
    def ordered(cls) -> list["Stage"]:
        return list(cls)

    @property
    def index(self) -> int:
        return list(Stage).index(self)

    @property
    def following(self) -> "Stage | None":
        """The stage after this one, or None after the last."""
        order = Stage.ordered()
        return order[self.index + 1] if self.index + 1 < len(order) else None


STAGE_DATE_FIELDS = {
    Stage.PROPOSAL: "proposed_on",
    Stage.BUDGET: "budget_priced_on",
    Stage.CONTRACTING: "contracted_on",
    Stage.CONSTRUCTION: "construction_started_on",
    Stage.ACCEPTANCE: "accepted_on",
    Stage.SETTLEMENT: "settled_on",
}


def _money(verbose_name: str) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )


class Project(TimeStampedModel):
    """A small village works project (村级小额工程, at most 200,000 yuan)."""

    class Category(models.TextChoices):
        ROAD = "road", _("Roads and paving")
        WATER = "water", _("Water and irrigation")
        SEWAGE = "sewage", _("Sewage and sanitation")
        BUILDING = "building", _("Building repair")
        LANDSCAPE = "landscape", _("Landscaping and village environment")
        CULTURE = "culture", _("Culture and public facilities")
        OTHER = "other", _("Other")

    GEOMETRY_TYPES = ("Point", "MultiPolygon")
    PUBLIC_FIELDS = (
        "name",
        "village",
        "location",
        "category",
        "description",
        "stage",
        *STAGE_DATE_FIELDS.values(),
        "budget_price",
        "contract_amount",
        "contractor",
        "settlement_amount",
        "paid_amount",
        "progress_percent",
        "guidance_agency",
        "contracting_method",
        "contract_signed_on",
        "over_guidance_reason",
        "acceptance_passed",
        "acceptance_opinion",
        "audit_agency",
    )

    name = models.CharField(_("name"), max_length=150)
    village = models.ForeignKey(
        AdminUnit,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="projects",
        limit_choices_to={"level": AdminUnit.Level.VILLAGE},
    )
    location = models.GeometryField(_("location"), srid=4326)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    description = models.TextField(_("public description"), blank=True)
    stage = models.CharField(
        _("current stage"), max_length=12, choices=Stage.choices, default=Stage.PROPOSAL
    )
    proposed_on = models.DateField(_("proposal registered on"), null=True, blank=True)
    budget_priced_on = models.DateField(_("budget stage reached on"), null=True, blank=True)
    contracted_on = models.DateField(_("contracting stage reached on"), null=True, blank=True)
    construction_started_on = models.DateField(_("construction started on"), null=True, blank=True)
    accepted_on = models.DateField(_("acceptance stage reached on"), null=True, blank=True)
    settled_on = models.DateField(_("settlement stage reached on"), null=True, blank=True)
    budget_price = _money(_("budget guidance price (yuan)"))
    contract_amount = _money(_("contract amount (yuan)"))
    contractor = models.CharField(_("contractor"), max_length=150, blank=True)
    contractor_contact = models.CharField(_("contractor contact"), max_length=60, blank=True)
    settlement_amount = _money(_("audited settlement (yuan)"))
    paid_amount = models.DecimalField(
        _("paid so far (yuan)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    progress_percent = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )

    class Method(models.TextChoices):
        """Simplified contracting methods for works under the threshold (简化版发包方式)."""

        SIMPLE_TENDER = "simple_tender", _("Simplified open tender (简易招标)")
        COMPARISON = "comparison", _("Competitive selection among invited firms (比选)")
        NEGOTIATION = "negotiation", _("Competitive negotiation (竞争性谈判)")
        DIRECT = "direct", _("Direct award (直接发包)")

    guidance_agency = models.CharField(
        _("guidance price agency"),
        max_length=150,
        blank=True,
        help_text=_("The third-party agency that issued the budget guidance price."),
    )
    contracting_method = models.CharField(
        _("contracting method"), max_length=14, choices=Method.choices, blank=True
    )
    contract_signed_on = models.DateField(_("contract signed on"), null=True, blank=True)
    over_guidance_reason = models.TextField(
        _("reason the contract exceeds the guidance price"), blank=True
    )
    acceptance_passed = models.BooleanField(_("acceptance passed"), null=True, blank=True)
    acceptance_opinion = models.TextField(
        _("acceptance opinion"),
        blank=True,
        help_text=_("Public, as the acceptance record is (ID-card and phone numbers hidden)."),
    )
    audit_agency = models.CharField(_("settlement audit agency"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("small project")
        verbose_name_plural = _("small projects")
        ordering = ["village__code", "-proposed_on", "name"]
        constraints = [
            models.CheckConstraint(
                name="project_amount_under_threshold",
                condition=(
                    (Q(budget_price__isnull=True) | Q(budget_price__lte=SMALL_PROJECT_LIMIT))
                    & (
                        Q(contract_amount__isnull=True)
                        | Q(contract_amount__lte=SMALL_PROJECT_LIMIT)
                    )
                ),
                violation_error_message=_(
                    "A small village project is at most 200,000 yuan; larger works must be "
                    "tendered publicly."
                ),
            ),
            models.CheckConstraint(
                name="project_amounts_not_negative",
                condition=(
                    (Q(budget_price__isnull=True) | Q(budget_price__gte=0))
                    & (Q(contract_amount__isnull=True) | Q(contract_amount__gte=0))
                    & (Q(settlement_amount__isnull=True) | Q(settlement_amount__gte=0))
                    & Q(paid_amount__gte=0)
                ),
                violation_error_message=_("Amounts cannot be negative."),
            ),
            models.CheckConstraint(
                name="project_progress_is_percent",
                condition=Q(progress_percent__gte=0, progress_percent__lte=100),
                violation_error_message=_("Progress is a percentage from 0 to 100."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:project-detail", args=[self.pk])

    @property
    def stage_index(self) -> int:
        return Stage(self.stage).index

    @property
    def exceeds_guidance(self) -> bool:
        return (
            self.contract_amount is not None
            and self.budget_price is not None
            and self.contract_amount > self.budget_price
        )

    @property
    def settlement_overrun(self) -> bool:
        """An audited settlement more than SETTLEMENT_OVERRUN_PERCENT above the contract."""
        if self.settlement_amount is None or self.contract_amount is None:
            return False
        percent = Decimal(settings.SETTLEMENT_OVERRUN_PERCENT)
        return self.settlement_amount > self.contract_amount * (1 + percent / 100)

    def flags(self) -> list[str]:
        """Warnings for the public and for staff, in the language of the request."""
        found = []
        if self.exceeds_guidance:
            found.append(
                gettext("The contract amount is above the budget guidance price (reason given).")
            )
        if self.settlement_overrun:
            found.append(
                gettext("The audited settlement is more than %(percent)s%% over the contract.")
                % {"percent": settings.SETTLEMENT_OVERRUN_PERCENT}
            )
        return found

    def clean(self) -> None:
        errors: dict[str, list] = {}
        try:
            self.location = clean_geometry(self.location, allowed=self.GEOMETRY_TYPES)
        except ValidationError as exc:
            errors["location"] = exc.messages
        for field in ("budget_price", "contract_amount"):
            value = getattr(self, field)
            if value is not None and value > SMALL_PROJECT_LIMIT:
                errors[field] = [
                    _(
                        "A small village project is at most 200,000 yuan; larger works must "
                        "be tendered publicly."
                    )
                ]
        today = timezone.localdate()
        previous = None
        current = Stage(self.stage).index if self.stage in Stage.values else 0
        for i, (stage, field) in enumerate(STAGE_DATE_FIELDS.items()):
            value = getattr(self, field)
            if i <= current and value is None:
                errors.setdefault(field, []).append(
                    _("The stage “%(stage)s” has been reached, so its date is needed.")
                    % {"stage": stage.label}
                )
            if value is not None and value > today:
                errors.setdefault(field, []).append(_("A date cannot be in the future."))
            if value is not None and previous is not None and value < previous:
                errors.setdefault(field, []).append(
                    _("This date is earlier than the date of the stage before it.")
                )
            if value is not None:
                previous = value
        if self.exceeds_guidance and not self.over_guidance_reason.strip():
            errors.setdefault("over_guidance_reason", []).append(
                _(
                    "The contract amount is above the budget guidance price: give the reason, "
                    "or the contract cannot be recorded."
                )
            )
        if self.contract_signed_on is not None and self.contract_signed_on > today:
            errors.setdefault("contract_signed_on", []).append(_("A date cannot be in the future."))
        if errors:
            raise ValidationError(errors)
