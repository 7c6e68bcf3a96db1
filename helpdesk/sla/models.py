"""SLA policies per client and priority, and internal OLA targets per region."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.platform.db import ClientOwned, Timestamps

PRIORITIES = ("low", "normal", "high", "urgent")


class SlaPolicy(ClientOwned, Timestamps, db.Model):
    __tablename__ = "sla_policies"
    __table_args__ = (UniqueConstraint("client_id", "priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    priority: Mapped[str] = mapped_column(String(16))
    first_response_minutes: Mapped[int | None] = mapped_column(Integer)
    next_response_minutes: Mapped[int | None] = mapped_column(Integer)
    resolution_minutes: Mapped[int | None] = mapped_column(Integer)
    business_hours: Mapped[bool] = mapped_column(Boolean, default=True)
    warning_percent: Mapped[int] = mapped_column(Integer, default=75)


class OlaTarget(Timestamps, db.Model):
    """The BPO's internal target for a region, stricter than the client's SLA."""

    __tablename__ = "ola_targets"
    __table_args__ = (UniqueConstraint("region_id", "priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"))
    priority: Mapped[str] = mapped_column(String(16))
    first_response_minutes: Mapped[int | None] = mapped_column(Integer)
    resolution_minutes: Mapped[int | None] = mapped_column(Integer)
