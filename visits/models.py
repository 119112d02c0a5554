from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gis.validation import clean_geometry
from registry.models.base import TimeStampedModel
from registry.models.units import AdminUnit


class Site(TimeStampedModel):
    """A clean-governance education base or culture site open to visitors."""

    class Kind(models.TextChoices):
        FAMILY_HALL = "family_hall", _("Family tradition hall (家风家训馆)")
        EDUCATION_BASE = "education_base", _("Clean-governance education base (廉政教育基地)")
        CULTURE_SITE = "culture_site", _("Clean-culture site")
        PAVILION = "pavilion", _("Clean-governance pavilion")

    PUBLIC_FIELDS = (
        "kind",
        "name",
        "unit",
        "story",
        "address",
        "opening_hours",
        "contact",
        "location",
    )

    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("village or township"),
        on_delete=models.PROTECT,
        related_name="sites",
    )
    story = models.TextField(_("story"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    location = models.PointField(_("location"), srid=4326)

    class Meta:
        verbose_name = _("education or culture site")
        verbose_name_plural = _("education and culture sites")
        ordering = ["unit__code", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:site-detail", args=[self.pk])

    @property
    def village_id_for_scope(self) -> int | None:
        return self.unit_id

    def clean(self) -> None:
        try:
            self.location = clean_geometry(self.location, allowed=("Point",))
        except ValidationError as exc:
            raise ValidationError({"location": exc.messages}) from exc


class Route(TimeStampedModel):
    """Sites strung into a visitors' line (串点成线); the path follows the stops in order."""

    PUBLIC_FIELDS = ("name", "description", "path", "stops")

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("admin unit"), on_delete=models.PROTECT, related_name="routes"
    )
    path = models.LineStringField(_("path"), srid=4326, null=True, blank=True)
    sites = models.ManyToManyField(Site, through="RouteStop", related_name="routes")

    class Meta:
        verbose_name = _("route")
        verbose_name_plural = _("routes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("visit:route-detail", args=[self.pk])

    @property
    def village_id_for_scope(self) -> int | None:
        return self.unit_id

    def public_stops(self) -> list[str]:
        """The stops as the public log records them: the sites' names, in order."""
        if self.pk is None:
            return []
        return [stop.site.name for stop in self.stops.select_related("site").order_by("position")]


class RouteStop(models.Model):
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="stops")
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("route stop")
        verbose_name_plural = _("route stops")
        ordering = ["route", "position"]
        constraints = [
            models.UniqueConstraint(fields=["route", "position"], name="routestop_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.site}"
