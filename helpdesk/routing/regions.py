"""Where a new ticket waits: the first region on shift that the client's contract allows.

This is the foundation's placement rule; agent selection, handoffs and the
region queues build on it. Region calendars are read on every new ticket and
change rarely, so each process keeps them for a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from helpdesk.client.models import Client, client_regions
from helpdesk.extensions import db
from helpdesk.platform.cache import app_cache
from helpdesk.platform.db import utcnow
from helpdesk.routing.calendars import CalendarView, is_open
from helpdesk.routing.models import Calendar, Region

REGION_CACHE_SECONDS = 15


@dataclass(frozen=True)
class RegionView:
    id: int
    slug: str
    name: str
    chain_order: int
    calendar: CalendarView


def eligible_regions(client_id: int) -> tuple[RegionView, ...]:
    """Active regions the client's contract allows (all of them when it names none), in chain order."""
    return app_cache("eligible_regions", REGION_CACHE_SECONDS).get_or_load(
        client_id, lambda: _load_eligible_regions(client_id))


def _active_regions_query():
    return select(Region).where(Region.active.is_(True)).options(selectinload(Region.calendar, Calendar.closures))


def _views(regions) -> tuple[RegionView, ...]:
    return tuple(RegionView(r.id, r.slug, r.name, r.chain_order, CalendarView.of(r.calendar))
                 for r in sorted(regions, key=lambda r: (r.chain_order, r.id)))


def _load_eligible_regions(client_id: int) -> tuple[RegionView, ...]:
    query = _active_regions_query()
    allowed = query.join(client_regions, client_regions.c.region_id == Region.id).where(
        client_regions.c.client_id == client_id)
    return _views(db.session.scalars(allowed).all() or db.session.scalars(query).all())


def all_regions() -> tuple[RegionView, ...]:
    """Every active region in chain order (cached like the per-client lists)."""
    return app_cache("all_regions", REGION_CACHE_SECONDS).get_or_load(
        "all", lambda: _views(db.session.scalars(_active_regions_query()).all()))


def initial_region(client: Client | int, at: datetime | None = None) -> RegionView | None:
    client_id = client if isinstance(client, int) else client.id
    regions = eligible_regions(client_id)
    moment = at or utcnow()
    on_shift = [r for r in regions if is_open(r.calendar, moment)]
    return (on_shift or list(regions) or [None])[0]


def is_on_shift(region: RegionView, at: datetime | None = None) -> bool:
    return is_open(region.calendar, at or utcnow())


def region_slug(region_id: int | None) -> str | None:
    """The slug of a region, from a per-process map refreshed every few seconds."""
    if region_id is None:
        return None
    slugs = app_cache("region_slugs", REGION_CACHE_SECONDS).get_or_load(
        "all", lambda: dict(db.session.execute(select(Region.id, Region.slug)).tuples().all()))
    if region_id not in slugs:  # created a moment ago in another process
        return db.session.scalar(select(Region.slug).where(Region.id == region_id))
    return slugs[region_id]
