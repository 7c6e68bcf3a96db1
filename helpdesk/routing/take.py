"""Why an agent can or cannot take a waiting ticket: said next to "Take next" and on each queue row.

The checks are the ones ``assignment.take_next`` applies, in the same order, so what the
page says is what the button does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.routing import assignment
from helpdesk.staff.models import Agent
from helpdesk.tickets.models import Ticket

NOT_SERVED = "client"
LANGUAGE = "language"
CHANNEL = "channel"
CAPACITY = "capacity"


@dataclass(frozen=True)
class Obstacle:
    kind: str  # one of the constants above
    value: str  # the client id, language or channel concerned; for capacity "email 5 of 5"
    text: str  # for the queue row


@dataclass
class Explanation:
    """Why Take next found nothing: the message next to the button, and the counts behind it."""

    message: str
    waiting: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def obstacles(agent: Agent, tickets: list[Ticket]) -> dict[int, Obstacle | None]:
    """For each ticket: what stops the agent taking it, or None when they could take it now."""
    loads = {channel: assignment.load_on_channel(agent.id, channel) for channel in {t.channel for t in tickets}}
    served = {client.id for client in agent.clients}
    return {t.id: _obstacle(agent, t, served, loads) for t in tickets}


def _obstacle(agent: Agent, ticket: Ticket, served: set[int], loads: dict[str, int]) -> Obstacle | None:
    if not (agent.all_clients or ticket.client_id in served):
        return Obstacle(NOT_SERVED, str(ticket.client_id), "a client you do not serve")
    if not assignment.speaks(agent, ticket):
        return Obstacle(LANGUAGE, ticket.language, f"in {ticket.language}, not one of your languages")
    capacity = assignment.capacity_on(agent, ticket.channel)
    if not assignment.has_channel(agent, ticket) or capacity == 0:
        return Obstacle(CHANNEL, ticket.channel, f"{ticket.channel} is not one of your channels")
    if loads[ticket.channel] >= capacity:
        used = f"{loads[ticket.channel]} of {capacity}"
        return Obstacle(CAPACITY, f"{ticket.channel} {used}", f"you are at capacity on {ticket.channel} ({used})")
    return None


def explain_nothing_to_take(agent_id: int) -> Explanation:
    """Why ``take_next`` found nothing for this agent, in one sentence with numbers."""
    agent = db.session.get(Agent, agent_id)
    if agent is None or agent.region_id is None:
        return Explanation("You are not in a region, so there is no queue to take from; ask a supervisor.")
    ids = assignment.waiting_tickets(agent.region_id, limit=200)
    if not ids:
        return Explanation("The queue is empty: no ticket is waiting in your region.")
    tickets = list(db.session.scalars(select(Ticket).where(Ticket.id.in_(ids))))
    found = [o for o in obstacles(agent, tickets).values() if o is not None]
    if len(found) < len(tickets):
        # Someone took the takeable ones between the click and this read.
        return Explanation("Another agent took the ticket you could have taken; try again.", len(tickets))
    counts = Counter(o.kind for o in found)
    parts = [_sentence(kind, n, found) for kind, n in counts.most_common()]
    return Explanation(f"No waiting ticket you can take ({len(tickets)} waiting): " + "; ".join(parts) + ".",
                       len(tickets), dict(counts))


def _sentence(kind: str, count: int, found: list[Obstacle]) -> str:
    values = sorted({o.value for o in found if o.kind == kind})
    tickets = "ticket" if count == 1 else "tickets"
    if kind == CAPACITY:  # the loads were counted once, in ``obstacles``
        return f"{count} {tickets} need a free slot and you are at capacity ({', '.join(values)})"
    if kind == LANGUAGE:
        return f"{count} {tickets} in languages you do not have ({', '.join(values)})"
    if kind == CHANNEL:
        return f"{count} {tickets} on channels you do not work ({', '.join(values)})"
    return f"{count} {tickets} for clients you do not serve"
