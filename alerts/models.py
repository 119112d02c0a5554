"""Warnings raised by the rules over the record (大数据分析预警) and their history.

An alert (a warning) is one condition a rule found, named by the rule's code and a key the rule
gives it (`Alert.key`), so the same condition never raises two warnings. Its numbers and
evidence are refreshed on every evaluation; its text is the rule's, in the reader's language.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from registry.models import AdminUnit
from registry.models.base import TimeStampedModel


class Level(models.TextChoices):
    """The provincial 三资 system's colours; green is "no warning" and is not stored."""

    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class AlertState(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DISMISSED = "dismissed", _("Dismissed")
    CASE = "case", _("Turned into a case")
    RESOLVED = "resolved", _("Resolved")


ACTIVE_STATES = (AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.CASE)


class Alert(TimeStampedModel):
    """One condition a rule found, from when it was raised until it no longer holds.

    A red warning whose condition is gone stays, yellow, until the liaison station records what
    was done (`action`): only then does it resolve (Xiaoshan's practice).
    """

    PUBLIC_FIELDS = ("rule", "unit", "level", "state", "subject_label")

    rule = models.CharField(_("rule"), max_length=8, db_index=True)
    key = models.CharField(_("key"), max_length=200)
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="alerts"
    )
    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.PROTECT, null=True
    )
    subject_id = models.PositiveBigIntegerField(_("record"), null=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_label = models.CharField(pgettext_lazy("warning", "about"), max_length=200, blank=True)
    level = models.CharField(pgettext_lazy("warning", "level"), max_length=6, choices=Level)
    state = models.CharField(_("state"), max_length=12, choices=AlertState, default=AlertState.OPEN)
    holds = models.BooleanField(
        _("condition holds"),
        default=True,
        help_text=_("False once the data no longer show the condition."),
    )
    reached_red = models.BooleanField(_("has been red"), default=False)
    numbers = models.JSONField(_("numbers"), default=dict, blank=True)
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    raised_at = models.DateTimeField(_("raised at"))
    seen_at = models.DateTimeField(_("last found at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    action = models.TextField(_("what was done"), blank=True)
    action_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    dismiss_reason = models.TextField(_("reason for dismissing"), blank=True)
    case = models.ForeignKey(
        "supervision.Case",
        verbose_name=_("case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
    )

    class Meta:
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        ordering = ["level", "-raised_at"]  # "red" before "yellow"
        constraints = [
            models.UniqueConstraint(fields=["rule", "key"], name="one_alert_per_condition"),
            models.CheckConstraint(
                name="alert_dismissed_with_reason",
                condition=~Q(state="dismissed") | ~Q(dismiss_reason=""),
                violation_error_message=_("A dismissed warning needs the reason."),
            ),
        ]
        indexes = [models.Index(fields=["unit", "state"]), models.Index(fields=["state", "rule"])]

    def __str__(self) -> str:
        return f"{self.rule} {self.subject_label}".strip()

    def get_absolute_url(self) -> str:
        return reverse("alerts:alert-detail", args=[self.pk])

    @property
    def village_id_for_scope(self) -> int | None:
        return self.unit_id

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def awaiting_action(self) -> bool:
        """Gone from the data, but it has been red and nobody has said what was done."""
        return not self.holds and self.reached_red and self.action_at is None

    def explanation(self) -> str:
        from alerts.rules import get_rule

        rule = get_rule(self.rule)
        return rule.explain(self.numbers) if rule else ""

    def rule_name(self) -> str:
        from alerts.rules import get_rule

        rule = get_rule(self.rule)
        return str(rule.name) if rule else self.rule


class AlertChange(models.Model):
    """One step in a warning's life: raised, level changed, acknowledged, dismissed, turned into
    a case, action recorded, resolved, raised again. The dashboards count these over time."""

    class Kind(models.TextChoices):
        RAISED = "raised", _("Raised")
        LEVEL = "level", _("Level changed")
        GONE = "gone", _("No longer in the data")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        DISMISSED = "dismissed", _("Dismissed")
        CASE = "case", _("Turned into a case")
        ACTION = "action", _("What was done recorded")
        RESOLVED = "resolved", _("Resolved")
        REOPENED = "reopened", _("Raised again")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("what"), max_length=12, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=6, choices=Level)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("warning change")
        verbose_name_plural = _("warning changes")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["kind", "at"])]

    def __str__(self) -> str:
        return f"{self.alert} {self.kind} {self.at:%Y-%m-%d}"


class RuleSetting(models.Model):
    """A rule's parameters and whether it runs, as set in the admin. A parameter left out takes
    the value of settings.ALERT_RULES, else the rule's default."""

    rule = models.CharField(_("rule"), max_length=8, primary_key=True)
    enabled = models.BooleanField(_("in use"), default=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        verbose_name = _("rule setting")
        verbose_name_plural = _("rule settings")
        ordering = ["rule"]

    def __str__(self) -> str:
        return self.rule
