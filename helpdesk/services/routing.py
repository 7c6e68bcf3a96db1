"""Where a new ticket waits: the first region on shift that the client's contract allows.

This is the foundation's placement rule; agent selection, handoffs and the
region queues build on it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Client, Region, utcnow
from helpdesk.services.calendars import is_open


def eligible_regions(client: Client) -> list[Region]:
    regions = client.allowed_regions or db.session.scalars(
        select(Region).where(Region.active.is_(True))
    ).all()
    return sorted((r for r in regions if r.active), key=lambda r: (r.chain_order, r.id))


def initial_region(client: Client, at: datetime | None = None) -> Region | None:
    regions = eligible_regions(client)
    moment = at or utcnow()
    on_shift = [r for r in regions if is_open(r.calendar, moment)]
    return (on_shift or regions or [None])[0]
