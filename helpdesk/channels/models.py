"""What the channels store beside tickets: call logs and the raw inbound input."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.platform.db import ClientOwned, Timestamps, UTCDateTime, utcnow


class CallLog(ClientOwned, Timestamps, db.Model):
    __tablename__ = "call_logs"
    __table_args__ = (UniqueConstraint("client_id", "provider", "provider_call_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    provider: Mapped[str] = mapped_column(String(32))
    provider_call_id: Mapped[str] = mapped_column(String(128))
    from_number: Mapped[str | None] = mapped_column(String(32))
    to_number: Mapped[str | None] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(16), default="inbound")
    status: Mapped[str] = mapped_column(String(32))
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    recording_url: Mapped[str | None] = mapped_column(String(2000))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sequence_number: Mapped[int | None] = mapped_column(Integer)


class InboundRaw(db.Model):
    """Raw input kept before parsing, so a message that fails to parse is quarantined, not lost."""

    __tablename__ = "inbound_raw"
    __table_args__ = (Index("ix_inbound_raw_status", "status", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    # received -> the outcome: created | appended | duplicate | bounce | ignored | rate_limited | quarantined
    status: Mapped[str] = mapped_column(String(16), default="received")
    error: Mapped[str | None] = mapped_column(Text)
    sender: Mapped[str | None] = mapped_column(String(320))
    message_id: Mapped[str | None] = mapped_column(String(998))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ThreadRef(ClientOwned, db.Model):
    """A Message-ID that a stored inbound email names in In-Reply-To or References.

    Mail arrives out of order: a reply may be filed before the message it answers. When
    that message comes, this is how it finds the reply's ticket (and how two replies to a
    message we never saw find each other). The id is kept as a hash: short, fixed width."""

    __tablename__ = "thread_refs"
    __table_args__ = (Index("ix_thread_refs_client_ref", "client_id", "ref_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ref_hash: Mapped[str] = mapped_column(String(32))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
