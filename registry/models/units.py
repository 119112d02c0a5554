from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from registry.models.base import TimeStampedModel


class AdminUnit(TimeStampedModel):
    """City -> township/subdistrict -> village/community, with the official division code."""

    class Level(models.TextChoices):
        CITY = "city", _("City")
        TOWNSHIP = "township", _("Township or subdistrict")
        VILLAGE = "village", _("Village or community")

    CODE_LENGTH = {Level.CITY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}
    PARENT_LEVEL = {Level.TOWNSHIP: Level.CITY, Level.VILLAGE: Level.TOWNSHIP}
    PUBLIC_FIELDS = ("name", "level", "code", "parent", "boundary")

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    code = models.CharField(_("division code"), max_length=12, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    boundary = models.MultiPolygonField(_("boundary"), srid=4326, null=True, blank=True)

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="adminunit_code_matches_level",
                condition=(
                    Q(level="city", code__regex=r"^[0-9]{6}$")
                    | Q(level="township", code__regex=r"^[0-9]{9}$")
                    | Q(level="village", code__regex=r"^[0-9]{12}$")
                ),
                violation_error_message=_(
                    "A division code has 6 digits for a city, 9 for a township, 12 for a village."
                ),
            ),
            models.CheckConstraint(
                name="adminunit_city_has_no_parent",
                condition=Q(level="city", parent__isnull=True) | ~Q(level="city"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:unit-detail", args=[self.code])

    @property
    def village_id_for_scope(self) -> int | None:
        return self.pk


class Profile(TimeStampedModel):
    """A staff member's scope: the admin units whose records they see and edit."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    units = models.ManyToManyField(
        AdminUnit, verbose_name=_("admin units"), blank=True, related_name="staff"
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return self.user.get_username()
