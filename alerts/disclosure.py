"""The open warnings of a village in its monthly disclosure (三务公开): the source report lists
them beside the cases. Finance cannot import alerts (it is the layer below), so alerts adds the
section through `finance.disclosures.register_section`.

The section is a snapshot taken when the month is published: each warning still open then,
with its rule (code and Chinese name, the official text of the disclosure), level, subject and
the day it was raised. Nothing restricted: subject labels name persons by family name only.
"""

import datetime as dt

from django.utils import translation

from alerts.models import ACTIVE_STATES, Alert
from alerts.rules import get_rule
from registry.models import AdminUnit

TEMPLATE = "alerts/partials/disclosure_section.html"


def open_warnings(village: AdminUnit, month: dt.date) -> list[dict]:
    """The village's warnings open when the month is published, red first."""
    rows = Alert.objects.filter(unit=village, state__in=ACTIVE_STATES).order_by(
        "-level", "raised_at", "pk"
    )
    found = []
    with translation.override("zh-hans"):
        for alert in rows:
            rule = get_rule(alert.rule)
            found.append(
                {
                    "key": f"warning:{alert.pk}",
                    "rule": alert.rule,
                    "rule_name": str(rule.name) if rule else alert.rule,
                    "level": alert.level,
                    "state": alert.state,
                    "about": alert.subject_label,
                    "raised_on": alert.raised_at.date().isoformat(),
                }
            )
    return found


def connect() -> None:
    from finance.disclosures import register_section

    register_section("warnings", open_warnings, template=TEMPLATE)
