"""Supervisor actions from the wallboard: a queue's drill-down, reassign, move, priority, set away.

Every function takes the caller's ``TenantScope`` (``TenantScope.for_agent(supervisor)``):

- a ticket outside the scope is a 404, exactly like a missing one;
- an agent is within reach when the supervisor's board lists them: an active agent
  (role ``agent``) who serves every client, or serves at least one client of the scope.
  A supervisor dedicated to client A therefore cannot set away an agent who serves only
  client B (404), but can set away a shared agent who also serves A: that agent works
  A's tickets, and the board already shows them to this supervisor.

The rules of who may take a ticket and which regions a client allows are not
repeated here: they come from ``assignment`` (who can serve the ticket) and
``routing`` (the contract's regions). The changes themselves go through the
existing services (``assignment.reassign``, ``assignment.move_to_region``,
``tickets.update_ticket``, ``presence.set_state``), so each records its usual
event and the event -> outbox -> realtime path updates inboxes and the board.

Refused input raises ``AppError`` (400, ``bad_request``), with the field in ``details``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from helpdesk.client.models import Client
from helpdesk.errors import AppError, Conflict, NotFound
from helpdesk.extensions import db
from helpdesk.platform.db import utcnow
from helpdesk.platform.events import Actor
from helpdesk.platform.tenancy import TenantScope
from helpdesk.routing import assignment, presence
from helpdesk.routing import regions as routing
from helpdesk.routing.models import Region
from helpdesk.sla.models import PRIORITIES
from helpdesk.staff.models import Agent, agent_clients
from helpdesk.supervision import wallboard
from helpdesk.tickets import service as tickets
from helpdesk.tickets.models import OPEN_STATUSES, Ticket
from workers.queues import get_redis

DRILL_LIMIT = 20     # tickets per list in a queue's drill-down
RISK_SCAN = 2000     # open tickets of one (region, client) read to find those at SLA risk, oldest first
SETTABLE_STATES = ("away",)  # a supervisor takes an agent out of routing; coming back is the agent's own move


def bad_input(field: str, message: str) -> AppError:
    return AppError(message, {field: [message]})


# --- reading -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueDetail:
    client_id: int
    region_id: int | None
    waiting: list[dict[str, Any]]
    at_risk: list[dict[str, Any]]


def queue_detail(scope: TenantScope, client_id: int, region_id: int | None,
                 now: datetime | None = None) -> QueueDetail:
    """A wallboard row opened: its oldest waiting tickets and its tickets at SLA risk or breached.

    The SLA flags are the board's own (each ticket's wallboard entry in Redis), so this list
    agrees with the row's figures; the tickets themselves come from the database."""
    if not scope.allows(client_id) or db.session.get(Client, client_id) is None:
        raise NotFound(f"No client with id {client_id}.", {"client_id": client_id})
    now = now or utcnow()
    in_region = Ticket.region_id.is_(None) if region_id is None else Ticket.region_id == region_id
    waiting = list(db.session.scalars(
        scope.select(Ticket, Ticket.client_id == client_id, in_region, Ticket.assignee_id.is_(None),
                     Ticket.status.in_(assignment.ROUTABLE_STATUSES))
        .order_by(Ticket.queued_at, Ticket.id).limit(DRILL_LIMIT)))
    open_ids = list(db.session.scalars(
        scope.select(Ticket, Ticket.client_id == client_id, in_region, Ticket.status.in_(OPEN_STATUSES))
        .with_only_columns(Ticket.id).order_by(Ticket.id).limit(RISK_SCAN)))
    flags = _board_flags(open_ids)
    risky_ids = [ticket_id for ticket_id in open_ids if flags.get(ticket_id)]
    risky = list(db.session.scalars(scope.select(Ticket, Ticket.id.in_(risky_ids)))) if risky_ids else []
    risky.sort(key=lambda t: (flags[t.id] != "breached", _next_due(t) or now, t.id))
    names = _agent_names({t.assignee_id for t in waiting + risky if t.assignee_id})
    return QueueDetail(client_id, region_id, [ticket_row(t, now, names, flags.get(t.id)) for t in waiting],
                       [ticket_row(t, now, names, flags[t.id]) for t in risky[:DRILL_LIMIT]])


