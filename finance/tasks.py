"""The monthly disclosure on the task queue: on the first working day of each month every village
publishes the month before (三务公开).

The queue runs `monthly` every day at PUBLISH_HOUR; the task itself decides whether today is the
day, by China's official working days (`supervision.deadlines`: holidays and make-up working
days from `chinesecalendar`). On a later day of the month it publishes what is still missing
(the queue was down on the day), and never a village's month twice.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.apps import AppConfig
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.db.models.signals import post_migrate
from django.utils import timezone

from finance import disclosures
from finance.models import MonthlyDisclosure
from registry.models import AdminUnit
from supervision.deadlines import is_working_day

log = logging.getLogger(__name__)

SCHEDULE_NAME = "finance-disclosures"
PUBLISH_HOUR = 6  # local time: published before the village offices open
# Statutory holidays every year (New Year's Day, National Day's first three days): days off
# even in a year the calendar package does not know yet.
STATUTORY_HOLIDAYS = frozenset({(1, 1), (10, 1), (10, 2), (10, 3)})


def first_working_day(year: int, month: int) -> dt.date:
    """The month's first working day in China (after New Year's or National Day holidays, and
    a weekend day when it is a make-up working day)."""
    day = dt.date(year, month, 1)
    while not is_working_day(day) or (day.month, day.day) in STATUTORY_HOLIDAYS:
        day += dt.timedelta(days=1)
    return day


def is_first_working_day(day: dt.date) -> bool:
    return day == first_working_day(day.year, day.month)


@dataclass
class Outcome:
    published: list[MonthlyDisclosure] = field(default_factory=list)
    skipped: list[AdminUnit] = field(default_factory=list)  # published already
    failed: list[tuple[AdminUnit, str]] = field(default_factory=list)


def villages() -> QuerySet[AdminUnit]:
    return (
        AdminUnit.objects.filter(level=AdminUnit.Level.VILLAGE)
        .select_related("parent")
        .defer("boundary", "parent__boundary")
        .order_by("code")
    )


def publish_missing(
    month: dt.date, *, among: QuerySet[AdminUnit] | None = None, actor: User | None = None
) -> Outcome:
    """Publish `month` for every village (of `among`) that has not published it yet; each
    village in a transaction of its own, so one refusal stops no other."""
    among = villages() if among is None else among
    done = set(
        MonthlyDisclosure.objects.filter(month=month, village__in=among).values_list(
            "village_id", flat=True
        )
    )
    outcome = Outcome()
    for village in among:
        if village.pk in done:
            outcome.skipped.append(village)
            continue
        try:
            outcome.published.append(disclosures.publish_month(village, month, actor=actor))
        except ValidationError as exc:
            if MonthlyDisclosure.objects.filter(village=village, month=month).exists():
                outcome.skipped.append(village)  # published meanwhile by someone else
            else:
                outcome.failed.append((village, " ".join(exc.messages)))
    return outcome


def monthly(today: dt.date | None = None) -> dict | None:
    """The queue's daily call: from the first working day of the month on, publish last month
    where it is still missing. None on the days before; else a summary the queue keeps (the
    division codes published and failed, how many were published already)."""
    today = today or timezone.localdate()
    if today < first_working_day(today.year, today.month):
        return None
    month = disclosures.previous_month(today)
    outcome = publish_missing(month)
    for village, reason in outcome.failed:
        log.error("Disclosure %s %s not published: %s", village.code, f"{month:%Y-%m}", reason)
    return {
        "month": f"{month:%Y-%m}",
        "published": [d.village.code for d in outcome.published],
        "skipped": len(outcome.skipped),
        "failed": {village.code: reason for village, reason in outcome.failed},
    }


def next_run() -> dt.datetime:
    """The next PUBLISH_HOUR o'clock in the site's time zone."""
    now = timezone.localtime()
    run = now.replace(hour=PUBLISH_HOUR, minute=0, second=0, microsecond=0)
    return run if run > now else run + dt.timedelta(days=1)


def schedule_monthly(sender, **kwargs) -> None:
    """After every migrate: the queue calls `monthly` daily (the task picks its day). When the
    schedule is new (a new installation), one call is queued at once as well, so a month due
    already is published when the worker first starts, not the next morning."""
    from django_q.models import Schedule
    from django_q.tasks import async_task

    _schedule, created = Schedule.objects.update_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "func": "finance.tasks.monthly",
            "schedule_type": Schedule.DAILY,
            "next_run": next_run(),
        },
    )
    if created:
        async_task("finance.tasks.monthly", task_name=f"{SCHEDULE_NAME}-first-run")


def connect(app: AppConfig) -> None:
    """Register this module's part when Django starts (see finance.hooks)."""
    post_migrate.connect(schedule_monthly, sender=app, dispatch_uid=SCHEDULE_NAME)
