"""SLA clock arithmetic: due times, warnings, pauses and time left. Pure functions.

With ``business_hours`` the clock runs only while the calendar is open;
otherwise it is the wall clock (real elapsed time). A missing calendar
(a client without one) counts as always open. Instants are aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from helpdesk.routing.calendars import Calendar, add_business_seconds, business_seconds_between


@dataclass(frozen=True)
class SlaTargets:
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    business_hours: bool
    warning_percent: int

    @classmethod
    def from_policy(cls, policy) -> SlaTargets:
        """From a models.SlaPolicy or anything with the same attributes."""
        warning = policy.warning_percent
        return cls(policy.first_response_minutes, policy.next_response_minutes, policy.resolution_minutes,
                   True if policy.business_hours is None else bool(policy.business_hours),
                   75 if warning is None else int(warning))


def _business(calendar: Calendar | None, business_hours: bool) -> bool:
    return business_hours and calendar is not None and not calendar.around_the_clock


def elapsed(calendar: Calendar | None, business_hours: bool, start: datetime, end: datetime) -> float:
    """Clock seconds in [start, end); 0 when end <= start."""
    if _business(calendar, business_hours):
        return business_seconds_between(calendar, start, end)
    return max((end - start).total_seconds(), 0.0)


def advance(calendar: Calendar | None, business_hours: bool, start: datetime, seconds: float) -> datetime:
    if _business(calendar, business_hours):
        return add_business_seconds(calendar, start, seconds)
    return start + timedelta(seconds=seconds)


def due_at(calendar: Calendar | None, targets_business_hours: bool, start: datetime, minutes: int) -> datetime:
    """When a target of ``minutes`` started at ``start`` falls due."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    return advance(calendar, targets_business_hours, start, minutes * 60)


def warning_at(calendar: Calendar | None, business_hours: bool, start: datetime, due: datetime,
               warning_percent: int) -> datetime:
    """The instant at which ``warning_percent`` of the clock time from start to due has run."""
    total = elapsed(calendar, business_hours, start, due)
    return advance(calendar, business_hours, start, total * warning_percent / 100)


def extend_for_pause(calendar: Calendar | None, business_hours: bool, due: datetime | None,
                     paused_from: datetime, paused_to: datetime) -> datetime | None:
    """``due`` pushed later by the clock time that ran while the ticket was paused.

    The clock stops during the pause and carries on afterwards; it never restarts.
    A pause that began at or after ``due`` changes nothing: the target was already
    missed and pausing must not undo that.
    """
    if due is None or paused_from >= due:
        return due
    paused = elapsed(calendar, business_hours, paused_from, paused_to)
    return advance(calendar, business_hours, due, paused) if paused > 0 else due


def remaining_seconds(calendar: Calendar | None, business_hours: bool, now: datetime, due: datetime) -> float:
    """Clock seconds from now until due; negative (the clock time since due) when overdue."""
    if now <= due:
        return elapsed(calendar, business_hours, now, due)
    return -elapsed(calendar, business_hours, due, now)
