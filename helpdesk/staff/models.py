"""BPO staff: agents, supervisors and admins, their skills and presence history."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from helpdesk.extensions import db
from helpdesk.platform.db import JSONType, Timestamps, UTCDateTime

ROLES = ("agent", "supervisor", "admin")
PRESENCE_STATES = ("online", "away", "offline")

agent_clients = Table(
    "agent_clients",
    db.metadata,
    Column("agent_id", ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True),
    Column("client_id", ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True),
)


def default_capacity() -> dict:
    return {"email": 6, "chat": 2, "phone": 1, "web": 6, "api": 6}


class Agent(UserMixin, Timestamps, db.Model):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="agent")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="SET NULL"), index=True)
    languages: Mapped[list] = mapped_column(JSONType, default=lambda: ["en"])
    channels: Mapped[list] = mapped_column(JSONType, default=lambda: ["email", "phone", "chat", "web", "api"])
    capacity: Mapped[dict] = mapped_column(JSONType, default=default_capacity)
    # Every client the agent may serve; an agent with none serves no client.
    all_clients: Mapped[bool] = mapped_column(Boolean, default=False)
    presence: Mapped[str] = mapped_column(String(16), default="offline")
    presence_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped by "log out everywhere": every session carrying the old value is refused.
    session_version: Mapped[int] = mapped_column(Integer, default=1)

    region = relationship("Region")
    clients = relationship("Client", secondary=agent_clients)

    @validates("active")
    def _end_sessions_on_deactivation(self, _key: str, active: bool) -> bool:
        # Deactivating ends every session for good: reactivating later must not revive
        # cookies issued before, so the version moves on as with "log out everywhere".
        if self.active and not active:
            self.session_version = (self.session_version or 1) + 1
        return active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_supervisor(self) -> bool:
        return self.role in ("supervisor", "admin")


class PresenceLog(db.Model):
    """Time an agent spent in each presence state (billing and productivity reports)."""

    __tablename__ = "presence_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
