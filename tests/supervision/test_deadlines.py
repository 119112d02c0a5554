"""Deadlines in working days follow China's 2026 holidays and make-up working days (调休)."""

import datetime as dt

import pytest

from supervision import deadlines, services
from supervision.models import Case, State

D = dt.date


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # National Day 2026: 1-7 October off, Saturday 10 October worked.
        (D(2026, 9, 28), 10, D(2026, 10, 16)),
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 10, 9), 1, D(2026, 10, 10)),  # a Saturday made a working day
        (D(2026, 10, 10), 1, D(2026, 10, 12)),
        # Sunday 20 September worked; Mid-Autumn (Friday 25 September) off.
        (D(2026, 9, 18), 1, D(2026, 9, 20)),
        (D(2026, 9, 24), 1, D(2026, 9, 28)),
        (D(2026, 11, 27), 5, D(2026, 12, 4)),  # an ordinary week: weekends off
    ],
)
def test_working_days_skip_holidays_and_count_made_up_days(start, days, due):
    assert deadlines.add_days(start, days, working=True) == due


def test_a_calendar_deadline_on_a_holiday_moves_to_the_next_working_day():
    assert deadlines.add_days(D(2026, 9, 26), 7, working=False) == D(2026, 10, 8)
    assert deadlines.add_days(D(2026, 11, 2), 3, working=False) == D(2026, 11, 5)


def test_a_year_the_calendar_does_not_know_counts_weekdays():
    assert deadlines.is_working_day(D(2031, 1, 6))  # a Monday
    assert not deadlines.is_working_day(D(2031, 1, 4))  # a Saturday


def test_working_days_between_count_only_working_days():
    assert deadlines.days_between(D(2026, 9, 30), D(2026, 10, 10), working=True) == 3
    assert deadlines.days_between(D(2026, 10, 10), D(2026, 9, 30), working=True) == 0


def test_a_report_is_due_after_its_categorys_working_days(report, settings):
    submitted = report()
    case = submitted.case
    received = case.created.date()
    assert case.due_on == deadlines.add_days(received, 15, working=True)


def test_lateness_is_once_then_three_times_over(case_in):
    case = case_in(State.ACCEPTED)
    received = case.created.date()
    allowed = deadlines.days_between(received, case.due_on, working=True)
    assert services.lateness(case, today=case.due_on) == 0
    assert services.lateness(case, today=deadlines.add_days(case.due_on, 1, working=True)) == 1
    three_times = deadlines.add_days(received, allowed * 3, working=True)
    assert services.lateness(case, today=three_times) == 3
    Case.objects.filter(pk=case.pk).update(state=State.CLOSED)
    case.refresh_from_db()
    assert services.lateness(case, today=three_times) == 0


def test_an_overdue_case_is_escalated_to_the_township_once(case_in):
    case = case_in(State.ACCEPTED)
    late_day = case.due_on + dt.timedelta(days=1)
    assert services.escalate_overdue(today=late_day) >= 1
    case.refresh_from_db()
    assert case.escalated
    assert services.escalate_overdue(today=late_day) == 0
