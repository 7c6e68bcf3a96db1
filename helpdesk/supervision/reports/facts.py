"""One row of report facts per ticket, written in the ticket's own flush (mapper events).

``ticket_facts`` holds a ticket's client, region, channel, priority and assignee now, when it
was created, first answered, solved and left the open backlog, and the durations to first
response and to resolution both in the client's business calendar and wall-clock. A duration
is computed once, when its end happens (calendar arithmetic never runs at report time).
CSAT answers add to rollups of kind "S" directly. ``install()`` registers the mapper events;
``create_app`` calls it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    bindparam,
    event,
    inspect,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import get_history

from helpdesk.supervision.models import MEASURES, CsatResponse
from helpdesk.supervision.reports.clock import business_seconds, load_calendars
from helpdesk.supervision.reports.rollups import FACTS, INDEX, apply_totals, as_aware, bucket_start, new_totals
from helpdesk.tickets.models import OPEN_STATUSES, Ticket

# Ticket attributes whose change changes the ticket's facts.
WATCHED = ("client_id", "region_id", "channel", "priority", "assignee_id", "status", "created_at",
           "first_responded_at", "solved_at", "closed_at", "assigned_at", "first_response_due_at",
           "resolution_due_at")


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


PENDING_FACTS = "helpdesk.pending_facts"


def _queue_fact(target: Ticket, connection: Connection, values: dict[str, Any]) -> None:
    """Facts are written once per flush, many rows in one executemany: a sweep or import that
    changes 1,000 tickets in a flush paid 1,000 round trips (most of the SLA sweep's time)."""
    session = object_session(target)
    if session is None:
        _upsert_facts(connection, [values])
        return
    session.info.setdefault(PENDING_FACTS, {})[values["ticket_id"]] = values  # the last write of a ticket wins


def _upsert_facts(connection: Connection, rows: list[dict[str, Any]]) -> None:
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for values in rows:
        by_columns.setdefault(tuple(sorted(values)), []).append({f"v_{k}": v for k, v in values.items()})
    for names, params in by_columns.items():
        connection.execute(_upsert_statement(connection.dialect.name, names), params)


def _write_pending_facts(session: Session, _flush_context: Any) -> None:
    pending = session.info.pop(PENDING_FACTS, None)
    if pending:
        _upsert_facts(session.connection(), list(pending.values()))


def _forget_pending_facts(session: Session, *_args: Any) -> None:
    session.info.pop(PENDING_FACTS, None)


def _changed_names(target: Any, names: Iterable[str]) -> set[str]:
    # Only attributes set in this transaction can have changed (committed_state holds their
    # old values); ``state.attrs`` builds a dict of every attribute on each call, which cost
    # more than the rest of the hook in a 1,000-ticket flush.
    touched = inspect(target).committed_state
    return {name for name in names if name in touched and get_history(target, name).has_changes()}


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
    status = get_history(target, "status")
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
    _queue_fact(target, connection, values)


def _after_insert(_mapper, connection: Connection, target: Ticket) -> None:
    _ticket_written(connection, target, True)


def _after_update(_mapper, connection: Connection, target: Ticket) -> None:
    _ticket_written(connection, target, False)


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
    at = as_aware(answered_at)
    return [(("S", grain, bucket_start(at, grain), client_id, region or 0, "", "", agent_id or 0), sums)
            for grain in CSAT_GRAINS]


def _old(target: Any, name: str) -> Any:
    history = get_history(target, name)
    return history.deleted[0] if history.deleted else getattr(target, name)


def _csat_written(connection: Connection, target: CsatResponse, new: bool) -> None:
    names = ("rating", "answered_at", "agent_id", "client_id", "ticket_id")
    if not new and not _changed(target, *names):
        return
    totals = new_totals()
    if not new:
        for key, sums in _csat_key_and_sums(connection, *[_old(target, n) for n in (
                "client_id", "ticket_id", "agent_id", "rating", "answered_at")]):
            totals[key] = [-v for v in sums]
    for key, sums in _csat_key_and_sums(connection, target.client_id, target.ticket_id, target.agent_id,
                                        target.rating, target.answered_at):
        row = totals[key]
        for i, value in enumerate(sums):
            row[i] += value
    apply_totals(connection, totals)


def _csat_inserted(_mapper, connection: Connection, target: CsatResponse) -> None:
    _csat_written(connection, target, True)


def _csat_updated(_mapper, connection: Connection, target: CsatResponse) -> None:
    _csat_written(connection, target, False)


LISTENERS = (
    (Ticket, "after_insert", _after_insert),
    (Ticket, "after_update", _after_update),
    (CsatResponse, "after_insert", _csat_inserted),
    (CsatResponse, "after_update", _csat_updated),
)


SESSION_LISTENERS = (
    ("after_flush", _write_pending_facts),
    ("after_rollback", _forget_pending_facts),
)


def install() -> None:
    """Keep facts in every flush from now on (``create_app`` calls it; a second call changes nothing)."""
    for model, name, listener in LISTENERS:
        if not event.contains(model, name, listener):
            event.listen(model, name, listener)
    for name, listener in SESSION_LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
