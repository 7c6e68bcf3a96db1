"""CSAT surveys, QA rubrics and reviews, macros."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.models.base import ClientOwned, JSONType, Timestamps, UTCDateTime


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


class Macro(Timestamps, db.Model):
    """A canned reply with placeholders and actions; global when client_id is empty."""

    __tablename__ = "macros"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    actions: Mapped[dict] = mapped_column(JSONType, default=dict)
