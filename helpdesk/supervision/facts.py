"""Report facts kept as tickets change, and additive rollups of them, so reports never scan tickets.

Two layers (tables in helpdesk/models/report.py):

* ``ticket_facts``: one row per ticket, written in the same flush as the ticket
  (mapper events on Ticket below): its client, region, channel, priority and
  assignee now, when it was created, first answered, solved and left the open
  backlog, and the durations to first response and to resolution both in the
  client's business calendar and wall-clock. A duration is computed once, when
  its end happens (calendar arithmetic never runs at report time).
* ``report_rollups``: sums of those facts per time bucket and key. Each fact
  contributes to a bucket per event (created, first response, solve, leaving
  the backlog) at three grains: quarter hour (every UTC offset in use is a
  whole number of quarter hours, so local hours and days of any zone, +05:30
  and +05:45 included, are exact sums of them), hour and UTC day.

The rollups are not updated inside the ticket's transaction: the per-day and
per-client rows would be hot rows every ticket write of a client queues on.
Instead a changed fact is marked ``pending`` and ``roll()`` later adds the
difference between the fact now and the fact as last rolled (``rolled``) to
the rollups, for many facts in one transaction. Reports call ``roll()`` first,
so they always include every committed change. ``rebuild()`` recomputes
everything from the tickets table (existing data, bulk loads).
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    case,
    cast,
    delete,
    event,
    func,
    insert,
    inspect,
    literal_column,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from helpdesk.client.models import Client
from helpdesk.extensions import db
from helpdesk.platform import sqlite as sqlite_settings
from helpdesk.routing.calendars import business_seconds_between, open_intervals
from helpdesk.routing.models import Calendar, CalendarClosure
from helpdesk.supervision.models import GRAINS, MEASURES, CsatResponse, ReportRollup, TicketFact
from helpdesk.tickets.models import OPEN_STATUSES, Ticket

FACTS = TicketFact.__table__
ROLLUPS = ReportRollup.__table__
KEY = ("kind", "grain", "bucket", "client_id", "region_id", "channel", "priority", "agent_id")
# Ticket attributes whose change changes the ticket's facts.
WATCHED = ("client_id", "region_id", "channel", "priority", "assignee_id", "status", "created_at",
           "first_responded_at", "solved_at", "closed_at", "assigned_at", "first_response_due_at",
           "resolution_due_at")
ROLL_BATCH = 5000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
INDEX = {name: i for i, name in enumerate(MEASURES)}


# ---------------------------------------------------------------- calendars


@dataclass(frozen=True)
class _Closure:
    day: date


@dataclass
class CalendarView:
    """A detached calendar (calendars.Calendar protocol), read with a plain connection."""

    timezone: str
    weekly_hours: dict
    holiday_country: str | None
    holiday_subdivision: str | None
    around_the_clock: bool
    closures: list = field(default_factory=list)


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
            closures[calendar_id].append(_Closure(day))
    return {client_id: None if calendar_id is None else CalendarView(
        tz, hours or {}, country, subdivision, bool(always), closures[calendar_id])
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


# ---------------------------------------------------------------- facts of one ticket


def _seconds(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(int(round((end - start).total_seconds())), 0)


def _met(done: datetime | None, due: datetime | None) -> bool | None:
    return None if done is None or due is None else done <= due


def base_values(t: Any) -> dict[str, Any]:
    """The cheap facts of a ticket (or a row with the same attribute names)."""
    open_now = t.status in OPEN_STATUSES
    solved_at = t.solved_at if t.status in ("solved", "closed") else None
    return {
        "ticket_id": t.id, "client_id": t.client_id, "region_id": t.region_id, "channel": t.channel,
        "priority": t.priority, "assignee_id": t.assignee_id, "created_at": t.created_at,
        "first_response_at": t.first_responded_at, "solved_at": solved_at,
        "done_at": None if open_now else (solved_at or t.closed_at or t.updated_at),
        "fr_met": _met(t.first_responded_at, t.first_response_due_at),
        "res_met": _met(solved_at, t.resolution_due_at),
        "handle_s": _seconds(t.assigned_at, solved_at) if t.assignee_id is not None else None,
    }


def first_response_values(t: Any, between) -> dict[str, Any]:
    if t.first_responded_at is None:
        return {"fr_business_s": None, "fr_wall_s": None}
    return {"fr_business_s": int(round(between(t.created_at, t.first_responded_at))),
            "fr_wall_s": _seconds(t.created_at, t.first_responded_at)}


def resolution_values(t: Any, solved_at: datetime | None, between) -> dict[str, Any]:
    if solved_at is None:
        return {"res_business_s": None, "res_wall_s": None}
    return {"res_business_s": int(round(between(t.created_at, solved_at))),
            "res_wall_s": _seconds(t.created_at, solved_at)}


def _insert(connection: Connection):
    return (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(FACTS)


@lru_cache(maxsize=128)
def _upsert_statement(dialect: str, names: tuple[str, ...]):
    """The fact upsert for this set of columns, built once: building it per ticket (``excluded``,
    ``values``) cost more than running it, about 10 % of an email import."""
    insert_ = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(FACTS)
    statement = insert_.values({**{name: bindparam(f"v_{name}") for name in names}, "version": 1, "pending": True})
    changed = {name: statement.excluded[name] for name in names if name != "ticket_id"}
    return statement.on_conflict_do_update(
        index_elements=["ticket_id"], set_={**changed, "version": FACTS.c.version + 1, "pending": True})


def _upsert_fact(connection: Connection, values: dict[str, Any]) -> None:
    statement = _upsert_statement(connection.dialect.name, tuple(sorted(values)))
    connection.execute(statement, {f"v_{name}": value for name, value in values.items()})


def _changed_names(target: Any, names: Iterable[str]) -> set[str]:
    state = inspect(target)
    return {name for name in names if state.attrs[name].history.has_changes()}


def _changed(target: Any, *names: str) -> bool:
    return bool(_changed_names(target, names))


# Routing's own changes: who holds a waiting ticket. No report reads them until the ticket is
# answered or solved, and those writes carry the assignee and assigned_at of that moment; skipping
# them keeps an extra statement out of every routing transaction.
ROUTING_ONLY = frozenset(("assignee_id", "assigned_at", "status"))
STILL_WAITING = ("new", "open")


def _routing_only(target: Ticket, changed: set[str]) -> bool:
    if not changed <= ROUTING_ONLY:
        return False
    status = inspect(target).attrs["status"].history
    return all(value in STILL_WAITING for value in (*status.deleted, target.status))


def _ticket_written(connection: Connection, target: Ticket, new: bool) -> None:
    # One pass over the attribute histories: this runs in every flush that changes a ticket.
    changed = set() if new else _changed_names(target, WATCHED)
    if not new and (not changed or _routing_only(target, changed)):
        return
    values = base_values(target)
    fr_changed = new or bool(changed & {"first_responded_at", "created_at"})
    res_changed = new or bool(changed & {"solved_at", "status", "created_at"})
    calendar: list = []

    def between(a: datetime, b: datetime) -> float:
        if not calendar:
            calendar.append(load_calendars(connection, [target.client_id]).get(target.client_id))
        return business_seconds(calendar[0], a, b)

    if fr_changed:
        values.update(first_response_values(target, between))
    if res_changed:
        values.update(resolution_values(target, values["solved_at"], between))
    _upsert_fact(connection, values)


@event.listens_for(Ticket, "after_insert")
def _after_insert(_mapper, connection: Connection, target: Ticket) -> None:
    _ticket_written(connection, target, True)


@event.listens_for(Ticket, "after_update")
def _after_update(_mapper, connection: Connection, target: Ticket) -> None:
    _ticket_written(connection, target, False)


# ---------------------------------------------------------------- CSAT answers

# CSAT answers are summed in rows of kind "S" per UTC day and (client, region, agent), reusing three measure
# columns: ``created`` = answers, ``handle_s`` = rating points, ``fr_met`` = satisfied answers (4 or 5).
SATISFIED = 4
CSAT_MEASURES = {"created": "responses", "handle_s": "points", "fr_met": "satisfied"}
CSAT_GRAINS = ("q", "d", "m")  # quarter hours for the partial days at a range's edges


def _csat_key_and_sums(connection: Connection, client_id: int, ticket_id: int, agent_id: int | None,
                       rating: int | None, answered_at: datetime | None) -> list[tuple[tuple, list[int]]]:
    if rating is None or answered_at is None:
        return []
    region = connection.execute(select(Ticket.region_id).where(Ticket.id == ticket_id)).scalar()
    sums = [0] * len(MEASURES)
    sums[INDEX["created"]], sums[INDEX["handle_s"]] = 1, rating
    sums[INDEX["fr_met"]] = 1 if rating >= SATISFIED else 0
    at = _when(answered_at)
    return [(("S", grain, bucket_start(at, grain), client_id, region or 0, "", "", agent_id or 0), sums)
            for grain in CSAT_GRAINS]


def _old(target: Any, name: str) -> Any:
    history = inspect(target).attrs[name].history
    return history.deleted[0] if history.deleted else getattr(target, name)


def _csat_written(connection: Connection, target: CsatResponse, new: bool) -> None:
    names = ("rating", "answered_at", "agent_id", "client_id", "ticket_id")
    if not new and not _changed(target, *names):
        return
    totals = _new_totals()
    if not new:
        for key, sums in _csat_key_and_sums(connection, *[_old(target, n) for n in (
                "client_id", "ticket_id", "agent_id", "rating", "answered_at")]):
            totals[key] = [-v for v in sums]
    for key, sums in _csat_key_and_sums(connection, target.client_id, target.ticket_id, target.agent_id,
                                        target.rating, target.answered_at):
        row = totals[key]
        for i, value in enumerate(sums):
            row[i] += value
    _apply(connection, totals)


@event.listens_for(CsatResponse, "after_insert")
def _csat_inserted(_mapper, connection: Connection, target: CsatResponse) -> None:
    _csat_written(connection, target, True)


@event.listens_for(CsatResponse, "after_update")
def _csat_updated(_mapper, connection: Connection, target: CsatResponse) -> None:
    _csat_written(connection, target, False)


def _csat_rollups(connection: Connection, client_id: int | None) -> None:
    """The "S" rows summed in SQL from csat_responses (rebuild)."""
    where = [ROLLUPS.c.kind == "S"] + ([] if client_id is None else [ROLLUPS.c.client_id == client_id])
    connection.execute(delete(ROLLUPS).where(*where))
    for grain in CSAT_GRAINS:
        _csat_grain(connection, client_id, grain)


def _csat_grain(connection: Connection, client_id: int | None, grain: str) -> None:
    c = CsatResponse.__table__.c
    none, blank = literal_column("0"), literal_column("''")
    bucket = _bucket(c.answered_at, grain, connection.dialect.name)
    region = func.coalesce(Ticket.region_id, none)
    agent = func.coalesce(c.agent_id, none)
    measures = {name: none for name in MEASURES}
    measures.update(created=func.count(), handle_s=func.sum(c.rating),
                    fr_met=func.sum(case((c.rating >= literal_column(str(SATISFIED)), literal_column("1")),
                                         else_=none)))
    statement = (select(literal_column("'S'"), literal_column(f"'{grain}'"), bucket, c.client_id, region, blank, blank,
                        agent, *[measures[name] for name in MEASURES])
                 .select_from(CsatResponse.__table__.join(Ticket.__table__, Ticket.id == c.ticket_id))
                 .where(c.rating.isnot(None), c.answered_at.isnot(None),
                        *([] if client_id is None else [c.client_id == client_id]))
                 .group_by(bucket, c.client_id, region, agent))
    connection.execute(insert(ROLLUPS).from_select(list(KEY) + list(MEASURES), statement))


# ---------------------------------------------------------------- rollups


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _when(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


SNAPSHOT = ("client_id", "region_id", "channel", "priority", "assignee_id", "created_at", "first_response_at",
            "solved_at", "done_at", "fr_business_s", "fr_wall_s", "res_business_s", "res_wall_s", "fr_met",
            "res_met", "handle_s")


def snapshot(row: Any) -> dict[str, Any]:
    """A fact as JSON (what ``rolled`` keeps)."""
    out = {}
    for name in SNAPSHOT:
        value = getattr(row, name)
        out[name] = _iso(value) if isinstance(value, datetime) else value
    return out


def bucket_start(moment: datetime, grain: str) -> datetime:
    """The UTC start of the bucket of ``grain`` ("q", "h", "d" or "m" for a calendar month) holding ``moment``."""
    if grain == "m":
        return moment.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return _floor(moment, GRAINS[grain])


def _floor(moment: datetime, seconds: int) -> datetime:
    stamp = int((moment - EPOCH).total_seconds())
    return EPOCH + timedelta(seconds=stamp - stamp % seconds)


def events_of(fact: dict[str, Any]) -> Iterator[tuple[datetime, dict[int, int]]]:
    """(instant, {measure index: amount}) for each thing that happened to the ticket."""
    yield _when(fact["created_at"]), {INDEX["created"]: 1, INDEX["backlog_delta"]: 1}
    if fact["first_response_at"] is not None:
        measures = {INDEX["first_responses"]: 1, INDEX["fr_business_s"]: fact["fr_business_s"] or 0,
                    INDEX["fr_wall_s"]: fact["fr_wall_s"] or 0}
        if fact["fr_met"] is not None:
            measures[INDEX["fr_met" if fact["fr_met"] else "fr_breached"]] = 1
        yield _when(fact["first_response_at"]), measures
    if fact["solved_at"] is not None:
        measures = {INDEX["solved"]: 1, INDEX["res_business_s"]: fact["res_business_s"] or 0,
                    INDEX["res_wall_s"]: fact["res_wall_s"] or 0, INDEX["handle_s"]: fact["handle_s"] or 0}
        if fact["res_met"] is not None:
            measures[INDEX["res_met" if fact["res_met"] else "res_breached"]] = 1
        yield _when(fact["solved_at"]), measures
    if fact["done_at"] is not None:
        yield _when(fact["done_at"]), {INDEX["backlog_delta"]: -1}


# (kind, grains) each event is added to. Per-client series get quarter hours (local hours of any zone);
# the wide keys (T, A) only UTC days: the partial days at the edges of a range are summed from the facts.
# "G" holds every client together (client 0): series for an all-clients scope read one row per bucket.
# Months ("m") let a year-long range read twelve rows per key instead of 365.
LAYOUT = (("T", ("d", "m")), ("C", ("q", "h", "d")), ("G", ("q", "h", "d")), ("A", ("d", "m")))


def kind_keys(fact: dict[str, Any]) -> dict[str, tuple]:
    client = fact["client_id"]
    return {"T": (client, fact["region_id"] or 0, fact["channel"], fact["priority"], 0),
            "C": (client, 0, "", "", 0),
            "G": (0, 0, "", "", 0),
            "A": (client, 0, "", "", fact["assignee_id"] or 0)}


def add_contributions(totals: dict[tuple, list[int]], fact: dict[str, Any], sign: int) -> None:
    keys = kind_keys(fact)
    for instant, measures in events_of(fact):
        for kind, grains in LAYOUT:
            rest = keys[kind]
            for grain in grains:
                row = totals[(kind, grain, bucket_start(instant, grain), *rest)]
                for index, amount in measures.items():
                    row[index] += sign * amount


def window_sums(scope: Any, start: datetime, end: datetime, kind: str) -> dict[tuple, list[int]]:
    """The sums a rollup of ``kind`` ("T" or "A") would hold for [start, end), summed from the facts in SQL.

    Keys as in ``kind_keys``; the same figures as ``window_sums_reference`` (events_of), one grouped query
    per kind of event."""
    if end <= start:
        return {}
    f = FACTS.c
    if kind == "T":
        keys = [f.client_id, func.coalesce(f.region_id, 0), f.channel, f.priority]

        def rest(row) -> tuple:
            return (row[0], row[1], row[2], row[3], 0)
    elif kind == "A":
        keys = [f.client_id, func.coalesce(f.assignee_id, 0)]

        def rest(row) -> tuple:
            return (row[0], 0, "", "", row[1])
    else:
        raise ValueError(f"window sums are for kinds T and A, not {kind!r}")

    def total(column) -> Any:
        return func.coalesce(func.sum(column), 0)

    def flag(column, value: bool) -> Any:
        return func.coalesce(func.sum(case((column.is_(value), 1), else_=0)), 0)

    plans = (
        (f.created_at, [func.count()], ("created",), 1),
        (f.done_at, [func.count()], ("backlog_delta",), -1),
        (f.first_response_at, [func.count(), total(f.fr_business_s), total(f.fr_wall_s), flag(f.fr_met, True),
                               flag(f.fr_met, False)],
         ("first_responses", "fr_business_s", "fr_wall_s", "fr_met", "fr_breached"), 1),
        (f.solved_at, [func.count(), total(f.res_business_s), total(f.res_wall_s), total(f.handle_s),
                       flag(f.res_met, True), flag(f.res_met, False)],
         ("solved", "res_business_s", "res_wall_s", "handle_s", "res_met", "res_breached"), 1),
    )
    totals = _new_totals()
    for instant, sums, names, sign in plans:
        statement = (select(*keys, *sums).where(scope.where(TicketFact), instant >= start, instant < end)
                     .group_by(*keys))
        for row in db.session.execute(statement):
            target = totals[rest(row)]
            for offset, name in enumerate(names):
                target[INDEX[name]] += sign * int(row[len(keys) + offset] or 0)
    _created_also_backlog(totals)
    return totals


def _created_also_backlog(totals: dict[tuple, list[int]]) -> None:
    """A creation adds one to the backlog too (events_of): backlog_delta so far holds only the departures."""
    for sums in totals.values():
        sums[INDEX["backlog_delta"]] += sums[INDEX["created"]]


def window_sums_reference(scope: Any, start: datetime, end: datetime, kind: str) -> dict[tuple, list[int]]:
    """``window_sums`` computed in Python from each fact's events (the definition; for tests)."""
    if end <= start:
        return {}
    window = [and_(column >= start, column < end) for column in
              (FACTS.c.created_at, FACTS.c.first_response_at, FACTS.c.solved_at, FACTS.c.done_at)]
    query = select(*_fact_columns()).where(scope.where(TicketFact), or_(*window))
    totals = _new_totals()
    for fact in db.session.execute(query):
        snap = snapshot(fact)
        rest = kind_keys(snap)[kind]
        for instant, measures in events_of(snap):
            if start <= instant < end:
                row = totals[rest]
                for index, amount in measures.items():
                    row[index] += amount
    return totals


