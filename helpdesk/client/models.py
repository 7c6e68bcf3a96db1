"""The client company (tenant), its contract, support addresses, API keys and webhook endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from helpdesk.platform.db import ClientOwned, JSONType, Timestamps, UTCDateTime, utcnow

client_regions = Table(
    "client_regions",
    db.metadata,
    Column("client_id", ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True),
)


class Client(Timestamps, db.Model):
    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    ticket_prefix: Mapped[str] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Standard Webhooks secret ("whsec_" + base64) for signed inbound posts; needed in clear to verify.
    inbound_webhook_secret: Mapped[str] = mapped_column(String(200))
    twilio_auth_token: Mapped[str | None] = mapped_column(String(200))
    default_phone_region: Mapped[str] = mapped_column(String(2), default="US")
    # Contract
    channels: Mapped[list] = mapped_column(JSONType, default=lambda: ["email", "phone", "chat", "web", "api"])
    languages: Mapped[list] = mapped_column(JSONType, default=lambda: ["en"])
    default_language: Mapped[str] = mapped_column(String(16), default="en")
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("calendars.id", ondelete="SET NULL"))
    csat_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Solved and closed tickets are deleted this many days after they were solved; attachments
    # of any ticket this many days after they arrived (None: kept).
    retention_days: Mapped[int | None] = mapped_column(Integer)
    attachment_retention_days: Mapped[int | None] = mapped_column(Integer)
    pii_masking: Mapped[dict] = mapped_column(JSONType, default=dict)
    escalation_rule: Mapped[dict] = mapped_column(JSONType, default=dict)
    chat_allowed_origins: Mapped[list] = mapped_column(JSONType, default=list)
    # Email providers: Mailgun's webhook signing key; SHA-256 of "user:password" for the
    # basic auth that SendGrid Inbound Parse and Postmark put in the URL.
    mailgun_signing_key: Mapped[str | None] = mapped_column(String(200))
    inbound_basic_auth_sha256: Mapped[str | None] = mapped_column(String(64))
    auto_ack_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    auto_ack_body: Mapped[str | None] = mapped_column(Text)

    calendar = relationship("Calendar")
    allowed_regions = relationship("Region", secondary=client_regions)
    support_addresses = relationship("SupportAddress", back_populates="client")


class SupportAddress(ClientOwned, db.Model):
    __tablename__ = "support_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)

    client = relationship("Client", back_populates="support_addresses")


class ApiKey(ClientOwned, db.Model):
    """A client's API key: only a SHA-256 of the random secret is kept."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="default")
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client = relationship("Client", lazy="joined")


class WebhookEndpoint(ClientOwned, Timestamps, db.Model):
    """Where a client receives our signed outbound webhooks (Standard Webhooks)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(200))
    # Needed in clear to sign; after a rotation the old one also signs until it expires.
    secret: Mapped[str] = mapped_column(String(200))
    previous_secret: Mapped[str | None] = mapped_column(String(200))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    event_types: Mapped[list] = mapped_column(JSONType, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Who hears that the endpoint was disabled (besides the event in the client's log).
    alert_email: Mapped[str | None] = mapped_column(String(320))
    # Failing without a success in between since; a retryable failure pauses the endpoint until.
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(Text)


class WebhookDelivery(ClientOwned, db.Model):
    """One webhook type of one event for one endpoint; ``webhook_id`` stays the same across retries."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id", "event_type"),
        Index("ix_webhook_deliveries_due", "endpoint_id", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(40))
    webhook_id: Mapped[str] = mapped_column(String(64), default=lambda: "msg_" + uuid.uuid4().hex)
    # The JSON body, fixed when the delivery is made so every retry sends the same bytes' content.
    payload: Mapped[dict] = mapped_column(JSONType)
    # pending, retrying, delivered, failed
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The retry budget of this round: a replay starts a new one.
    round_attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_response_body: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_duration_ms: Mapped[int | None] = mapped_column(Integer)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


PORTAL_ROLES = ("admin", "member")


class PortalUser(ClientOwned, Timestamps, db.Model):
    """Someone at the client company who signs in at /portal; sees that one company only.

    ``admin`` may invite others and manage API keys, webhooks and privacy settings;
    ``member`` reads. Invited users set their password through a one-time link whose
    SHA-256 alone is kept. Only the table exists so far: the portal's pages and invitations
    are still to be built (issue #15).
    """

    __tablename__ = "portal_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="member")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    invite_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invite_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client = relationship("Client", lazy="joined")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
