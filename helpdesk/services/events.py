"""Writing and reading the immutable per-client event log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import Event
from helpdesk.services import counters, outbox
from helpdesk.services.tenancy import TenantScope

PUBLISH_TASK = "workers.jobs.publish_event"


class Actor:
    """Who caused a change: an agent, a client's API key, a contact, or the system."""

    def __init__(self, kind: str, actor_id: int | None = None) -> None:
        self.kind = kind
        self.id = actor_id

    @classmethod
    def system(cls) -> Actor:
        return cls("system")


def record(
    client_id: int,
    event_type: str,
    actor: Actor,
    data: dict[str, Any],
    ticket_id: int | None = None,
    publish_task: str | None = PUBLISH_TASK,
) -> Event:
    """Add an event to the session and an outbox row that will push it live.

    Call it last in a transaction: the sequence number locks the client's
    counter until commit, which is what keeps sequence order = commit order.
    """
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
    return event


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
