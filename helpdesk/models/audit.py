"""Immutable events: the audit trail, the live feed and the resync source."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.models.base import ClientOwned, JSONType, UTCDateTime, utcnow


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