def _board_flags(ticket_ids: list[int]) -> dict[int, str]:
    """'breached' or 'at_risk' per ticket, as the wallboard counts it (tickets with neither are left out)."""
    if not ticket_ids:
        return {}
    with get_redis().pipeline(transaction=False) as pipe:
        for ticket_id in ticket_ids:
            pipe.hmget(f"{wallboard.PREFIX}t:{ticket_id}", "risk", "breached")
        replies = pipe.execute()
    flags = {}
    for ticket_id, (risk, breached) in zip(ticket_ids, replies, strict=True):
        if breached == b"1":
            flags[ticket_id] = "breached"
        elif risk:
            flags[ticket_id] = "at_risk"
    return flags


def _next_due(ticket: Ticket) -> datetime | None:
    due = [d for d in (ticket.first_response_due_at if ticket.first_responded_at is None else None,
                       ticket.next_response_due_at, ticket.resolution_due_at) if d is not None]
    return min(due) if due else None


def _agent_names(agent_ids: set[int]) -> dict[int, str]:
    if not agent_ids:
        return {}
    return dict(db.session.execute(select(Agent.id, Agent.name).where(Agent.id.in_(agent_ids))).tuples().all())


def ticket_row(ticket: Ticket, now: datetime, names: dict[int, str] | None = None,
               sla: str | None = None) -> dict[str, Any]:
    """A ticket as the wallboard's lists and actions show it."""
    names = names if names is not None else _agent_names({ticket.assignee_id} if ticket.assignee_id else set())
    waiting = ticket.assignee_id is None and ticket.status in assignment.ROUTABLE_STATUSES
    since = ticket.queued_at or ticket.created_at
    return {"id": ticket.id, "reference": ticket.reference, "client_id": ticket.client_id,
            "subject": ticket.subject, "status": ticket.status, "priority": ticket.priority,
            "channel": ticket.channel, "language": ticket.language, "region_id": ticket.region_id,
            "assignee_id": ticket.assignee_id, "assignee_name": names.get(ticket.assignee_id),
            "waiting_seconds": round((now - since).total_seconds()) if waiting and since else None,
            "next_due_at": _next_due(ticket), "sla": sla}


def ticket_options(scope: TenantScope, ticket_id: int) -> dict[str, Any]:
    """What a supervisor may choose for this ticket: the agents who can take it, the regions its
    client's contract allows, the priorities."""
    ticket = scope.get_or_404(Ticket, ticket_id, "ticket")
    return {"ticket": ticket_row(ticket, utcnow()), "agents": eligible_agents(ticket),
            "regions": [{"id": r.id, "name": r.name} for r in routing.eligible_regions(ticket.client_id)],
            "priorities": list(PRIORITIES)}


def eligible_agents(ticket: Ticket) -> list[dict[str, Any]]:
    """Active agents who can serve the ticket (``assignment``'s rule: client, language, channel)
    and work in a region its client's contract allows (the ticket follows its new agent's region)."""
    allowed = {r.id for r in routing.eligible_regions(ticket.client_id)}
    staff = db.session.scalars(select(Agent).where(Agent.active.is_(True), Agent.role == "agent")
                               .options(selectinload(Agent.clients)).order_by(Agent.name, Agent.id))
    return [{"id": a.id, "name": a.name, "region_id": a.region_id, "presence": a.presence}
            for a in staff if _may_take(a, ticket, allowed)]


def _may_take(agent: Agent, ticket: Ticket, allowed_regions: set[int]) -> bool:
    in_region = agent.region_id is None or agent.region_id in allowed_regions
    return agent.active and agent.role == "agent" and in_region and assignment.can_serve(agent, ticket)


# --- acting on tickets ---------------------------------------------------------------------------------

def _open_ticket(scope: TenantScope, ticket_id: int) -> Ticket:
    ticket = scope.get_or_404(Ticket, ticket_id, "ticket")
    if ticket.status not in OPEN_STATUSES:
        raise Conflict(f"Ticket {ticket.reference} is {ticket.status}; only open tickets can be changed.",
                       {"status": [ticket.status]})
    return ticket


