"""Calendars (business hours / shift hours) and follow-the-sun regions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from helpdesk.platform.db import JSONType, Timestamps, UTCDateTime


def default_week() -> dict:
    return {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


class Calendar(Timestamps, db.Model):
    """Weekly hours in a time zone plus holidays; used for client SLAs and region shifts.

    ``weekly_hours`` maps mon..sun to lists of ["HH:MM", "HH:MM"] intervals in
    local time; an interval whose end is not after its start crosses midnight.
    """

    __tablename__ = "calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    weekly_hours: Mapped[dict] = mapped_column(JSONType, default=default_week)
    holiday_country: Mapped[str | None] = mapped_column(String(8))
    holiday_subdivision: Mapped[str | None] = mapped_column(String(16))
    around_the_clock: Mapped[bool] = mapped_column(Boolean, default=False)

    closures = relationship("CalendarClosure", cascade="all, delete-orphan", lazy="selectin")


class CalendarClosure(db.Model):
    """An ad-hoc closed day (typhoon, company event) beside the country holidays."""

    __tablename__ = "calendar_closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendars.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(200))


class Region(Timestamps, db.Model):
    """A follow-the-sun team; on shift when now, in its zone, is inside its calendar."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendars.id"))
    chain_order: Mapped[int] = mapped_column(Integer, default=0)
    # At shift end: "handoff" moves agents' open tickets on, "keep" leaves them assigned.
    handoff_policy: Mapped[str] = mapped_column(String(16), default="keep")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_shift_change_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    calendar = relationship("Calendar", lazy="joined")
