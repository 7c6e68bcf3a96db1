"""The business clock of report facts: each client's calendar loaded once, seconds of business time
between two moments (opening hours, holidays, closures)."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from helpdesk.client.models import Client
from helpdesk.routing.calendars import CalendarView, ClosureDay, business_seconds_between, open_intervals
from helpdesk.routing.models import Calendar, CalendarClosure


def load_calendars(connection: Connection, client_ids: Iterable[int] | None = None) -> dict[int, CalendarView | None]:
    """Each client's business calendar (None: the client has none, so every hour counts)."""
    query = select(Client.id, Calendar.id, Calendar.timezone, Calendar.weekly_hours, Calendar.holiday_country,
                   Calendar.holiday_subdivision, Calendar.around_the_clock
                   ).select_from(Client).outerjoin(Calendar, Calendar.id == Client.calendar_id)
    if client_ids is not None:
        query = query.where(Client.id.in_(list(client_ids)))
    rows = connection.execute(query).all()
    calendar_ids = {row[1] for row in rows if row[1] is not None}
    closures: dict[int, list] = defaultdict(list)
    if calendar_ids:
        for calendar_id, day in connection.execute(select(CalendarClosure.calendar_id, CalendarClosure.day).where(
                CalendarClosure.calendar_id.in_(calendar_ids))):
            closures[calendar_id].append(ClosureDay(day))
    return {client_id: None if calendar_id is None else CalendarView(
        tz, hours or {}, country, subdivision, bool(always), tuple(closures[calendar_id]))
        for client_id, calendar_id, tz, hours, country, subdivision, always in rows}


class BusinessClock:
    """Business seconds between instants in one calendar, from open spans precomputed once (bulk rebuilds).

    Gives exactly ``calendars.business_seconds_between`` (the same open intervals, summed by prefix).
    """

    def __init__(self, calendar: CalendarView | None, start: datetime, end: datetime) -> None:
        self.always = calendar is None or calendar.around_the_clock
        self.start, self.end = start, end
        self.calendar = calendar
        self.opens: list[float] = []
        self.closes: list[float] = []
        self.before: list[float] = []  # open seconds before each span
        if not self.always:
            total = 0.0
            for opens, closes in open_intervals(calendar, start, end):
                self.opens.append(opens.timestamp())
                self.closes.append(closes.timestamp())
                self.before.append(total)
                total += (closes - opens).total_seconds()

    def _cumulative(self, t: float) -> float:
        i = bisect_right(self.opens, t) - 1
        if i < 0:
            return 0.0
        return self.before[i] + min(t, self.closes[i]) - self.opens[i]

    def between(self, a: datetime, b: datetime) -> float:
        if b <= a:
            return 0.0
        if self.always:
            return (b - a).total_seconds()
        if a < self.start or b > self.end:
            return business_seconds_between(self.calendar, a, b)
        return self._cumulative(b.timestamp()) - self._cumulative(a.timestamp())


def business_seconds(calendar: CalendarView | None, start: datetime, end: datetime) -> float:
    """Open seconds of the client's calendar in [start, end); wall-clock when the client has no calendar."""
    if calendar is None or calendar.around_the_clock:
        return max((end - start).total_seconds(), 0.0)
    return business_seconds_between(calendar, start, end)