def _new_totals() -> dict[tuple, list[int]]:
    return defaultdict(lambda: [0] * len(MEASURES))


def _apply(connection: Connection, totals: dict[tuple, list[int]]) -> None:
    """Add the sums to the rollups (sorted, so concurrent rollers lock rows in one order)."""
    rows = [dict(zip(KEY, key, strict=True), **dict(zip(MEASURES, sums, strict=True)))
            for key, sums in sorted(totals.items()) if any(sums)]
    if not rows:
        return
    insert = (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(ROLLUPS)
    statement = insert.on_conflict_do_update(
        index_elements=list(KEY), set_={m: ROLLUPS.c[m] + insert.excluded[m] for m in MEASURES})
    for first in range(0, len(rows), 5000):
        connection.execute(statement, rows[first:first + 5000])


def _fact_columns():
    return [FACTS.c.ticket_id, FACTS.c.version, FACTS.c.rolled, *[FACTS.c[name] for name in SNAPSHOT]]


def roll(limit: int | None = None) -> int:
    """Add every pending fact change to the rollups; returns how many facts were rolled. Commits."""
    session = db.session
    if session.execute(select(FACTS.c.ticket_id).where(FACTS.c.pending.is_(True)).limit(1)).first() is None:
        session.rollback()
        return 0
    session.commit()  # end a read transaction: rolling writes
    token = sqlite_settings._deferred.set(False)  # on SQLite take the write lock first (BEGIN IMMEDIATE)
    rolled = 0
    try:
        while limit is None or rolled < limit:
            query = select(*_fact_columns()).where(FACTS.c.pending.is_(True)).order_by(FACTS.c.ticket_id) \
                .limit(ROLL_BATCH)
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            facts = session.execute(query).all()
            if not facts:
                break
            totals = _new_totals()
            marks = []
            for fact in facts:
                now = snapshot(fact)
                add_contributions(totals, now, 1)
                if fact.rolled:
                    add_contributions(totals, fact.rolled, -1)
                marks.append({"tid": fact.ticket_id, "seen": fact.version, "snap": now})
            connection = session.connection()
            _apply(connection, totals)
            connection.execute(
                update(FACTS).where(FACTS.c.ticket_id == bindparam("tid")).values(
                    rolled=bindparam("snap"),
                    pending=case((FACTS.c.version == bindparam("seen"), False), else_=True)),
                marks)
            session.commit()
            rolled += len(facts)
            if len(facts) < ROLL_BATCH:
                break
    finally:
        sqlite_settings._deferred.reset(token)
        session.rollback()
    return rolled


# ---------------------------------------------------------------- rebuild


TICKET_COLUMNS = (Ticket.id, Ticket.client_id, Ticket.region_id, Ticket.channel, Ticket.priority,
                  Ticket.assignee_id, Ticket.status, Ticket.created_at, Ticket.updated_at,
                  Ticket.first_responded_at, Ticket.solved_at, Ticket.closed_at, Ticket.assigned_at,
                  Ticket.first_response_due_at, Ticket.resolution_due_at)


def facts_of(row: Any, clock: BusinessClock) -> dict[str, Any]:
    values = base_values(row)
    values.update(first_response_values(row, clock.between))
    values.update(resolution_values(row, values["solved_at"], clock.between))
    return values


def rebuild(client_id: int | None = None, batch: int = 10000) -> int:
    """Recompute the facts of every ticket (of one client) from the tickets table, then the rollups.

    Rollups are summed from scratch, so anything written around them is replaced. Commits; returns the
    number of tickets.
    """
    session = db.session
    session.commit()
    token = sqlite_settings._deferred.set(False)
    try:
        connection = session.connection()
        where = [] if client_id is None else [Ticket.client_id == client_id]
        connection.execute(delete(ROLLUPS).where(*([] if client_id is None else [ROLLUPS.c.client_id == client_id])))
        connection.execute(delete(FACTS).where(*([] if client_id is None else [FACTS.c.client_id == client_id])))
        calendars = load_calendars(connection, None if client_id is None else [client_id])
        clocks: dict[int, BusinessClock] = {}
        span = connection.execute(select(db.func.min(Ticket.created_at), db.func.max(Ticket.updated_at))
                                  .where(*where)).first()
        if span is None or span[0] is None:
            session.commit()
            return 0
        low = _when(span[0]) - timedelta(days=2)
        high = max(_when(span[1]), datetime.now(UTC)) + timedelta(days=2)
        count, last_id = 0, 0
        while True:
            rows = connection.execute(select(*TICKET_COLUMNS).where(*where, Ticket.id > last_id)
                                      .order_by(Ticket.id).limit(batch)).all()
            if not rows:
                break
            facts = []
            for row in rows:
                clock = clocks.get(row.client_id)
                if clock is None:
                    clock = clocks[row.client_id] = BusinessClock(calendars.get(row.client_id), low, high)
                values = facts_of(_TicketRow(row), clock)
                snap = snapshot(_Attrs(values))
                facts.append({**values, "version": 1, "pending": False, "rolled": snap})
            _insert_facts(connection, facts)
            session.commit()
            connection = session.connection()
            count += len(rows)
            last_id = rows[-1].id
        _rollups_from_facts(connection, client_id)
        _csat_rollups(connection, client_id)
        session.commit()
        return count
    finally:
        sqlite_settings._deferred.reset(token)
        session.rollback()


def _insert_facts(connection: Connection, facts: list[dict[str, Any]]) -> None:
    """Plain inserts of new fact rows: COPY on PostgreSQL (a million rows in seconds), executemany elsewhere."""
    if connection.dialect.name != "postgresql":
        connection.execute(FACTS.insert(), facts)
        return
    names = [column.name for column in FACTS.columns]
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {FACTS.name} ({', '.join(names)}) FROM STDIN") as copy:
        for fact in facts:
            copy.write_row([json.dumps(fact[name]) if name == "rolled" else fact.get(name) for name in names])


def _bucket(at: Any, grain: str, dialect: str) -> Any:
    """SQL for the start of the UTC bucket of ``grain`` holding ``at`` (stored like UTCDateTime stores)."""
    if grain == "m":
        if dialect == "postgresql":
            return func.timezone(literal_column("'UTC'"), func.date_trunc(literal_column("'month'"),
                                                                          func.timezone(literal_column("'UTC'"), at)))
        return func.strftime(literal_column("'%Y-%m-01 00:00:00.000000'"), at)
    seconds = GRAINS[grain]
    width = literal_column(str(int(seconds)))  # inline: PostgreSQL matches GROUP BY expressions by their text
    if dialect == "postgresql":
        return func.to_timestamp(func.floor(func.extract("epoch", at).op("/")(width)).op("*")(width))
    epoch = cast(func.strftime(literal_column("'%s'"), at), Integer)  # integer division floors (epoch >= 0)
    return func.strftime(literal_column("'%Y-%m-%d %H:%M:%S.000000'"), epoch.op("/")(width).op("*")(width),
                         literal_column("'unixepoch'"))


def _rollups_from_facts(connection: Connection, client_id: int | None) -> None:
    """Every rollup summed in SQL from the facts (what ``add_contributions`` adds, fact by fact; a rebuild
    of a million tickets this way takes seconds, not minutes). Rows of a client must not exist yet."""
    f, dialect = FACTS.c, connection.dialect.name
    zero = {name: literal_column("0") for name in MEASURES}
    one, none = literal_column("1"), literal_column("0")

    def happened(at: Any, condition: Any, **measures: Any) -> Any:
        values = {**zero, **measures}
        statement = select(at.label("at"), f.client_id, f.region_id, f.channel, f.priority, f.assignee_id,
                           *[values[name].label(name) for name in MEASURES])
        where = [condition] if condition is not None else []
        if client_id is not None:
            where.append(f.client_id == client_id)
        return statement.where(*where)

    def flag(column: Any, value: bool) -> Any:
        return case((column.is_(value), one), else_=none)

    def either(column: Any) -> Any:
        return func.coalesce(column, none)

    events = union_all(
        happened(f.created_at, None, created=one, backlog_delta=one),
        happened(f.first_response_at, f.first_response_at.isnot(None), first_responses=one,
                 fr_business_s=either(f.fr_business_s), fr_wall_s=either(f.fr_wall_s),
                 fr_met=flag(f.fr_met, True), fr_breached=flag(f.fr_met, False)),
        happened(f.solved_at, f.solved_at.isnot(None), solved=one,
                 res_business_s=either(f.res_business_s), res_wall_s=either(f.res_wall_s),
                 handle_s=either(f.handle_s), res_met=flag(f.res_met, True), res_breached=flag(f.res_met, False)),
        happened(f.done_at, f.done_at.isnot(None), backlog_delta=literal_column("-1")),
    ).subquery("events")
    e = events.c
    blank = literal_column("''")
    keys = {  # (client, region, channel, priority, agent), grouped columns first
        "T": ([e.client_id, either(e.region_id), e.channel, e.priority], [none]),
        "C": ([e.client_id], [none, blank, blank, none]),
        "A": ([e.client_id, either(e.assignee_id)], [none, blank, blank]),
    }
    pick = {"T": (0, 1, 2, 3, 4), "C": (0, 1, 2, 3, 4), "A": (0, 2, 3, 4, 1)}  # parts in KEY order
    for kind, grains in LAYOUT:
        if kind == "G":
            continue
        grouped, constant = keys[kind]
        parts = grouped + constant
        for grain in grains:
            bucket = _bucket(e.at, grain, dialect)
            ordered = [parts[i] for i in pick[kind]]
            key = [literal_column(f"'{kind}'"), literal_column(f"'{grain}'"), bucket, *ordered]
            labels = [c.label(name) for c, name in zip(key, KEY, strict=True)]
            statement = (select(*labels, *[func.sum(e[name]).label(name) for name in MEASURES])
                         .group_by(bucket, *grouped))
            connection.execute(insert(ROLLUPS).from_select(list(KEY) + list(MEASURES), statement))
    # All clients together: the per-client series rows summed (so a one-client rebuild refreshes them too).
    connection.execute(delete(ROLLUPS).where(ROLLUPS.c.kind == "G"))
    r = ROLLUPS.c
    totals = select(literal_column("'G'").label("kind"), r.grain, r.bucket, none.label("client_id"),
                    none.label("region_id"), blank.label("channel"), blank.label("priority"),
                    none.label("agent_id"), *[func.sum(r[name]).label(name) for name in MEASURES]) \
        .where(r.kind == "C").group_by(r.grain, r.bucket)
    connection.execute(insert(ROLLUPS).from_select(list(KEY) + list(MEASURES), totals))


class _Attrs:
    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


class _TicketRow:
    """A tickets row with Ticket's attribute names, datetimes aware."""

    def __init__(self, row: Any) -> None:
        for name, value in row._mapping.items():
            setattr(self, name, _when(value) if isinstance(value, datetime) else value)


def facts_match(client_id: int | None = None) -> bool:
    """True when the rollups equal the sums of the facts (a consistency check for tests and operators)."""
    roll()
    query = select(*_fact_columns())
    if client_id is not None:
        query = query.where(FACTS.c.client_id == client_id)
    expected = _new_totals()
    for fact in db.session.execute(query):
        add_contributions(expected, snapshot(fact), 1)
    stored_query = select(ROLLUPS).where(ROLLUPS.c.kind != "S")
    if client_id is not None:
        stored_query = stored_query.where(ROLLUPS.c.client_id == client_id)
    stored = {}
    for row in db.session.execute(stored_query):
        sums = [getattr(row, m) for m in MEASURES]
        if any(sums):
            stored[(row.kind, row.grain, _when(row.bucket), row.client_id, row.region_id, row.channel,
                    row.priority, row.agent_id)] = sums
    db.session.rollback()
    return stored == {key: sums for key, sums in expected.items() if any(sums)}


