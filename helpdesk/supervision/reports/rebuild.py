"""Recompute every fact and rollup from the tickets table (existing data, bulk loads), and check that
the incremental path agrees (``facts_match``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    case,
    cast,
    delete,
    func,
    insert,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.engine import Connection

from helpdesk.extensions import db
from helpdesk.platform import sqlite as sqlite_settings
from helpdesk.supervision.models import GRAINS, MEASURES, CsatResponse
from helpdesk.supervision.reports.clock import BusinessClock, load_calendars
from helpdesk.supervision.reports.facts import (
    CSAT_GRAINS,
    FACTS,
    SATISFIED,
    base_values,
    first_response_values,
    resolution_values,
)
from helpdesk.supervision.reports.rollups import (
    KEY,
    LAYOUT,
    ROLLUPS,
    add_contributions,
    as_aware,
    fact_columns,
    new_totals,
    roll,
    snapshot,
)
from helpdesk.tickets.models import Ticket


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
        low = as_aware(span[0]) - timedelta(days=2)
        high = max(as_aware(span[1]), datetime.now(UTC)) + timedelta(days=2)
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
            setattr(self, name, as_aware(value) if isinstance(value, datetime) else value)


def facts_match(client_id: int | None = None) -> bool:
    """True when the rollups equal the sums of the facts (a consistency check for tests and operators)."""
    roll()
    query = select(*fact_columns())
    if client_id is not None:
        query = query.where(FACTS.c.client_id == client_id)
    expected = new_totals()
    for fact in db.session.execute(query):
        add_contributions(expected, snapshot(fact), 1)
    stored_query = select(ROLLUPS).where(ROLLUPS.c.kind != "S")
    if client_id is not None:
        stored_query = stored_query.where(ROLLUPS.c.client_id == client_id)
    stored = {}
    for row in db.session.execute(stored_query):
        sums = [getattr(row, m) for m in MEASURES]
        if any(sums):
            stored[(row.kind, row.grain, as_aware(row.bucket), row.client_id, row.region_id, row.channel,
                    row.priority, row.agent_id)] = sums
    db.session.rollback()
    return stored == {key: sums for key, sums in expected.items() if any(sums)}
