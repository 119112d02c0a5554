"""What people do with an alert: acknowledge it, dismiss it with a reason, turn it into a
supervision case, record what was done. Each is one transaction, a row of the alert's history
and an event in the public log (rule, level, state and the record it is about; never the
numbers of a restricted field, never a person)."""

import uuid

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import ACTIVE_STATES, Alert, AlertChange, AlertState
from alerts.rules import get_rule
from registry import services as registry_services
from registry.privacy import scrub
from registry.roles import Task
from registry.scoping import ensure_may
from registry.text import clean
from supervision import services as supervision_services
from supervision.models import Case, Category
from trail.models import Event

REASON_MIN = 5
REASON_MAX = 1000


def _text(value: str, *, field: str) -> str:
    text = clean(value or "").strip()
    if len(text) < REASON_MIN:
        raise ValidationError({field: _("Say in at least %(n)s characters.") % {"n": REASON_MIN}})
    if len(text) > REASON_MAX:
        raise ValidationError(
            {
                field: _("At most %(n)s characters (%(over)s too many).")
                % {"n": REASON_MAX, "over": len(text) - REASON_MAX}
            }
        )
    return text


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().get(pk=alert.pk)


def _record(alert: Alert, kind: str, *, actor: User | None, note: str = "") -> None:
    now = timezone.now()
    AlertChange.objects.create(
        alert=alert, kind=kind, level=alert.level, at=now, actor=actor, note=note
    )
    changes = {
        "rule": alert.rule,
        "level": alert.level,
        "state": alert.state,
        "subject_label": alert.subject_label,
    }
    if kind == AlertChange.Kind.DISMISSED:
        changes["dismiss_reason"] = scrub(note)
    elif kind == AlertChange.Kind.ACTION:
        changes["action"] = scrub(note)
    registry_services.log_event(alert, action=Event.Action.WARNING, changes=changes, actor=actor)


def _ensure_active(alert: Alert) -> None:
    if alert.state not in ACTIVE_STATES:
        raise ValidationError(
            {
                "state": _("This warning is %(state)s already.")
                % {"state": alert.get_state_display()}
            }
        )


@transaction.atomic
def acknowledge(alert: Alert, *, actor: User | None) -> Alert:
    """Someone responsible has seen the warning and is looking into it."""
    alert = _locked(alert)
    ensure_may(actor, Task.HANDLE_WARNINGS, alert)
    if alert.state == AlertState.ACKNOWLEDGED:
        return alert
    if alert.state != AlertState.OPEN:
        _ensure_active(alert)
        raise ValidationError({"state": _("Only an open warning can be acknowledged.")})
    alert.state = AlertState.ACKNOWLEDGED
    alert.acknowledged_at = timezone.now()
    alert.save(update_fields=["state", "acknowledged_at", "updated"])
    _record(alert, AlertChange.Kind.ACKNOWLEDGED, actor=actor)
    return alert


@transaction.atomic
def dismiss(alert: Alert, *, reason: str, actor: User | None) -> Alert:
    """Not a problem, and why (a public-log event with the reason). The reason counts as the
    station's record of what was done, so a red warning may resolve once its data clear."""
    reason = _text(reason, field="reason")
    alert = _locked(alert)
    ensure_may(actor, Task.HANDLE_WARNINGS, alert)
    _ensure_active(alert)
    if alert.case_id is not None:
        raise ValidationError(
            {
                "state": _(
                    "This warning is followed up as case %(case)s: it ends with the case, not "
                    "by dismissing it here."
                )
                % {"case": alert.case.reference}
            }
        )
    now = timezone.now()
    alert.dismiss_reason = reason
    alert.action, alert.action_at = reason, now
    if alert.holds:
        alert.state = AlertState.DISMISSED
    else:
        alert.state, alert.resolved_at = AlertState.RESOLVED, now
    alert.save(
        update_fields=["state", "dismiss_reason", "action", "action_at", "resolved_at", "updated"]
    )
    _record(alert, AlertChange.Kind.DISMISSED, actor=actor, note=reason)
    return alert


@transaction.atomic
def record_action(alert: Alert, *, text: str, actor: User | None) -> Alert:
    """What the station did about it (处置情况). A warning whose data have cleared resolves now;
    one still in the data resolves as soon as they clear."""
    text = _text(text, field="action")
    alert = _locked(alert)
    ensure_may(actor, Task.HANDLE_WARNINGS, alert)
    _ensure_active(alert)
    alert.action, alert.action_at = text, timezone.now()
    fields = ["action", "action_at", "updated"]
    if not alert.holds:
        alert.state, alert.resolved_at = AlertState.RESOLVED, alert.action_at
        fields += ["state", "resolved_at"]
    alert.save(update_fields=fields)
    _record(alert, AlertChange.Kind.ACTION, actor=actor, note=text)
    if alert.state == AlertState.RESOLVED:
        AlertChange.objects.create(
            alert=alert, kind=AlertChange.Kind.RESOLVED, level=alert.level, at=alert.action_at
        )
    return alert


def case_text(alert: Alert) -> str:
    """What the case says: the rule, its explanation and the records it points to."""
    lines = [f"【{alert.rule} {alert.rule_name()}】{alert.explanation()}"]
    lines += [
        f"- {item['kind']}：{item['name']} {item.get('note', '')}".rstrip()
        for item in alert.evidence
    ]
    return "\n".join(lines)[: supervision_services.TEXT_MAX]


@transaction.atomic
def open_case(alert: Alert, *, actor: User | None, category: Category | None = None) -> Case:
    """Turn the warning into a supervision case for the village's liaison station (or the
    township discipline office where the category goes there). Asked twice, it gives the case
    it made the first time."""
    alert = _locked(alert)
    ensure_may(actor, Task.HANDLE_WARNINGS, alert)
    if alert.case_id is not None:
        return alert.case
    _ensure_active(alert)
    if alert.unit.level != alert.unit.Level.VILLAGE:
        raise ValidationError(
            {"unit": _("A township-wide warning is followed up by the township, not one station.")}
        )
    rule = get_rule(alert.rule)
    category = (
        category
        or Category.objects.filter(
            code=getattr(rule, "case_category", "other"), active=True
        ).first()
        or Category.objects.filter(active=True).order_by("position").first()
    )
    if category is None:
        raise ValidationError(
            {"category": _("There is no report category to file the case under.")}
        )
    village = alert.unit
    subject = alert.subject if alert.subject_type_id else None
    submitted = supervision_services.submit_report(
        client_uuid=uuid.uuid5(uuid.NAMESPACE_URL, f"qinglian-alert-{alert.pk}"),
        category=category,
        text=case_text(alert),
        identity=Case.Identity.NAMED,
        village=village,
        subject=subject if hasattr(subject, "village") else None,
        source=Case.Source.WARNING,
    )
    alert.case = submitted.case
    alert.state = AlertState.CASE
    alert.save(update_fields=["case", "state", "updated"])
    _record(alert, AlertChange.Kind.CASE, actor=actor, note=submitted.case.reference)
    return submitted.case
