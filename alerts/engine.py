"""Findings to alerts: the life of a warning as the data change.

`evaluate(rule, villages=...)` asks the rule what it sees in those villages today and
reconciles that with the alerts already there, in a bounded number of queries:
- a new condition raises an alert (and one that had resolved is raised again, same row);
- a condition still there refreshes its level, numbers and evidence;
- a condition gone resolves its alert, except an alert that has been red and whose "what was
  done" the station has not recorded yet: that one drops to yellow and waits (Xiaoshan's
  practice of 红灯必须处置).
The same condition never raises two alerts: (rule, key) is unique in the database too.
Raising and resolving are recomputed from the public record, so they are not public-log events;
what people decide about an alert is (`alerts.services`).
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone, translation

from alerts import notifications
from alerts.models import ACTIVE_STATES, Alert, AlertChange, AlertState, Level, RuleSetting
from alerts.rules import Context, Finding, Rule, all_rules, get_rule
from registry.models import AdminUnit

REFRESHED = ("level", "holds", "reached_red", "numbers", "evidence", "seen_at", "subject_label")


@dataclass
class Outcome:
    raised: int = 0
    changed: int = 0
    resolved: int = 0

    def __iadd__(self, other: "Outcome") -> "Outcome":
        self.raised += other.raised
        self.changed += other.changed
        self.resolved += other.resolved
        return self


def settings_of(rule: Rule) -> tuple[bool, dict]:
    """Whether the rule runs and its parameters (the admin's over settings over defaults)."""
    row = RuleSetting.objects.filter(rule=rule.code).first()
    if row is None:
        return True, rule.parameters()
    return row.enabled, rule.parameters(row.params)


def _units_in_scope(rule: Rule, villages: frozenset[int] | None) -> frozenset[int] | None:
    if villages is None or not rule.township_wide:
        return villages
    return frozenset(
        AdminUnit.objects.filter(pk__in=villages)
        .exclude(parent=None)
        .values_list("parent", flat=True)
    )


def _subject(finding: Finding) -> tuple[ContentType | None, int | None, str]:
    record = finding.subject
    if record is None:
        return None, None, ""
    return ContentType.objects.get_for_model(record), record.pk, str(record)[:200]


def _refresh(alert: Alert, finding: Finding, evidence: list, now: dt.datetime) -> bool:
    """Copy what the finding says onto `alert`; whether its level changed."""
    level_changed = alert.level != finding.level
    alert.level = finding.level
    alert.holds = True
    alert.reached_red = alert.reached_red or finding.level == Level.RED
    alert.numbers = _jsonable(finding.numbers)
    alert.evidence = evidence
    alert.seen_at = now
    _, _, label = _subject(finding)
    alert.subject_label = label or alert.subject_label
    return level_changed


def _state_of(alert: Alert) -> tuple:
    """What a pass may change on an alert, but when it was last seen."""
    return (
        alert.level,
        alert.holds,
        alert.reached_red,
        alert.numbers,
        alert.evidence,
        alert.subject_label,
        alert.unit_id,
        alert.state,
    )


def _jsonable(numbers: dict) -> dict:
    return {
        k: v if isinstance(v, (int, str, bool)) or v is None else str(v) for k, v in numbers.items()
    }


@transaction.atomic
def evaluate(
    rule: Rule, *, villages: frozenset[int] | None = None, today: dt.date | None = None
) -> Outcome:
    """Reconcile `rule`'s alerts in `villages` (None: everywhere) with what it finds today."""
    enabled, params = settings_of(rule)
    today = today or timezone.localdate()
    now = timezone.now()
    units = _units_in_scope(rule, villages)
    context = Context(today=today, params=params, villages=villages)
    with translation.override(settings.LANGUAGE_CODE):  # evidence notes are stored text
        findings = list(rule.find(context)) if enabled else []
        evidence = {f.key: [item.as_json() for item in f.evidence] for f in findings}
    found = {f.key: f for f in findings}
    existing_qs = Alert.objects.select_for_update().filter(rule=rule.code)
    if units is not None:
        existing_qs = existing_qs.filter(unit_id__in=units)
    existing = {a.key: a for a in existing_qs}
    elsewhere = {}
    missing = [key for key in found if key not in existing]
    if units is not None and missing:
        # Filed under another unit (a record moved village): found by key, in one query.
        others = Alert.objects.select_for_update().filter(rule=rule.code, key__in=missing)
        elsewhere = {a.key: a for a in others}
    outcome = Outcome()
    new, changed, unchanged, changes = [], [], [], []
    for key, finding in found.items():
        alert = existing.get(key) or elsewhere.get(key)
        if alert is None:
            subject_type, subject_id, label = _subject(finding)
            alert = Alert(
                rule=rule.code,
                key=key,
                unit_id=finding.unit_id,
                subject_type=subject_type,
                subject_id=subject_id,
                subject_label=label,
                level=finding.level,
                raised_at=now,
                seen_at=now,
            )
            _refresh(alert, finding, evidence[key], now)
            new.append(alert)
            continue
        before = _state_of(alert)
        alert.unit_id = finding.unit_id
        if alert.state == AlertState.RESOLVED:
            alert.state = AlertState.OPEN
            alert.resolved_at = None
            alert.action, alert.action_at, alert.dismiss_reason = "", None, ""
            alert.reached_red = False
            _refresh(alert, finding, evidence[key], now)
            changes.append(
                AlertChange(alert=alert, kind=AlertChange.Kind.REOPENED, level=alert.level, at=now)
            )
            outcome.raised += 1
        elif _refresh(alert, finding, evidence[key], now):
            changes.append(
                AlertChange(alert=alert, kind=AlertChange.Kind.LEVEL, level=alert.level, at=now)
            )
            outcome.changed += 1
        (changed if _state_of(alert) != before else unchanged).append(alert)
    for key, alert in existing.items():
        if key in found or alert.state == AlertState.RESOLVED:
            continue
        if alert.reached_red and alert.action_at is None:
            if alert.holds or alert.level != Level.YELLOW:
                alert.holds = False
                level_changed = alert.level != Level.YELLOW
                alert.level = Level.YELLOW
                changes.append(
                    AlertChange(alert=alert, kind=AlertChange.Kind.GONE, level=alert.level, at=now)
                )
                outcome.changed += 1 if level_changed else 0
                changed.append(alert)
            continue
        _resolve(alert, now)
        changes.append(
            AlertChange(alert=alert, kind=AlertChange.Kind.RESOLVED, level=alert.level, at=now)
        )
        changed.append(alert)
        outcome.resolved += 1
    Alert.objects.bulk_create(new, batch_size=1000)
    changes += [
        AlertChange(alert=a, kind=AlertChange.Kind.RAISED, level=a.level, at=now) for a in new
    ]
    outcome.raised += len(new)
    if unchanged:  # still found as it was: only when it was last seen moves
        Alert.objects.filter(pk__in=[a.pk for a in unchanged]).update(seen_at=now)
    if changed:
        Alert.objects.bulk_update(
            changed,
            [*REFRESHED, "unit", "state", "resolved_at", "action", "action_at", "dismiss_reason"],
            batch_size=1000,
        )
    AlertChange.objects.bulk_create(changes, batch_size=1000)
    notifications.notify_later([a.pk for a in new] + [c.alert.pk for c in changes if _news(c)])
    return outcome


def _news(change: AlertChange) -> bool:
    """Whether the station is told: a warning raised again, or one turned red."""
    kind = change.kind
    return kind == AlertChange.Kind.REOPENED or (
        kind == AlertChange.Kind.LEVEL and change.level == Level.RED
    )


def _resolve(alert: Alert, now: dt.datetime) -> None:
    alert.holds = False
    alert.state = AlertState.RESOLVED
    alert.resolved_at = now


def evaluate_all(*, today: dt.date | None = None, date_driven_only: bool = False) -> Outcome:
    """Every rule over every village: the nightly pass (or, with `date_driven_only`, only the
    rules whose warnings come from the calendar going on)."""
    outcome = Outcome()
    for rule in all_rules():
        if date_driven_only and not rule.date_driven:
            continue
        outcome += evaluate(rule, today=today)
    return outcome


def evaluate_villages(village_ids, codes=None, *, today: dt.date | None = None) -> Outcome:
    """The rules `codes` (all when None) over the villages that changed."""
    villages = frozenset(int(v) for v in village_ids)
    outcome = Outcome()
    for code in codes or [r.code for r in all_rules()]:
        rule = get_rule(code)
        if rule is not None:
            outcome += evaluate(rule, villages=villages, today=today)
    return outcome


def active(queryset=None):
    """Alerts still to be dealt with (open, acknowledged or in a case)."""
    return (queryset if queryset is not None else Alert.objects).filter(state__in=ACTIVE_STATES)
