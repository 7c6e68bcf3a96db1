"""Tickets, their messages and attachments, the customers who write them, and macros."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from helpdesk.platform.db import ClientOwned, JSONType, Timestamps, UTCDateTime, utcnow

CHANNELS = ("email", "phone", "chat", "web", "api")
STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
OPEN_STATUSES = ("new", "open", "pending", "on_hold")
MESSAGE_KINDS = ("inbound", "outbound", "note")


class Ticket(ClientOwned, Timestamps, db.Model):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("client_id", "number"),
        UniqueConstraint("client_id", "external_id"),
        Index("ix_tickets_client_created", "client_id", "created_at", "id"),
        Index("ix_tickets_client_updated", "client_id", "updated_at", "id"),
        Index("ix_tickets_queue", "region_id", "status", "assignee_id"),
        # An agent's load per channel is counted on every routing decision.
        Index("ix_tickets_assignee_load", "assignee_id", "channel", "status"),
        Index("ix_tickets_sla_next_check", "sla_next_check_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="new")
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    language: Mapped[str | None] = mapped_column(String(16))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(200))
    tags: Mapped[list] = mapped_column(JSONType, default=list)
    custom_fields: Mapped[dict] = mapped_column(JSONType, default=dict)
    # SLA clock
    first_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The region's internal targets (OLA), from when that region received the ticket.
    ola_first_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ola_resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sla_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sla_paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    sla_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    # Per target: {"first_response": {"warning_at": iso, "warned": iso, "breached": iso}, ...}
    sla_alerts: Mapped[dict] = mapped_column(JSONType, default=dict)
    # The next warning or due instant not yet acted on; the safety sweep reads only this.
    sla_next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Routing
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    solved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))

    client = relationship("Client", lazy="joined")
    contact = relationship("Contact", lazy="joined")
    region = relationship("Region")
    assignee = relationship("Agent", lazy="selectin")
    messages = relationship("Message", back_populates="ticket", order_by="Message.id")

    @property
    def reference(self) -> str:
        return f"{self.client.ticket_prefix}-{self.number}"


class Message(ClientOwned, db.Model):
    __tablename__ = "messages"
    __table_args__ = (
        # Duplicate deliveries (same Message-ID / call id / webhook-id) create nothing new.
        UniqueConstraint("client_id", "dedup_key"),
        Index("ix_messages_client_message_id", "client_id", "message_id_header"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    author_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    author_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str | None] = mapped_column(Text)
    message_id_header: Mapped[str | None] = mapped_column(String(998))
    in_reply_to: Mapped[str | None] = mapped_column(String(998))
    references: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict] = mapped_column(JSONType, default=dict)
    dedup_key: Mapped[str | None] = mapped_column(String(255))
    delivery_status: Mapped[str | None] = mapped_column(String(16))
    is_auto_reply: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Email: who sent it, the subject it carried, and the new text without the quoted history.
    from_email: Mapped[str | None] = mapped_column(String(320))
    from_name: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(998))
    new_text: Mapped[str | None] = mapped_column(Text)
    # The whole message as received stays in inbound_raw.
    inbound_raw_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_raw.id", ondelete="SET NULL"))
    remote_images_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Outbound delivery: queued -> sent, or retrying -> failed; bounced when a bounce names it.
    delivery_attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivery_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    ticket = relationship("Ticket", back_populates="messages")
    attachments = relationship("Attachment", back_populates="message", lazy="selectin")


class Attachment(ClientOwned, db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(500))
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(500))
    content_id: Mapped[str | None] = mapped_column(String(500))
    is_inline: Mapped[bool] = mapped_column(Boolean, default=False)

    message = relationship("Message", back_populates="attachments")


class Contact(ClientOwned, Timestamps, db.Model):
    """An end customer of one client company."""

    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("client_id", "email"),
        UniqueConstraint("client_id", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)


class Macro(Timestamps, db.Model):
    """A canned reply with placeholders and actions; global when client_id is empty."""

    __tablename__ = "macros"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    actions: Mapped[dict] = mapped_column(JSONType, default=dict)
