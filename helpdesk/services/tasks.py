"""Follow-up work that services ask for through the outbox (names of the RQ jobs)."""

from __future__ import annotations

from helpdesk.models import Ticket
from helpdesk.services import outbox
from workers.queues import ROUTING_QUEUE

ROUTE_TASK = "workers.jobs.route_ticket"
DRAIN_TASK = "workers.jobs.drain_queue"


def request_routing(ticket: Ticket) -> None:
    """Route the ticket after the current transaction commits."""
    outbox.add(ROUTE_TASK, {"ticket_id": ticket.id}, client_id=ticket.client_id, queue=ROUTING_QUEUE)


def request_drain(region_id: int | None, client_id: int | None = None) -> None:
    """Offer a region's waiting tickets again (an agent freed up, came online, or a shift began)."""
    if region_id is not None:
        outbox.add(DRAIN_TASK, {"region_id": region_id}, client_id=client_id, queue=ROUTING_QUEUE)
