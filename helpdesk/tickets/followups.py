"""The after-commit work a ticket change asks for, through the outbox, by RQ job name.

Naming the jobs here (not importing the code that does the work) keeps the ticket core free of
routing, survey and channel code: those import tickets, never the other way round."""

from __future__ import annotations

from helpdesk.platform import outbox
from helpdesk.tickets.models import Ticket
from workers.queues import DEFAULT_QUEUE, ROUTING_QUEUE

ROUTE_TASK = "workers.jobs.route_ticket"
DRAIN_TASK = "workers.jobs.drain_queue"
SURVEY_TASK = "workers.jobs.send_csat_survey"


def request_routing(ticket: Ticket) -> None:
    """Route the ticket after the current transaction commits."""
    outbox.add(ROUTE_TASK, {"ticket_id": ticket.id}, client_id=ticket.client_id, queue=ROUTING_QUEUE)


def request_drain(region_id: int | None, client_id: int | None = None) -> None:
    """Offer a region's waiting tickets again (an agent freed up, came online, or a shift began)."""
    if region_id is not None:
        outbox.add(DRAIN_TASK, {"region_id": region_id}, client_id=client_id, queue=ROUTING_QUEUE)


def request_survey(ticket: Ticket) -> None:
    """The ticket is becoming solved: survey its customer after this transaction commits."""
    client = ticket.client
    if client is not None and not client.csat_enabled:
        return  # the job checks again: the toggle may change before it runs
    outbox.add(SURVEY_TASK, {"ticket_id": ticket.id}, client_id=ticket.client_id, queue=DEFAULT_QUEUE)
