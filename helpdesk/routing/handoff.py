"""Follow the sun: when a region's shift ends its work moves to the next region on shift.

Run every minute by the scheduler; idempotent (it only moves what still sits in
a region that is off shift). Waiting tickets always move; agents' open tickets
move only when the region's policy is "handoff" ("keep" leaves them with their
agent for the next shift). Every move is a ``ticket.moved`` event with a
handoff note. SLA due times are not touched: the clock continues.
A region on shift has its queue offered to its agents again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.platform import outbox
from helpdesk.platform.db import utcnow
from helpdesk.platform.events import Actor
from helpdesk.routing import assignment
from helpdesk.routing import regions as routing
from helpdesk.routing.models import Region
from helpdesk.tickets import followups
from helpdesk.tickets.models import Ticket


def _next_region_on_shift(client_id: int, after: Region, at: datetime) -> routing.RegionView | None:
    """The next region on shift after ``after`` in the chain (wrapping), among those the client allows."""
    regions = routing.eligible_regions(client_id)
    ordered = sorted(regions, key=lambda r: ((r.chain_order, r.id) <= (after.chain_order, after.id),
                                             r.chain_order, r.id))
    return next((r for r in ordered if r.id != after.id and routing.is_on_shift(r, at)), None)


def _tickets_to_hand_off(region: Region) -> list[Ticket]:
    query = select(Ticket).where(Ticket.region_id == region.id, Ticket.status.in_(assignment.ROUTABLE_STATUSES))
    if region.handoff_policy != "handoff":
        query = query.where(Ticket.assignee_id.is_(None))
    return list(db.session.scalars(query.order_by(Ticket.id)))


def run(now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    moved = drained = 0
    for view in routing.all_regions():
        region = db.session.get(Region, view.id)
        if routing.is_on_shift(view, now):
            followups.request_drain(region.id)
            drained += 1
            continue
        for ticket in _tickets_to_hand_off(region):
            target = _next_region_on_shift(ticket.client_id, region, now)
            if target is None:
                continue  # nobody is on shift for this client: the ticket waits where it is
            target_name = db.session.get(Region, target.id).name
            note = f"shift ended in {region.name}; handed off to {target_name}"
            if ticket.assignee_id is not None:
                note += " (the agent's open ticket moves with the shift)"
            assignment.move_to_region(ticket.id, target.id, Actor.system(), note=note)
            moved += 1
    outbox.commit()
    return {"moved": moved, "regions_on_shift": drained}
