"""Who hears of new warnings, through the task queue: one message per village and pass to the
village's liaison station members and the township's staff and discipline office, listing the
warnings raised or turned red, with a link to them. Nobody else, and never the public."""

from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from alerts.models import Alert, Level
from registry.background import enqueue_after_commit
from registry.models import AdminUnit
from registry.roles import Role
from supervision.services import role_users


def notify_later(alert_ids: list[int]) -> None:
    """Queue the messages about these alerts once the transaction commits."""
    if alert_ids:
        enqueue_after_commit("alerts.notifications.send", sorted(alert_ids))


def recipients(unit: AdminUnit) -> list[str]:
    """The e-mail addresses of who answers for warnings in `unit`."""
    village = unit if unit.level == AdminUnit.Level.VILLAGE else None
    people = []
    for role in (Role.SUPERVISOR, Role.TOWNSHIP, Role.DISCIPLINE):
        if village is not None or role != Role.SUPERVISOR:
            people += role_users(village or unit, role)
    return sorted({user.email for user in people if user.email})


def send(alert_ids: list[int]) -> int:
    """Send one message per unit about the alerts `alert_ids`; how many were sent."""
    by_unit: dict[int, list[Alert]] = defaultdict(list)
    for alert in Alert.objects.filter(pk__in=alert_ids).select_related("unit").order_by("-level"):
        by_unit[alert.unit_id].append(alert)
    sent = 0
    site = settings.SITE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        for alerts in by_unit.values():
            unit = alerts[0].unit
            to = recipients(unit)
            if not to:
                continue
            red = sum(1 for a in alerts if a.level == Level.RED)
            subject = _("%(unit)s: %(count)s new warnings (%(red)s red)") % {
                "unit": unit.name,
                "count": len(alerts),
                "red": red,
            }
            lines = [
                f"[{a.get_level_display()}] {a.rule} {a.rule_name()} · {a.subject_label}\n"
                f"  {a.explanation()}\n  {site}{a.get_absolute_url()}"
                for a in alerts
            ]
            sent += send_mail(subject, "\n\n".join(lines), None, to)
    return sent
