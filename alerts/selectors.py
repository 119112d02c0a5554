"""Reads of the warnings for staff: the list of a user's units, one warning with its history,
and the counts the panels show. Each makes a fixed number of queries however many warnings
there are: rows come with their unit, township and record type, never one query per row.

A warning is in a user's units when its unit is (a village, or the township of a
township-wide rule); staff of one village never learn of another's warnings.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from alerts.models import ACTIVE_STATES, Alert, AlertChange, Level
from registry.models import AdminUnit
from registry.scoping import in_scope

PANEL_LIMIT = 5

RED_FIRST = Case(
    When(level=Level.RED, then=Value(0)), default=Value(1), output_field=IntegerField()
)


def alerts_for(user: User) -> QuerySet[Alert]:
    """Every warning in the user's units (all for city staff), red first, newest first."""
    return in_scope(user, listed(Alert.objects.all()), "unit")


def listed(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    """What a list row shows (unit, its township, the record type), in the list's order."""
    return (
        alerts.select_related("unit__parent", "subject_type")
        .defer("unit__boundary", "unit__parent__boundary")
        .annotate(red_first=RED_FIRST)
        .order_by("red_first", "-raised_at", "-pk")
    )


def alert_for(user: User, pk: int) -> Alert:
    """One warning of the user's units with its case, or 404 (whether it exists elsewhere or
    not: staff of one village do not learn what another's warnings are)."""
    found = alerts_for(user).select_related("case").filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such warning among those of your units."))
    return found


def subject_url(alert: Alert) -> str:
    """Where the record the warning is about is shown: its evidence entry, else the first
    piece of evidence with a page."""
    urls = [item for item in alert.evidence or [] if isinstance(item, dict) and item.get("url")]
    subject_type = alert.subject_type
    for item in urls:
        if (
            subject_type is not None
            and item.get("model") == f"{subject_type.app_label}.{subject_type.model}"
            and item.get("id") == alert.subject_id
        ):
            return item["url"]
    if subject_type is not None:
        return ""  # never a link to another record under the subject's name
    return urls[0]["url"] if urls else ""


def with_links(alerts) -> list[Alert]:
    """The rows with `subject_url` set, for templates (no query)."""
    rows = list(alerts)
    for alert in rows:
        alert.subject_url = subject_url(alert)
    return rows


@dataclass
class Summary:
    """Active warnings by level, and the first few of them (red first)."""

    red: int = 0
    yellow: int = 0
    rows: list[Alert] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.red + self.yellow


def level_counts(alerts: QuerySet[Alert]) -> Summary:
    """How many of `alerts` are red and how many yellow: one query."""
    return Summary(
        **alerts.order_by().aggregate(
            red=Count("pk", filter=Q(level=Level.RED)),
            yellow=Count("pk", filter=Q(level=Level.YELLOW)),
        )
    )


def active_summary(user: User, limit: int = PANEL_LIMIT) -> Summary:
    """The active warnings of the user's units: the counts (one query) and the first `limit`
    rows, red first (one query)."""
    active = alerts_for(user).filter(state__in=ACTIVE_STATES)
    summary = level_counts(active)
    summary.rows = with_links(active[:limit])
    return summary


def unit_summary(unit: AdminUnit) -> Summary:
    """The active warnings of a unit and the units below it, by level: one query."""
    alerts = Alert.objects.filter(state__in=ACTIVE_STATES)
    if unit.level == AdminUnit.Level.VILLAGE:
        alerts = alerts.filter(unit=unit)
    elif unit.level == AdminUnit.Level.TOWNSHIP:
        alerts = alerts.filter(Q(unit=unit) | Q(unit__parent=unit))
    return level_counts(alerts)


def changes_with_actors() -> QuerySet[AlertChange]:
    """Changes with who acted and their roles (for the public actor's name), oldest first."""
    return (
        AlertChange.objects.select_related("actor")
        .prefetch_related("actor__groups")
        .order_by("at", "pk")
    )


def history(alert: Alert) -> list[AlertChange]:
    """The warning's life, oldest first: two queries."""
    return list(changes_with_actors().filter(alert=alert))


def history_prefetch() -> Prefetch:
    """Each warning's changes, for a page of the API: three queries for the whole page."""
    return Prefetch("changes", changes_with_actors())
