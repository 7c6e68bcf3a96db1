"""Additive rollups of the facts per time bucket and key, so reports never scan tickets.

Each fact contributes to a bucket per event (created, first response, solve, leaving the
backlog) at several grains: quarter hour (every UTC offset in use is a whole number of
quarter hours, so local hours and days of any zone, +05:30 and +05:45 included, are exact
sums of them), hour, UTC day and UTC month.

The rollups are not updated inside the ticket's transaction: the per-day and per-client rows
would be hot rows every ticket write of a client queues on. Instead a changed fact is marked
``pending`` and ``roll()`` later adds the difference between the fact now and the fact as
last rolled (``rolled``) to the rollups, for many facts in one transaction. Reports call
``roll()`` first, so they always include every committed change."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from helpdesk.extensions import db
from helpdesk.platform import sqlite as sqlite_settings
from helpdesk.supervision.models import GRAINS, MEASURES, ReportRollup, TicketFact

FACTS = TicketFact.__table__
ROLLUPS = ReportRollup.__table__
KEY = ("kind", "grain", "bucket", "client_id", "region_id", "channel", "priority", "agent_id")
ROLL_BATCH = 5000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
INDEX = {name: i for i, name in enumerate(MEASURES)}


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def as_aware(value: Any) -> datetime | None:
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
    yield as_aware(fact["created_at"]), {INDEX["created"]: 1, INDEX["backlog_delta"]: 1}
    if fact["first_response_at"] is not None:
        measures = {INDEX["first_responses"]: 1, INDEX["fr_business_s"]: fact["fr_business_s"] or 0,
                    INDEX["fr_wall_s"]: fact["fr_wall_s"] or 0}
        if fact["fr_met"] is not None:
            measures[INDEX["fr_met" if fact["fr_met"] else "fr_breached"]] = 1
        yield as_aware(fact["first_response_at"]), measures
    if fact["solved_at"] is not None:
        measures = {INDEX["solved"]: 1, INDEX["res_business_s"]: fact["res_business_s"] or 0,
                    INDEX["res_wall_s"]: fact["res_wall_s"] or 0, INDEX["handle_s"]: fact["handle_s"] or 0}
        if fact["res_met"] is not None:
            measures[INDEX["res_met" if fact["res_met"] else "res_breached"]] = 1
        yield as_aware(fact["solved_at"]), measures
    if fact["done_at"] is not None:
        yield as_aware(fact["done_at"]), {INDEX["backlog_delta"]: -1}


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
    totals = new_totals()
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
    query = select(*fact_columns()).where(scope.where(TicketFact), or_(*window))
    totals = new_totals()
    for fact in db.session.execute(query):
        snap = snapshot(fact)
        rest = kind_keys(snap)[kind]
        for instant, measures in events_of(snap):
            if start <= instant < end:
                row = totals[rest]
                for index, amount in measures.items():
                    row[index] += amount
    return totals


def new_totals() -> dict[tuple, list[int]]:
    return defaultdict(lambda: [0] * len(MEASURES))


def apply_totals(connection: Connection, totals: dict[tuple, list[int]]) -> None:
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


def fact_columns():
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
            query = select(*fact_columns()).where(FACTS.c.pending.is_(True)).order_by(FACTS.c.ticket_id) \
                .limit(ROLL_BATCH)
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            facts = session.execute(query).all()
            if not facts:
                break
            totals = new_totals()
            marks = []
            for fact in facts:
                now = snapshot(fact)
                add_contributions(totals, now, 1)
                if fact.rolled:
                    add_contributions(totals, fact.rolled, -1)
                marks.append({"tid": fact.ticket_id, "seen": fact.version, "snap": now})
            connection = session.connection()
            apply_totals(connection, totals)
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
