"""Is a calendar (client business hours or region shift) open at a given instant?"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Calendar(Protocol):
    """A models.Calendar or a detached routing.CalendarView."""

    timezone: str
    weekly_hours: dict
    holiday_country: str | None
    holiday_subdivision: str | None
    around_the_clock: bool
    closures: Iterable


@lru_cache(maxsize=256)
def _holiday_set(country: str, subdivision: str | None, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, subdiv=subdivision, years=year)


def is_closed_day(calendar: Calendar, day: date) -> bool:
    if calendar.holiday_country and day in _holiday_set(
        calendar.holiday_country, calendar.holiday_subdivision, day.year
    ):
        return True
    return any(closure.day == day for closure in calendar.closures)


def _intervals(calendar: Calendar, day: date) -> list[tuple[time, time]]:
    spans = calendar.weekly_hours.get(WEEKDAYS[day.weekday()], [])
    return [(time.fromisoformat(start), time.fromisoformat(end)) for start, end in spans]


def is_open(calendar: Calendar, at: datetime) -> bool:
    """True when ``at`` falls inside the calendar's hours, in its own time zone.

    An interval that ends at or before its start runs past midnight; it belongs
    to the day it starts on, so that day's holiday status decides it.
    """
    if calendar.around_the_clock:
        return True
    local = at.astimezone(ZoneInfo(calendar.timezone))
    today, now = local.date(), local.time().replace(tzinfo=None)
    yesterday = today - timedelta(days=1)
    if not is_closed_day(calendar, today):
        for start, end in _intervals(calendar, today):
            overnight = end <= start
            if (start <= now < end) or (overnight and now >= start):
                return True
    if not is_closed_day(calendar, yesterday):
        for start, end in _intervals(calendar, yesterday):
            if end <= start and now < end:
                return True
    return False
