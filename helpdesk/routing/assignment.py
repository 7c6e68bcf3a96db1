"""Routing a ticket to an agent: region on shift, then the best eligible agent.

Eligible: active, online, in the region, entitled for the client, speaks the
ticket's language, has the channel skill and a free slot on that channel.
Among those: least loaded on the channel, then longest since their last
assignment. With no one free the ticket waits in its region's queue, ordered by
priority then SLA due time, and is taken when someone frees up.

Concurrency: several workers may route at once. On PostgreSQL the ticket and the
chosen agent are locked with ``FOR UPDATE SKIP LOCKED`` (a ticket another router
holds is skipped: that router decides it; a busy agent is passed over for the
next candidate) and the agent's load is recounted under the lock, so capacity
is never exceeded and a ticket is never assigned twice. SQLite runs every write
transaction under one database lock (BEGIN IMMEDIATE), which gives the same
guarantee by serialising routers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Text, bindparam, case, cast, func, literal_column, select, text, update
from sqlalchemy.orm import lazyload

from helpdesk.errors import NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.platform import events, outbox
from helpdesk.platform.db import utcnow
from helpdesk.platform.events import Actor
from helpdesk.routing import language
from helpdesk.routing import regions as routing
from helpdesk.routing.models import Region
from helpdesk.sla import clock as sla_clock
from helpdesk.staff.models import Agent, agent_clients
from helpdesk.tickets import followups
from helpdesk.tickets.models import Message, Ticket
from helpdesk.tickets.summaries import ticket_summary as summary

ROUTABLE_STATUSES = ("new", "open")
# Statuses that hold one of the agent's slots on the ticket's channel. A pending
# ticket waits on the customer and frees its slot.
LOAD_STATUSES = ("new", "open", "on_hold")
# The queue order, written as literal SQL so it matches the partial expression index
# ix_tickets_queue_order (migration 0009) word for word: SQLite and PostgreSQL then read
# a region's queue in index order instead of sorting every waiting ticket.
PRIORITY_ORDER = literal_column(
    "CASE tickets.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 WHEN 'low' THEN 3 ELSE 4 END")
WAITING = text("tickets.status IN ('new', 'open')")
assert ROUTABLE_STATUSES == ("new", "open"), "WAITING and migration 0009's index predicate spell these out"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The hot path reads and writes through the tables (Core), not the ORM classes.
AGENTS = Agent.__table__
TICKETS = Ticket.__table__


@dataclass(frozen=True)
class Decision:
    ticket_id: int
    agent_id: int | None
    region_id: int | None
    reason: str


# The ticket, and its first message's text when its language is still to be detected (one round trip).
_FIRST_MESSAGE = (select(Message.body_text).where(Message.ticket_id == Ticket.id).order_by(Message.id).limit(1)
                  .correlate(Ticket).scalar_subquery())
_TICKET_TO_ROUTE = (select(Ticket, case((Ticket.language.is_(None), _FIRST_MESSAGE), else_=None))
                    .where(Ticket.id == bindparam("ticket_id"))
                    .options(lazyload(Ticket.contact), lazyload(Ticket.assignee)))


def _locking(query, dialect: str, model):
    # OF <table>: the row itself, not the rows of eagerly joined relationships.
    return query.with_for_update(skip_locked=True, of=model) if dialect == "postgresql" else query


def route_ticket(ticket_id: int, actor: Actor | None = None, *, quiet_if_queued: bool = False) -> Decision | None:
    """Route one ticket; None when it is already assigned, closed, or being routed by another worker.

    ``quiet_if_queued``: when the ticket just stays where it waits, record nothing
    (a queue drain re-offers many tickets; only changes deserve an event).
    """
    dialect = db.engine.dialect.name
    found = db.session.execute(_locking(_TICKET_TO_ROUTE, dialect, Ticket), {"ticket_id": ticket_id}).first()
    ticket, first_message = found if found else (None, None)
    if ticket is None or ticket.assignee_id is not None or ticket.status not in ROUTABLE_STATUSES:
        db.session.rollback()
        return None
    with db.session.no_autoflush:  # the ticket's changes go out in one UPDATE, in _record
        detected = _detect_language(ticket, first_message)
        decision = _decide(ticket, dialect)
    if detected:
        decision = Decision(decision.ticket_id, decision.agent_id, decision.region_id,
                            f"language {detected} detected; {decision.reason}")
    if quiet_if_queued and decision.agent_id is None and decision.region_id == ticket.region_id:
        db.session.rollback()
        return decision
    _record(ticket, decision, actor or Actor.system())
    outbox.commit()
    return decision


def _decide(ticket: Ticket, dialect: str) -> Decision:
    region = _region_for(ticket)
    if region is None:
        return Decision(ticket.id, None, None, "no region serves this client; waiting")
    candidates, why_none = _eligible_agents(ticket, region)
    for agent, load in candidates:
        if not _lock_online_agent(agent.id, dialect):
            continue  # another router is assigning to this agent right now, or they just left
        if load_on_channel(agent.id, ticket.channel) < capacity_on(agent, ticket.channel):  # recounted under the lock
            return Decision(ticket.id, agent.id, region.id,
                            f"assigned to {agent.name} in {region.name} (load {load} on {ticket.channel})")
    reason = why_none or f"all eligible agents in {region.name} are busy; queued"
    if not routing.is_on_shift(region):
        reason += f" ({region.name} is off shift)"
    return Decision(ticket.id, None, region.id, reason)


def _lock_online_agent(agent_id: int, dialect: str) -> bool:
    """Lock the agent's row (skipping one another router holds) if they are still active and online."""
    query = _LOCK_AGENT_PG if dialect == "postgresql" else _LOCK_AGENT
    return db.session.connection().execute(query, {"agent_id": agent_id}).first() is not None