def reassign(scope: TenantScope, ticket_id: int, agent_id: int | None, actor: Actor) -> tuple[Ticket, bool]:
    """Give the ticket to an eligible agent, or back to its region's queue (``agent_id`` None).
    Returns (ticket, changed); giving it to its current assignee changes nothing."""
    ticket = _open_ticket(scope, ticket_id)
    if agent_id == ticket.assignee_id:
        db.session.rollback()
        return ticket, False
    if agent_id is not None:
        agent = db.session.scalar(select(Agent).where(Agent.id == agent_id).options(selectinload(Agent.clients)))
        allowed = {r.id for r in routing.eligible_regions(ticket.client_id)}
        if agent is None or not _may_take(agent, ticket, allowed):
            raise bad_input("agent_id", f"Agent {agent_id} cannot take {ticket.reference}: they must be an active "
                                        "agent serving this client, language and channel, in a region the "
                                        "client's contract allows.")
    return assignment.reassign(ticket.id, agent_id, actor), True


def move(scope: TenantScope, ticket_id: int, region_id: int, actor: Actor,
         note: str | None = None) -> tuple[Ticket, bool]:
    """Move the ticket to another region's queue (the contract's regions only); it leaves its agent.
    Returns (ticket, changed); a waiting ticket 'moved' to where it already waits changes nothing."""
    ticket = _open_ticket(scope, ticket_id)
    if region_id not in {r.id for r in routing.eligible_regions(ticket.client_id)}:
        exists = db.session.get(Region, region_id) is not None
        raise bad_input("region_id", "This client's contract does not allow that region." if exists
                        else f"No region with id {region_id}.")
    if region_id == ticket.region_id and ticket.assignee_id is None:
        db.session.rollback()
        return ticket, False
    return assignment.move_to_region(ticket.id, region_id, actor, note=note), True


def change_priority(scope: TenantScope, ticket_id: int, priority: str, actor: Actor) -> tuple[Ticket, bool]:
    """Set the priority through the ticket service (the SLA targets are recomputed for it)."""
    if priority not in PRIORITIES:
        raise bad_input("priority", f"Priority must be one of {', '.join(PRIORITIES)}.")
    ticket = _open_ticket(scope, ticket_id)
    if ticket.priority == priority:
        db.session.rollback()
        return ticket, False
    return tickets.update_ticket(scope, ticket.id, {"priority": priority}, actor), True


# --- acting on agents ----------------------------------------------------------------------------------

def visible_agent(scope: TenantScope, agent_id: int) -> Agent:
    """An agent this supervisor's board lists (see the module docstring); anyone else is a 404."""
    agent = db.session.get(Agent, agent_id)
    if agent is None or not agent.active or agent.role != "agent" or not _serves_scope(agent, scope):
        raise NotFound(f"No agent with id {agent_id}.", {"id": agent_id})
    return agent


def _serves_scope(agent: Agent, scope: TenantScope) -> bool:
    if scope.all_clients or agent.all_clients:
        return True
    if not scope.client_ids:
        return False
    return db.session.scalar(select(agent_clients.c.agent_id).where(
        agent_clients.c.agent_id == agent.id, agent_clients.c.client_id.in_(scope.client_ids)).limit(1)) is not None


def set_presence(scope: TenantScope, agent_id: int, state: str) -> tuple[Agent, bool]:
    """Set an agent away: routing stops offering them tickets; their open tickets stay theirs.
    Returns (agent, changed). An offline agent cannot be set away (they are not taking work)."""
    if state not in SETTABLE_STATES:
        raise bad_input("state", f"A supervisor can set an agent to: {', '.join(SETTABLE_STATES)}.")
    agent = visible_agent(scope, agent_id)
    if agent.presence == state:
        db.session.rollback()
        return agent, False
    if agent.presence == "offline":
        raise Conflict(f"{agent.name} is offline.", {"presence": ["offline"]})
    changed = presence.set_state(agent.id, state)  # which also tells the wallboard pusher
    return db.session.get(Agent, agent_id), changed
