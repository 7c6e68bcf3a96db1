"""Business-time arithmetic on calendars (client business hours or region shifts).

Everything here is pure: no database, no Flask. Instants in and out are
timezone-aware UTC; each calendar's weekly hours are local wall-clock times in
its own IANA zone and are turned into real instants day by day.

Rules, shared by every function so they always agree with one another:

* An interval whose end is at or before its start runs past midnight and
  belongs to the local day it starts on (``["22:00", "06:00"]``; ``"00:00"``
  as an end means midnight; ``"24:00"`` is accepted as a synonym for it).
* A holiday (``holidays`` package, country + subdivision) or an ad-hoc
  closure closes every interval that *starts* on that local day, including
  the after-midnight part of an overnight shift; a shift that started the
  evening before still runs into the holiday morning.
* A local time that does not exist (spring-forward gap) means the first real
  instant after the gap, i.e. the transition itself, for starts and ends.
* A local time that occurs twice (fall-back) means its first occurrence
  (``fold=0``), for starts and ends. Durations are real elapsed time, so
  00:00-06:00 on the night clocks go back lasts 7 hours.
* ``around_the_clock`` calendars are always open; holidays do not apply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# How far a search looks before deciding a calendar is never open / never changes.
SEARCH_DAYS = 366

Span = tuple[datetime, datetime]


class Calendar(Protocol):
    """A models.Calendar or a detached CalendarView."""

    timezone: str
    weekly_hours: dict
    holiday_country: str | None
    holiday_subdivision: str | None
    around_the_clock: bool
    closures: Iterable


@dataclass(frozen=True)
class ClosureDay:
    day: date


@dataclass(frozen=True)
class CalendarView:
    """The parts of a Calendar these functions read, detached from any session (routing's
    per-process cache, report facts read with a plain connection)."""

    timezone: str
    weekly_hours: dict
    holiday_country: str | None
    holiday_subdivision: str | None
    around_the_clock: bool
    closures: tuple[ClosureDay, ...]

    @classmethod
    def of(cls, calendar: Calendar) -> CalendarView:
        """A copy of a models.Calendar (its closures loaded) that outlives the session."""
        return cls(calendar.timezone, dict(calendar.weekly_hours or {}), calendar.holiday_country,
                   calendar.holiday_subdivision, calendar.around_the_clock,
                   tuple(ClosureDay(c.day) for c in calendar.closures))


@lru_cache(maxsize=256)
def _holiday_set(country: str, subdivision: str | None, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, subdiv=subdivision, years=year)


def is_closed_day(calendar: Calendar, day: date) -> bool:
    if calendar.holiday_country and day in _holiday_set(
        calendar.holiday_country, calendar.holiday_subdivision, day.year
    ):
        return True
    return any(closure.day == day for closure in calendar.closures or ())


def _closed_days(calendar: Calendar) -> Callable[[date], bool]:
    """``is_closed_day`` with the closures read once, for walks over many days."""
    closures = frozenset(closure.day for closure in calendar.closures or ())
    country, subdivision = calendar.holiday_country, calendar.holiday_subdivision

    def closed(day: date) -> bool:
        return day in closures or bool(country and day in _holiday_set(country, subdivision, day.year))

    return closed


@lru_cache(maxsize=64)
def _parse_time(text: str) -> time:
    return time(0) if text == "24:00" else time.fromisoformat(text)


def _intervals(calendar: Calendar, day: date) -> list[tuple[time, time]]:
    spans = (calendar.weekly_hours or {}).get(WEEKDAYS[day.weekday()], [])
    return [(_parse_time(start), _parse_time(end)) for start, end in spans]


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; use timezone-aware UTC")
    return moment.astimezone(UTC)


def _local_to_utc(zone: ZoneInfo, day: date, wall: time) -> datetime:
    """The instant a local wall-clock time stands for (see the module rules for gaps and folds)."""
    naive = datetime.combine(day, wall)
    instant = naive.replace(tzinfo=zone).astimezone(UTC)  # fold=0: the first occurrence
    if instant.astimezone(zone).replace(tzinfo=None) == naive:
        return instant
    # In a gap fold=0 applies the offset from before the transition, landing after it, and
    # fold=1 the offset from after, landing before it: the transition lies between the two.
    before = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return _transition(zone, before, instant)


def _transition(zone: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The first instant in (before, after] with after's UTC offset (transitions fall on whole seconds)."""
    target = after.astimezone(zone).utcoffset()
    low, high = int(before.timestamp()), int(after.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == target:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _day_spans(calendar: Calendar, zone: ZoneInfo, day: date, closed: Callable[[date], bool]) -> list[Span]:
    """The UTC spans of the intervals that start on local ``day``, sorted, empty ones dropped."""
    if closed(day):
        return []
    spans = []
    for start, end in _intervals(calendar, day):
        opens = _local_to_utc(zone, day, start)
        closes = _local_to_utc(zone, day + timedelta(days=1) if end <= start else day, end)
        if closes > opens:
            spans.append((opens, closes))
    spans.sort()
    return spans


def _disjoint_spans(calendar: Calendar, first_day: date, last_day: date | None = None) -> Iterator[Span]:
    """Open spans of the local days first_day..last_day, in order and without overlaps.

    Adjacent spans are not merged, so the stream never waits on a calendar that is
    open without a break. Without ``last_day`` it runs on for as long as the
    calendar keeps opening and raises ValueError after SEARCH_DAYS days in a row
    with no open hours.
    """
    zone, closed = ZoneInfo(calendar.timezone), _closed_days(calendar)
    # The fold=0 mapping from wall time to instants never goes backwards, so spans of
    # later days never start before spans of earlier days; only their ends can overlap.
    reached: datetime | None = None
    idle_days, day = 0, first_day
    while last_day is None or day <= last_day:
        spans = _day_spans(calendar, zone, day, closed)
        if spans:
            idle_days = 0
        else:
            idle_days += 1
            if last_day is None and idle_days >= SEARCH_DAYS:
                raise ValueError("calendar is never open")
        for opens, closes in spans:
            if reached is not None and opens < reached:
                opens = reached
            if closes > opens:
                yield opens, closes
                reached = closes
        day += timedelta(days=1)


def _local_date(calendar: Calendar, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(calendar.timezone)).date()


def is_open(calendar: Calendar, at: datetime) -> bool:
    """True when ``at`` falls inside the calendar's hours, in its own time zone.

    An interval that ends at or before its start runs past midnight; it belongs
    to the day it starts on, so that day's holiday status decides it.
    """
    if calendar.around_the_clock:
        return True
    at = _as_utc(at)
    today = _local_date(calendar, at)
    zone, closed = ZoneInfo(calendar.timezone), _closed_days(calendar)
    for offset in (-1, 0, 1):
        for opens, closes in _day_spans(calendar, zone, today + timedelta(days=offset), closed):
            if opens <= at < closes:
                return True
    return False


def open_intervals(calendar: Calendar, start: datetime, end: datetime) -> Iterator[Span]:
    """The open periods within [start, end) as UTC (start, end) pairs, in order, adjacent ones merged."""
    start, end = _as_utc(start), _as_utc(end)
    if end <= start:
        return
    if calendar.around_the_clock:
        yield start, end
        return
    first_day = _local_date(calendar, start) - timedelta(days=1)
    last_day = _local_date(calendar, end) + timedelta(days=1)
    pending: Span | None = None
    for opens, closes in _disjoint_spans(calendar, first_day, last_day):
        if opens >= end:
            break
        opens, closes = max(opens, start), min(closes, end)
        if closes <= opens:
            continue
        if pending is not None and opens <= pending[1]:
            pending = (pending[0], max(pending[1], closes))
            continue
        if pending is not None:
            yield pending
        pending = (opens, closes)
    if pending is not None:
        yield pending


def business_seconds_between(calendar: Calendar, start: datetime, end: datetime) -> float:
    """Open seconds in [start, end); 0 when end <= start."""
    total = timedelta()
    for opens, closes in open_intervals(calendar, start, end):
        total += closes - opens
    return total.total_seconds()


def add_business_seconds(calendar: Calendar, start: datetime, seconds: float) -> datetime:
    """The earliest instant by which ``seconds`` of open time have passed since ``start``.

    Counting begins at the next opening when ``start`` is in closed time; when the
    seconds run out exactly at a closing, that closing is the answer. Zero seconds
    give ``start`` itself. Raises ValueError("calendar is never open") when a whole
    SEARCH_DAYS days go by without open hours.
    """
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    start = _as_utc(start)
    remaining = timedelta(seconds=seconds)
    if calendar.around_the_clock or not remaining:
        return start + remaining
    for opens, closes in _disjoint_spans(calendar, _local_date(calendar, start) - timedelta(days=1)):
        if closes <= start:
            continue
        opens = max(opens, start)
        if remaining <= closes - opens:
            return opens + remaining
        remaining -= closes - opens
    raise AssertionError("unreachable: the span stream is endless or raises")  # pragma: no cover


def next_change(calendar: Calendar, at: datetime) -> datetime | None:
    """The next instant after ``at`` at which ``is_open`` flips, looking SEARCH_DAYS days ahead.

    None for around-the-clock calendars and when nothing changes within the search.
    """
    if calendar.around_the_clock:
        return None
    at = _as_utc(at)
    horizon = at + timedelta(days=SEARCH_DAYS)
    for opens, closes in open_intervals(calendar, at, horizon):
        if opens > at:
            return opens
        return closes if closes < horizon else None
    return None