def _detect_language(ticket: Ticket, first_message: str | None) -> str | None:
    """Fill in a missing language from the subject and first message, among the contract's languages."""
    if ticket.language:
        return None
    allowed = ticket.client.languages or []
    detected = language.detect(f"{ticket.subject}\n{first_message or ''}", allowed)
    if detected:
        ticket.language = detected
    # A one-language contract needs no detection worth reporting.
    return detected if len(allowed) > 1 else None


def _region_for(ticket: Ticket) -> routing.RegionView | None:
    """Keep the ticket's region while the contract allows it (a supervisor's move, a handoff);
    otherwise the first region on shift in the follow-the-sun chain."""
    for region in routing.eligible_regions(ticket.client_id):
        if region.id == ticket.region_id:
            return region
    return routing.initial_region(ticket.client_id)


def capacity_on(agent: Any, channel: str) -> int:
    return int((agent.capacity or {}).get(channel, 0))


# The hot statements are built once: constructing them and computing their cache keys on
# every decision was a measurable part of its cost.
_LOAD_ON_CHANNEL = (TICKETS.c.channel == bindparam("channel")) & TICKETS.c.status.in_(LOAD_STATUSES)
_AGENT_LOAD = select(func.count()).where(TICKETS.c.assignee_id == bindparam("agent_id"), _LOAD_ON_CHANNEL)
_ONLINE_AGENTS = select(
    AGENTS.c.id, AGENTS.c.name, cast(AGENTS.c.languages, Text), cast(AGENTS.c.channels, Text),
    cast(AGENTS.c.capacity, Text), AGENTS.c.all_clients, AGENTS.c.last_assigned_at,
    select(func.count()).where(TICKETS.c.assignee_id == AGENTS.c.id, _LOAD_ON_CHANNEL).scalar_subquery(),
).where(AGENTS.c.region_id == bindparam("region_id"), AGENTS.c.active.is_(True), AGENTS.c.presence == "online",
        AGENTS.c.role == "agent")

_LOCK_AGENT = select(AGENTS.c.id).where(AGENTS.c.id == bindparam("agent_id"), AGENTS.c.active.is_(True),
                                        AGENTS.c.presence == "online")
_LOCK_AGENT_PG = _LOCK_AGENT.with_for_update(skip_locked=True)


@dataclass(frozen=True)
class Skills:
    languages: frozenset[str]
    channels: frozenset[str]
    capacity: tuple[tuple[str, int], ...]


@lru_cache(maxsize=4096)
def _skills(languages: str | None, channels: str | None, capacity: str | None) -> Skills:
    """Parsed once per distinct JSON text: most agents share a handful of skill sets."""
    return Skills(frozenset(json.loads(languages or "null") or ()), frozenset(json.loads(channels or "null") or ()),
                  tuple(sorted((json.loads(capacity or "null") or {}).items())))


@dataclass(frozen=True)
class Candidate:
    """An online agent as a decision sees them, with their load on the ticket's channel."""

    id: int
    name: str
    skills: Skills
    all_clients: bool
    last_assigned_at: datetime | None
    load: int

    @property
    def languages(self) -> frozenset[str]:
        return self.skills.languages

    @property
    def channels(self) -> frozenset[str]:
        return self.skills.channels

    @property
    def capacity(self) -> dict[str, int]:
        return dict(self.skills.capacity)


