"""Writing and reading the immutable per-client event log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, text

from helpdesk import audit
from helpdesk.extensions import db
from helpdesk.platform import counters, outbox
from helpdesk.platform.db import utcnow
from helpdesk.platform.models import Event
from helpdesk.platform.tenancy import TenantScope

PUBLISH_TASK = "workers.jobs.publish_event"
PUBLISH_MANY_TASK = "workers.jobs.publish_events"


class Actor:
    """Who caused a change: an agent, a client's API key, a contact, or the system."""

    def __init__(self, kind: str, actor_id: int | None = None) -> None:
        self.kind = kind
        self.id = actor_id

    @classmethod
    def system(cls) -> Actor:
        return cls("system")


@dataclass(frozen=True)
class Recorded:
    id: int
    seq: int


# One statement on PostgreSQL: take the sequence number, write the event and the
# outbox row that will push it. The counter row stays locked until commit (that is
# what makes sequence order = commit order), so the fewer round trips between
# here and COMMIT, the less concurrent writers for the client wait.
RECORD_PG = text("""
WITH counter AS (
    UPDATE tenant_counters SET value = value + 1
    WHERE client_id = :client_id AND name = 'event'
    RETURNING value
), new_event AS (
    INSERT INTO events (client_id, seq, type, ticket_id, actor_type, actor_id, data, created_at)
    SELECT :client_id, value, :type, :ticket_id, :actor_type, :actor_id, CAST(:data AS json), :now FROM counter
    RETURNING id, seq
), new_outbox AS (
    INSERT INTO outbox (id, client_id, queue, task, payload, created_at, enqueued_at, attempts)
    SELECT :outbox_id, :client_id, :queue, :task, json_build_object('event_id', id), :now, :now, 1 FROM new_event
    RETURNING id
)
SELECT new_event.id, new_event.seq FROM new_event, new_outbox
""")


def record(
    client_id: int,
    event_type: str,
    actor: Actor,
    data: dict[str, Any],
    ticket_id: int | None = None,
    publish_task: str | None = PUBLISH_TASK,
) -> Recorded:
    """Write an event and (unless ``publish_task`` is None) the outbox row that pushes it live.

    Call it last in a transaction, right before committing.
    """
    db.session.flush()
    if publish_task and db.engine.dialect.name == "postgresql":
        recorded = _record_in_one_statement(client_id, event_type, actor, data, ticket_id, publish_task)
        audit.record_change_event(client_id, event_type, actor.kind, actor.id, ticket_id, recorded.seq)
        return recorded
    event = Event(
        client_id=client_id,
        seq=counters.next_value(client_id, "event"),
        type=event_type,
        ticket_id=ticket_id,
        actor_type=actor.kind,
        actor_id=actor.id,
        data=data,
    )
    db.session.add(event)
    db.session.flush()
    if publish_task:
        outbox.add(publish_task, {"event_id": event.id}, client_id=client_id)
    audit.record_change_event(client_id, event_type, actor.kind, actor.id, ticket_id, event.seq)
    return Recorded(event.id, event.seq)


def record_many(client_id: int, entries: list[tuple[str, Actor, dict[str, Any], int | None]]) -> None:
    """Several events of one client in order, with one counter update and one bulk insert.

    Each entry is (type, actor, data, ticket_id). Like ``record``: call it last before commit.
    """
    if not entries:
        return []
    if len(entries) == 1 and db.engine.dialect.name == "postgresql":
        event_type, actor, data, ticket_id = entries[0]
        record(client_id, event_type, actor, data, ticket_id)  # one statement
        return []
    db.session.flush()
    last = counters.advance(client_id, "event", len(entries))
    first = last - len(entries) + 1
    rows = [{"client_id": client_id, "seq": first + index, "type": event_type, "ticket_id": ticket_id,
             "actor_type": actor.kind, "actor_id": actor.id, "data": data, "created_at": utcnow()}
            for index, (event_type, actor, data, ticket_id) in enumerate(entries)]
    # A bulk INSERT ... RETURNING, without the unit of work: batches run to hundreds of events.
    events = Event.__table__
    event_ids = list(db.session.connection().execute(
        insert(events).returning(events.c.id, sort_by_parameter_order=True), rows).scalars())
    for row in rows:
        audit.record_change_event(client_id, row["type"], row["actor_type"], row["actor_id"], row["ticket_id"],
                                  row["seq"])
    # One job pushes them all, in order: a batch of 500 costs one RQ job, not 500.
    outbox.add(PUBLISH_MANY_TASK, {"event_ids": event_ids}, client_id=client_id)


def _record_in_one_statement(client_id: int, event_type: str, actor: Actor, data: dict[str, Any],
                             ticket_id: int | None, publish_task: str) -> Recorded:
    job = outbox.PendingJob(outbox.new_outbox_id(), outbox.REALTIME_QUEUE, publish_task, {})
    row = db.session.execute(RECORD_PG, {
        "client_id": client_id, "type": event_type, "ticket_id": ticket_id, "actor_type": actor.kind,
        "actor_id": actor.id, "data": json.dumps(data), "now": utcnow(), "outbox_id": job.id,
        "queue": job.queue, "task": job.task,
    }).one()
    job.payload["event_id"] = row.id
    outbox.expect_after_commit(job)
    return Recorded(row.id, row.seq)


def since(scope: TenantScope, client_id: int, seq: int, limit: int = 500) -> list[Event]:
    query = scope.select(Event, Event.client_id == client_id, Event.seq > seq).order_by(Event.seq).limit(limit)
    return list(db.session.scalars(query))


def latest_seq(scope: TenantScope, client_id: int) -> int:
    query = select(func.max(Event.seq)).where(scope.where(Event), Event.client_id == client_id)
    return db.session.scalar(query) or 0


def serialize(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "client_id": event.client_id,
        "seq": event.seq,
        "type": event.type,
        "ticket_id": event.ticket_id,
        "actor": {"type": event.actor_type, "id": event.actor_id},
        "data": event.data,
        "created_at": event.created_at.isoformat(),
    }
