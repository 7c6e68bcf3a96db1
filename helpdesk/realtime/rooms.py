"""Room names, and which rooms an event goes to and a staff socket joins.

Events carry the client's sequence number; a socket that reconnects asks for what it missed
with ``resync`` and gets, from the event log, exactly what its rooms would have been sent."""

from __future__ import annotations

from typing import Any

from helpdesk.platform.models import Event
from helpdesk.platform.tenancy import TenantScope
from helpdesk.tickets.models import Ticket

AGENT_NS = "/agent"
CHAT_NS = "/chat"


def agent_room(agent_id: int) -> str:
    return f"agent:{agent_id}"


def ticket_room(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


def queue_room(region_id: int) -> str:
    """A region's queue as seen by its agents who serve every client."""
    return f"queue:{region_id}"


def client_queue_room(region_id: int, client_id: int) -> str:
    """One client's share of a region's queue: agents entitled to only some clients join one per
    client, so they never hear of another client's tickets (resync filters the same way)."""
    return f"queue:{region_id}:client:{client_id}"


def queue_rooms(region_id: int, client_id: int) -> list[str]:
    return [queue_room(region_id), client_queue_room(region_id, client_id)]


def client_room(client_id: int) -> str:
    return f"client:{client_id}"


SUPERVISORS_ROOM = "supervisors"


def rooms_for(event: Event) -> list[str]:
    rooms = [SUPERVISORS_ROOM, client_room(event.client_id)]
    ticket = (event.data or {}).get("ticket") or {}
    if event.ticket_id:
        rooms.append(ticket_room(event.ticket_id))
    if ticket.get("region_id"):
        rooms.extend(queue_rooms(ticket["region_id"], event.client_id))
    if ticket.get("assignee_id"):
        rooms.append(agent_room(ticket["assignee_id"]))
    if (event.data or {}).get("from_agent_id"):
        # The agent a ticket was taken from learns it is gone; its later events no longer reach them.
        rooms.append(agent_room(event.data["from_agent_id"]))
    return rooms


def agent_rooms(agent: Any) -> set[str]:
    """Rooms a staff member's socket joins.

    Supervisors who oversee every client share the ``supervisors`` room; those
    dedicated to some clients join only those clients' rooms. Agents follow their
    own assignments and their region's queue, limited to the clients they serve.
    """
    rooms = {agent_room(agent.id)}
    scope = TenantScope.for_agent(agent)
    if agent.region_id and scope.all_clients:
        rooms.add(queue_room(agent.region_id))
    elif agent.region_id:
        rooms.update(client_queue_room(agent.region_id, client_id) for client_id in scope.client_ids)
    if agent.is_supervisor:
        if scope.all_clients:
            rooms.add(SUPERVISORS_ROOM)
        else:
            rooms.update(client_room(client_id) for client_id in scope.client_ids)
    return rooms


def chat_room(ticket_id: int) -> str:
    return f"chat:{ticket_id}"


def staff_rooms(ticket: Ticket) -> list[str]:
    """Who follows a ticket live: its assignee, its region's queue, supervisors, and anyone viewing it."""
    rooms = [ticket_room(ticket.id), SUPERVISORS_ROOM, client_room(ticket.client_id)]
    if ticket.assignee_id:
        rooms.append(agent_room(ticket.assignee_id))
    if ticket.region_id and not ticket.assignee_id:
        rooms.extend(queue_rooms(ticket.region_id, ticket.client_id))
    return rooms
