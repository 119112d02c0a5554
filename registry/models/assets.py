from decimal import Decimal

from django.contrib.gis.db import models
from django.core.validators import MinValueValidator
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gis.crs import area_m2, m2_to_mu
from gis.validation import clean_geometry
from registry.models.base import TimeStampedModel
from registry.models.units import AdminUnit


class Cooperative(TimeStampedModel):
    """The village economic cooperative (村经济合作社 / 股份经济合作社) that owns the assets."""

    PUBLIC_FIELDS = ("name", "village", "credit_code")

    name = models.CharField(_("name"), max_length=120)
    village = models.ForeignKey(
        AdminUnit,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="cooperatives",
        limit_choices_to={"level": AdminUnit.Level.VILLAGE},
    )
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)

    class Meta:
        verbose_name = _("economic cooperative")
        verbose_name_plural = _("economic cooperatives")
        ordering = ["village__code", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:unit-detail", args=[self.village.code])


class Asset(TimeStampedModel):
    """A mapped collective building, land parcel or facility that carries a plaque."""

    class Kind(models.TextChoices):
        BUILDING = "building", _("Building")
        PARCEL = "parcel", _("Land parcel")
        FACILITY = "facility", _("Facility")

    class LandUse(models.TextChoices):
        FARMLAND = "farmland", _("Farmland")
        FOREST = "forest", _("Forest land")
        WATER = "water", _("Water surface")
        CONSTRUCTION = "construction", _("Construction land")
        OTHER = "other", _("Other land")

    class BuildingUse(models.TextChoices):
        SHOP = "shop", _("Shop")
        OFFICE = "office", _("Office")
        FACTORY = "factory", _("Factory")
        HALL = "hall", _("Hall or auditorium")
        WAREHOUSE = "warehouse", _("Warehouse")
        MARKET = "market", _("Market")
        PUBLIC_FACILITY = "public_facility", _("Public facility")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        IN_USE = "in_use", _("In use by the collective")
        LEASED = "leased", _("Leased out")
        IDLE = "idle", _("Idle")
        RETIRED = "retired", _("Retired")

    GEOMETRY_TYPES = ("Point", "MultiPolygon")
    PUBLIC_FIELDS = (
        "kind",
        "name",
        "village",
        "owner",
        "geometry",
        "land_use",
        "building_use",
        "area_m2",
        "floor_area_m2",
        "status",
        "description",
    )

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    village = models.ForeignKey(
        AdminUnit,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="assets",
        limit_choices_to={"level": AdminUnit.Level.VILLAGE},
    )
    owner = models.ForeignKey(
        Cooperative,
        verbose_name=_("owner cooperative"),
        on_delete=models.PROTECT,
        related_name="assets",
    )
    geometry = models.GeometryField(
        _("location or outline"),
        srid=4326,
        help_text=_("A point, or the outline of the building or parcel."),
    )
    land_use = models.CharField(_("land use"), max_length=15, choices=LandUse.choices, blank=True)
    building_use = models.CharField(
        _("building use"), max_length=15, choices=BuildingUse.choices, blank=True
    )
    area_m2 = models.DecimalField(
        _("area (m²)"), max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )
    floor_area_m2 = models.DecimalField(
        _("floor area (m²)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.IN_USE
    )
    acquired_on = models.DateField(_("acquired on"), null=True, blank=True)
    book_value = models.DecimalField(
        _("book value (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    description = models.TextField(_("public description"), blank=True)
    external_id = models.CharField(_("external id"), max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["village__code", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                name="asset_amounts_not_negative",
                condition=(
                    (Q(book_value__isnull=True) | Q(book_value__gte=0))
                    & (Q(floor_area_m2__isnull=True) | Q(floor_area_m2__gte=0))
                ),
                violation_error_message=_("Areas and values cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:asset-detail", args=[self.pk])

    @property
    def area_mu(self) -> Decimal | None:
        if self.area_m2 is None:
            return None
        return Decimal(str(round(m2_to_mu(float(self.area_m2)), 2)))

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        try:
            self.geometry = clean_geometry(self.geometry, allowed=self.GEOMETRY_TYPES)
        except ValidationError as exc:
            errors["geometry"] = exc.messages
        if self.kind == self.Kind.PARCEL and not self.land_use:
            errors["land_use"] = [_("A land parcel needs its land use.")]
        if self.kind == self.Kind.PARCEL and self.geometry and self.geometry.geom_type == "Point":
            errors["geometry"] = [_("A land parcel must be mapped as an outline, not a point.")]
        if self.kind == self.Kind.BUILDING and not self.building_use:
            errors["building_use"] = [_("A building needs its use.")]
        if self.owner_id and self.village_id and self.owner.village_id != self.village_id:
            errors["owner"] = [_("The owner cooperative must belong to the asset's village.")]
        if errors:
            raise ValidationError(errors)
        self.area_m2 = (
            Decimal(str(round(area_m2(self.geometry), 2)))
            if self.geometry is not None and self.geometry.dims == 2
            else None
        )
