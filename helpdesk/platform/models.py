"""The platform's own tables: the immutable event log, the outbox, idempotency keys, per-client counters."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.platform.db import ClientOwned, JSONType, UTCDateTime, utcnow


class Event(ClientOwned, db.Model):
    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("client_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), index=True)
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ImmutableEventError(RuntimeError):
    pass


@event.listens_for(Event, "before_update")
def _refuse_update(mapper, connection, target):
    raise ImmutableEventError("events are immutable")


@event.listens_for(Event, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise ImmutableEventError("events are immutable")


def new_outbox_id() -> str:
    return uuid.uuid4().hex


class Outbox(db.Model):
    """A job written in the same transaction as the change that needs it.

    It is enqueued after commit with ``job_id = id`` and then stamped
    ``enqueued_at``. A row can reach RQ twice (the sweep races the after-commit
    enqueue, or a process dies between enqueue and stamp); RQ keeps one job per
    id and every job is idempotent, so that costs a repeat at most.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "enqueued_at", "created_at"),
                      Index("ix_outbox_processed", "processed_at"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_outbox_id)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    queue: Mapped[str] = mapped_column(String(32))
    task: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Run no earlier than this (SLA warnings and breaches fire at their due time).
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class IdempotencyKey(ClientOwned, db.Model):
    """An Idempotency-Key seen on a POST, and the resource that request created."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("client_id", "scope", "key"),
                      Index("ix_idempotency_keys_created", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    resource_type: Mapped[str] = mapped_column(String(32))
    resource_id: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int] = mapped_column(Integer)
    # The whole first answer, where a replay must repeat it word for word (client webhooks).
    response_body: Mapped[dict | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TenantCounter(db.Model):
    """Per-client monotonic counters (ticket numbers, event sequence).

    Incremented with an UPDATE ... RETURNING, so the row lock is held until the
    transaction commits: numbers are gap-free and commit in order per client.
    """

    __tablename__ = "tenant_counters"

    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
