"""The monthly disclosure of party, village and financial affairs (三务公开), frozen once out.

A village's month is published once (`number` 0) and never changed: its content is a JSON
snapshot built from the record when it was published, hashed into the public log. A correction
is an amendment (`number` 1, 2, ...) with its reason, published beside it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from registry.models import AdminUnit
from registry.models.base import TimeStampedModel


class MonthlyDisclosure(TimeStampedModel):
    """One village's disclosure for one month, or an amendment of it."""

    PUBLIC_FIELDS = ("village", "month", "number", "reason", "published_at", "sha256")

    village = models.ForeignKey(
        AdminUnit,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="monthly_disclosures",
        limit_choices_to={"level": AdminUnit.Level.VILLAGE},
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month disclosed."))
    number = models.PositiveSmallIntegerField(
        _("amendment"), default=0, help_text=_("0 for the month's disclosure, then 1, 2, ...")
    )
    amends = models.ForeignKey(
        "self",
        verbose_name=_("amends"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
    )
    reason = models.CharField(_("reason for the amendment"), max_length=500, blank=True)
    content = models.JSONField(_("content"))
    sha256 = models.CharField(_("SHA-256 of the content"), max_length=64)
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("monthly disclosure (三务公开)")
        verbose_name_plural = _("monthly disclosures (三务公开)")
        ordering = ["village", "-month", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "month", "number"], name="one_disclosure_per_village_month"
            ),
            models.CheckConstraint(
                name="disclosure_month_first_day", condition=models.Q(month__day=1)
            ),
        ]

    def __str__(self) -> str:
        title = gettext("%(village)s %(year)s-%(month)02d disclosure") % {
            "village": self.village.name,
            "year": self.month.year,
            "month": self.month.month,
        }
        if self.number:
            title += " " + gettext("(amendment %(n)s)") % {"n": self.number}
        return title

    def get_absolute_url(self) -> str:
        return reverse(
            "finance:disclosure",
            args=[self.village.code, f"{self.month:%Y-%m}"],
        )

    def save(self, *args, **kwargs) -> None:
        """A published month is frozen: only ever inserted, never updated."""
        if not self._state.adding:
            raise ValidationError(
                gettext("A published disclosure is frozen; publish an amendment instead.")
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(
            gettext("A published disclosure is frozen; publish an amendment instead.")
        )


class DisclosureQuestion(TimeStampedModel):
    """A villager's question about one line of a disclosure; it is a supervision case, answered
    in public on the case's page. The line is named by its key in the content (`line`)."""

    PUBLIC_FIELDS = ("disclosure", "line_label", "case")

    disclosure = models.ForeignKey(
        MonthlyDisclosure,
        verbose_name=_("disclosure"),
        on_delete=models.PROTECT,
        related_name="questions",
    )
    line = models.CharField(_("line"), max_length=40)
    line_label = models.CharField(_("line questioned"), max_length=300)
    case = models.OneToOneField(
        "supervision.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="disclosure_question",
    )

    class Meta:
        verbose_name = _("question on a disclosure")
        verbose_name_plural = _("questions on disclosures")
        ordering = ["disclosure", "created"]

    def __str__(self) -> str:
        return f"{self.disclosure} · {self.line_label}"

    @property
    def village_id_for_scope(self) -> int:
        return self.disclosure.village_id
