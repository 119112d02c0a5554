"""Deadlines in calendar or working days.

Working days follow China's official public holidays and the weekend days made working days
(调休), as the State Council publishes them each year, from the `chinesecalendar` package. For a
year the package does not know yet, Monday to Friday are counted as working days.
"""

import datetime as dt

import chinese_calendar

ONE_DAY = dt.timedelta(days=1)


def is_working_day(day: dt.date) -> bool:
    """A working day in China: not a public holiday, and a weekday or a make-up working day."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_days(start: dt.date, days: int, *, working: bool) -> dt.date:
    """The day `days` days after `start` (calendar days, or working days not counting `start`
    itself). A deadline that falls on a day off moves on to the next working day."""
    if not working:
        day = start + dt.timedelta(days=days)
        while not is_working_day(day):
            day += ONE_DAY
        return day
    day = start
    left = days
    while left > 0:
        day += ONE_DAY
        if is_working_day(day):
            left -= 1
    return day


def days_between(start: dt.date, end: dt.date, *, working: bool) -> int:
    """How many (working) days after `start` up to and including `end`; 0 when end <= start."""
    if end <= start:
        return 0
    if not working:
        return (end - start).days
    count = 0
    day = start
    while day < end:
        day += ONE_DAY
        count += is_working_day(day)
    return count