def load_on_channel(agent_id: int, channel: str) -> int:
    return db.session.connection().execute(_AGENT_LOAD, {"agent_id": agent_id, "channel": channel}).scalar() or 0


def _online_agents(region_id: int, channel: str) -> list[Candidate]:
    rows = db.session.connection().execute(_ONLINE_AGENTS, {"region_id": region_id, "channel": channel}).all()
    return [Candidate(agent_id, name, _skills(languages, channels, capacity), all_clients, last_assigned_at, load)
            for agent_id, name, languages, channels, capacity, all_clients, last_assigned_at, load in rows]


def _eligible_agents(ticket: Ticket, region: routing.RegionView) -> tuple[list[tuple[Candidate, int]], str]:
    """Eligible agents with a free slot, best first; and why there are none when so.

    Reads plain rows through Core, not ORM objects: a decision looks at every
    online agent of the region, and ORM overhead was most of its cost. Each
    agent's load on the ticket's channel comes with them, in the same statement.
    """
    online = _online_agents(region.id, ticket.channel)
    if not online:
        return [], f"no agent online in {region.name}; queued"
    restricted = [a.id for a in online if not a.all_clients]
    serving = set(db.session.execute(select(agent_clients.c.agent_id).where(
        agent_clients.c.client_id == ticket.client_id, agent_clients.c.agent_id.in_(restricted))).scalars()) \
        if restricted else set()
    entitled = [a for a in online if a.all_clients or a.id in serving]
    if not entitled:
        return [], f"no agent online in {region.name} serves this client; queued"
    speaking = [a for a in entitled if speaks(a, ticket)]
    if not speaking:
        return [], f"no agent with language {ticket.language} online in {region.name}; queued"
    skilled = [a for a in speaking if has_channel(a, ticket) and capacity_on(a, ticket.channel) > 0]
    if not skilled:
        return [], f"no agent with the {ticket.channel} skill online in {region.name}; queued"
    free = [(a, a.load) for a in skilled if a.load < capacity_on(a, ticket.channel)]
    free.sort(key=lambda pair: (pair[1], pair[0].last_assigned_at or EPOCH, pair[0].id))
    reason = "" if free else f"no agent with a free {ticket.channel} slot in {region.name}; queued"
    return free, reason


def _record(ticket: Ticket, decision: Decision, actor: Actor) -> None:
    now = utcnow()
    moved_from = ticket.region_id if ticket.region_id != decision.region_id else None
    ticket.region_id = decision.region_id
    if moved_from is not None:
        sla_clock.region_changed(ticket, now)
    if decision.agent_id is not None:
        ticket.assignee_id = decision.agent_id
        ticket.assigned_at = now
        ticket.status = "open" if ticket.status == "new" else ticket.status
        event_type = "ticket.assigned"
    else:
        event_type = "ticket.queued"
    ticket.updated_at = now
    db.session.flush()
    if decision.agent_id is not None:
        db.session.connection().execute(
            update(AGENTS).where(AGENTS.c.id == decision.agent_id).values(last_assigned_at=now))
    data = {"reason": decision.reason, "agent_id": decision.agent_id, "region_id": decision.region_id,
            "ticket": summary(ticket)}
    if moved_from is not None:
        data["moved_from_region_id"] = moved_from
    events.record(ticket.client_id, event_type, actor, data, ticket_id=ticket.id)


QUEUE_ORDER = (PRIORITY_ORDER, Ticket.first_response_due_at.is_(None), Ticket.first_response_due_at,
               Ticket.queued_at, Ticket.id)


def in_queue(region_id: int) -> tuple:
    """The region's queue: its unassigned new and open tickets (read in QUEUE_ORDER by the index)."""
    return Ticket.region_id == region_id, Ticket.assignee_id.is_(None), WAITING


def waiting_tickets(region_id: int, limit: int = 50) -> list[int]:
    """The region's queue: unassigned open tickets by priority, then SLA due time, then age."""
    return list(db.session.scalars(select(Ticket.id).where(*in_queue(region_id)).order_by(*QUEUE_ORDER).limit(limit)))


