"""Report facts and rollups, CSAT surveys, QA rubrics and reviews."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.platform.db import ClientOwned, JSONType, Timestamps, UTCDateTime

# Rollup grains: a quarter hour (any UTC offset in use is a whole number of quarter hours), an hour, a UTC day.
GRAINS = {"q": 900, "h": 3600, "d": 86400}


# Rollup kinds: "T" per client, region, channel and priority; "C" per client only (time series, backlog);
# "G" all clients together (client_id 0: an all-clients scope's series); "A" per client and agent
# (productivity). T and A are kept per UTC day only, C and G at every grain.
KINDS = ("T", "C", "G", "A")

MEASURES = ("created", "backlog_delta", "first_responses", "fr_business_s", "fr_wall_s", "fr_met", "fr_breached",
            "solved", "res_business_s", "res_wall_s", "res_met", "res_breached", "handle_s")


class TicketFact(db.Model):
    """What reports need of one ticket, with its business and wall-clock durations computed once."""

    __tablename__ = "ticket_facts"
    __table_args__ = (
        Index("ix_ticket_facts_pending", "pending"),
        # The partial days at the edges of a report's range are summed from the facts by event time.
        Index("ix_ticket_facts_created", "created_at"),
        Index("ix_ticket_facts_first_response", "first_response_at"),
        Index("ix_ticket_facts_solved", "solved_at"),
        Index("ix_ticket_facts_done", "done_at"),
    )

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    client_id: Mapped[int] = mapped_column(Integer, index=True)
    region_id: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(16))
    assignee_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    solved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the ticket left the open backlog (solved or closed); empty while it is open.
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fr_business_s: Mapped[int | None] = mapped_column(BigInteger)
    fr_wall_s: Mapped[int | None] = mapped_column(BigInteger)
    res_business_s: Mapped[int | None] = mapped_column(BigInteger)
    res_wall_s: Mapped[int | None] = mapped_column(BigInteger)
    fr_met: Mapped[bool | None] = mapped_column(Boolean)
    res_met: Mapped[bool | None] = mapped_column(Boolean)
    handle_s: Mapped[int | None] = mapped_column(BigInteger)
    # Rollups lag the facts until the next roll: ``rolled`` is the fact as last added to them.
    version: Mapped[int] = mapped_column(Integer, default=1)
    pending: Mapped[bool] = mapped_column(Boolean, default=True)
    rolled: Mapped[dict | None] = mapped_column(JSONType)


class ReportRollup(db.Model):
    """Sums of ticket facts per time bucket (UTC start) and key; every measure is additive."""

    __tablename__ = "report_rollups"

    kind: Mapped[str] = mapped_column(String(1), primary_key=True)
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    bucket: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    client_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0: none / not in this kind
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)  # "": not in this kind
    priority: Mapped[str] = mapped_column(String(16), primary_key=True)
    agent_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0: unassigned / not in this kind
    created: Mapped[int] = mapped_column(Integer, default=0)
    backlog_delta: Mapped[int] = mapped_column(Integer, default=0)
    first_responses: Mapped[int] = mapped_column(Integer, default=0)
    fr_business_s: Mapped[int] = mapped_column(BigInteger, default=0)
    fr_wall_s: Mapped[int] = mapped_column(BigInteger, default=0)
    fr_met: Mapped[int] = mapped_column(Integer, default=0)
    fr_breached: Mapped[int] = mapped_column(Integer, default=0)
    solved: Mapped[int] = mapped_column(Integer, default=0)
    res_business_s: Mapped[int] = mapped_column(BigInteger, default=0)
    res_wall_s: Mapped[int] = mapped_column(BigInteger, default=0)
    res_met: Mapped[int] = mapped_column(Integer, default=0)
    res_breached: Mapped[int] = mapped_column(Integer, default=0)
    handle_s: Mapped[int] = mapped_column(BigInteger, default=0)


class CsatResponse(ClientOwned, db.Model):
    __tablename__ = "csat_responses"
    __table_args__ = (UniqueConstraint("ticket_id"),
                      Index("ix_csat_responses_client_answered", "client_id", "answered_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The survey email: None (not emailed: chat or no address), queued, retrying, sent, failed.
    delivery_status: Mapped[str | None] = mapped_column(String(16))
    delivery_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class QaRubric(ClientOwned, Timestamps, db.Model):
    """Criteria with weights a supervisor scores a solved ticket against."""

    __tablename__ = "qa_rubrics"
    __table_args__ = (Index("uq_qa_rubrics_client", "client_id", unique=True),)  # one rubric per client

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    criteria: Mapped[list] = mapped_column(JSONType, default=list)


class QaReview(ClientOwned, Timestamps, db.Model):
    __tablename__ = "qa_reviews"
    # One review per ticket per reviewer: scoring again updates it.
    __table_args__ = (Index("uq_qa_reviews_ticket_reviewer", "ticket_id", "reviewer_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("qa_rubrics.id", ondelete="CASCADE"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    scores: Mapped[dict] = mapped_column(JSONType, default=dict)
    total: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