def drain_queue(region_id: int, limit: int = 200) -> int:
    """Offer a region's waiting tickets again, best first; returns how many were assigned."""
    assigned = 0
    for ticket_id in waiting_tickets(region_id, limit):
        db.session.rollback()
        decision = route_ticket(ticket_id, quiet_if_queued=True)
        if decision is not None and decision.agent_id is not None:
            assigned += 1
        elif decision is not None and decision.reason.startswith("no agent online"):
            break  # nobody to offer the rest to either
    db.session.rollback()
    return assigned


def take_next(agent_id: int) -> Ticket | None:
    """An agent pulls the best waiting ticket of their region that they are eligible for."""
    agent = db.session.get(Agent, agent_id)
    if agent is None or agent.region_id is None:
        return None
    dialect = db.engine.dialect.name
    for ticket_id in waiting_tickets(agent.region_id, limit=200):
        ticket = db.session.scalar(_locking(select(Ticket).where(Ticket.id == ticket_id), dialect, Ticket))
        if ticket is None or ticket.assignee_id is not None or ticket.status not in ROUTABLE_STATUSES:
            continue
        if not can_serve(agent, ticket) or not has_free_slot(agent, ticket.channel):
            continue
        region_name = db.session.get(Region, agent.region_id).name
        _record(ticket, Decision(ticket.id, agent.id, agent.region_id,
                                 f"taken by {agent.name} in {region_name} (take next)"), Actor("agent", agent.id))
        outbox.commit()
        return ticket
    db.session.rollback()
    return None


def has_free_slot(agent: Any, channel: str) -> bool:
    return load_on_channel(agent.id, channel) < capacity_on(agent, channel)


def speaks(agent: Any, ticket: Ticket) -> bool:
    return not ticket.language or ticket.language in (agent.languages or [])


def has_channel(agent: Any, ticket: Ticket) -> bool:
    return ticket.channel in (agent.channels or [])


def can_serve(agent: Agent, ticket: Ticket) -> bool:
    entitled = agent.all_clients or any(c.id == ticket.client_id for c in agent.clients)
    return entitled and speaks(agent, ticket) and has_channel(agent, ticket)


def reassign(ticket_id: int, agent_id: int | None, actor: Actor) -> Ticket:
    """A supervisor gives a ticket to an agent (capacity is theirs to judge) or back to the queue."""
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("No such ticket.")
    previous = ticket.assignee_id
    if agent_id is None:
        reason = "returned to the queue by a supervisor"
        ticket.assignee_id, ticket.assigned_at = None, None
        followups.request_routing(ticket)
    else:
        agent = db.session.get(Agent, agent_id)
        if agent is None or not agent.active:
            raise ValidationFailed("No such agent.", {"agent_id": [str(agent_id)]})
        if not can_serve(agent, ticket):
            raise ValidationFailed("This agent cannot serve the ticket (client, language or channel).",
                                   {"agent_id": [str(agent_id)]})
        reason = f"reassigned to {agent.name} by a supervisor"
        ticket.assignee_id, ticket.assigned_at = agent.id, utcnow()
        ticket.region_id = agent.region_id or ticket.region_id
    ticket.updated_at = utcnow()
    if previous is not None:
        followups.request_drain(ticket.region_id, ticket.client_id)
    db.session.flush()
    events.record(ticket.client_id, "ticket.reassigned", actor,
                  {"reason": reason, "from_agent_id": previous, "agent_id": ticket.assignee_id,
                   "ticket": summary(ticket)}, ticket_id=ticket.id)
    outbox.commit()
    return ticket


def move_to_region(ticket_id: int, region_id: int, actor: Actor, note: str | None = None) -> Ticket:
    """A supervisor (or the shift handoff) moves a ticket to another region's queue; the SLA clock runs on."""
    ticket = db.session.get(Ticket, ticket_id)
    region = db.session.get(Region, region_id)
    if ticket is None or region is None:
        raise NotFound("No such ticket or region.")
    previous_region, previous_agent = ticket.region_id, ticket.assignee_id
    ticket.region_id, ticket.assignee_id, ticket.assigned_at = region.id, None, None
    ticket.queued_at = utcnow()
    ticket.updated_at = ticket.queued_at
    sla_clock.region_changed(ticket, ticket.queued_at)
    followups.request_routing(ticket)
    if previous_agent is not None:
        followups.request_drain(previous_region, ticket.client_id)
    db.session.flush()
    events.record(ticket.client_id, "ticket.moved", actor,
                  {"reason": note or f"moved to {region.name}", "from_region_id": previous_region,
                   "region_id": region.id, "from_agent_id": previous_agent, "ticket": summary(ticket)},
                  ticket_id=ticket.id)
    outbox.commit()
    return ticket
