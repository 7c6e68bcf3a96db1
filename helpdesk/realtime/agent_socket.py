"""The /agent namespace: staff sockets (presence, viewing and typing on tickets, resync).

Every event re-reads the session (``manage_session=False``), so a revoked or stale one is
refused and its socket closed, whatever the event."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, request
from flask_login import current_user
from flask_socketio import Namespace, disconnect, emit, join_room, leave_room
from flask_socketio import rooms as socket_rooms

from helpdesk.channels.chat import conversations as chat
from helpdesk.client.models import Client
from helpdesk.errors import AppError, NotFound, Unauthorized, ValidationFailed
from helpdesk.extensions import db, socketio
from helpdesk.platform import events
from helpdesk.platform.sqlite import read_only
from helpdesk.platform.tenancy import TenantScope
from helpdesk.realtime.access import forget_socket, remember_socket
from helpdesk.realtime.board_push import unwatch_wallboard, watch_wallboard
from helpdesk.realtime.emit import publish_presence
from helpdesk.realtime.rooms import (
    AGENT_NS,
    CHAT_NS,
    agent_rooms,
    chat_room,
    rooms_for,
    staff_rooms,
    ticket_room,
)
from helpdesk.request_input import MAX_DB_INT
from helpdesk.routing import presence
from helpdesk.staff.models import ROLES
from helpdesk.tickets.models import Ticket

log = logging.getLogger(__name__)
RESYNC_LIMIT = 500
SIGN_IN_AGAIN = Unauthorized("Sign in again.")


class AgentNamespace(Namespace):
    """Staff sockets. Every event re-reads the session (``manage_session=False``), so a
    revoked or stale one is refused and its socket closed, whatever the event."""

    def on_connect(self, auth: Any = None):
        if not same_origin(request.headers.get("Origin"), request.environ):
            # The transport lets chat widgets' origins in; staff sockets only come from our pages.
            raise ConnectionRefusedError("cross-origin staff sockets are not allowed")
        with read_only():
            if not _is_staff():
                db.session.remove()
                log.info("refused unauthenticated socket from %s", request.remote_addr)
                raise ConnectionRefusedError("authentication required")
            for room in agent_rooms(current_user):
                join_room(room)
            emit("hello", {"agent_id": current_user.id, "latest": _latest_seqs(current_user)})
            agent_id, state = current_user.id, current_user.presence
            watches_board = current_user.is_supervisor
            db.session.remove()
        remember_socket(agent_id, request.sid)
        if watches_board:
            watch_wallboard(current_app._get_current_object(), request.sid)
        # The first socket of an offline agent brings them online; a chosen "away" is kept.
        presence.heartbeat(agent_id)
        if presence.socket_opened(agent_id) == 1 and state == "offline":
            _change_presence(agent_id, "online")

    def on_heartbeat(self, data: Any = None):
        """Sent by the page every 20 s; keeps the agent present while the socket lives."""
        agent_id = _signed_in_agent_id()
        if agent_id is None:
            return _refuse_socket()
        presence.heartbeat(agent_id)
        return {"ok": True}

    def on_disconnect(self, reason: Any = None):
        # Read from this process's map, not the session: after "log out everywhere" the
        # session no longer names anyone, yet the socket still counts towards presence.
        agent_id = forget_socket(request.sid)
        unwatch_wallboard(request.sid)
        if agent_id is not None and presence.socket_closed(agent_id) == 0:
            _change_presence(agent_id, "offline")

    def on_presence(self, data: Any = None):
        """An agent sets their own state: {"state": "online" | "away" | "offline"}."""
        agent_id = _signed_in_agent_id()
        if agent_id is None:
            return _refuse_socket()
        try:
            state = payload_object(data).get("state")
            _change_presence(agent_id, state)
        except AppError as error:
            return error.body()
        return {"state": state}

    def on_view_ticket(self, data: Any = None):
        """The ticket page is open: {"ticket_id"}. Joins ``ticket:<id>`` (others' typing, its events)
        after checking the agent may see the ticket; a socket views one ticket at a time."""
        with read_only():
            if not _is_staff():
                return _refuse_socket()
            ticket = _visible_ticket(payload_object(data))
            db.session.remove()
        if ticket is None:
            return NotFound("No such ticket.").body()
        _leave_ticket_rooms()
        join_room(ticket_room(ticket.id))
        return {"ok": True, "ticket_id": ticket.id}

    def on_leave_ticket(self, data: Any = None):
        """The ticket page was closed."""
        if _signed_in_agent_id() is None:
            return _refuse_socket()
        _leave_ticket_rooms()
        return {"ok": True}

    def on_typing(self, data: Any = None):
        """The agent is typing on a ticket: {"ticket_id", "typing"}; a chat visitor sees it live."""
        with read_only():
            if not _is_staff():
                return _refuse_socket()
            ticket = _visible_ticket(payload_object(data))
            name = (current_user.name or "Agent").split()[0]
            db.session.remove()
        if ticket is None:
            return NotFound("No such ticket.").body()
        typing = bool(data.get("typing"))
        socketio.emit("typing", {"ticket_id": ticket.id, "who": "agent", "name": name, "typing": typing},
                      to=staff_rooms(ticket), namespace=AGENT_NS, skip_sid=request.sid)
        if ticket.channel == "chat":
            socketio.emit("typing", {"who": "agent", "name": name, "typing": typing}, to=chat_room(ticket.id),
                          namespace=CHAT_NS)
        return {"ok": True}

    def on_resync(self, data: Any = None):
        """Return events after the given per-client sequence numbers: {"since": {client_id: seq}}."""
        with read_only():
            if not _is_staff():
                return _refuse_socket()
            return _resync(data)


def _is_staff() -> bool:
    """The socket's session still names an active staff member (the user loader checks the
    session version and ``active``) with a role we know."""
    return current_user.is_authenticated and current_user.role in ROLES


def _refuse_socket() -> dict:
    """An event from a session that was signed out, revoked or deactivated: close the socket."""
    db.session.remove()
    log.info("closing socket %s: its session is no longer valid", request.sid)
    disconnect()
    return SIGN_IN_AGAIN.body()


def payload_object(data: Any) -> dict:
    """An event's payload, which must be a JSON object; anything else is answered, not raised."""
    if not isinstance(data, dict):
        raise ValidationFailed("The event needs an object payload.",
                               {"payload": [f"Expected an object, got {_json_kind(data)}."]})
    return data


def _json_kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {str: "a string", bool: "a boolean", int: "a number", float: "a number", list: "a list"}.get(
        type(value), "something else")


def _visible_ticket(data: dict) -> Ticket | None:
    """The ticket named by an event, if the agent may see it; another client's ticket is None (404)."""
    ticket_id = _row_id(data.get("ticket_id"))
    return TenantScope.for_agent(current_user).get(Ticket, ticket_id) if ticket_id else None


def _row_id(value: Any) -> int | None:
    if isinstance(value, str) and value.isdigit():
        value = int(value)  # pages may pass ids read from data- attributes
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_DB_INT:
        return None
    return value


def _leave_ticket_rooms() -> None:
    for room in socket_rooms():
        if room.startswith("ticket:"):
            leave_room(room)


def _resync(data: Any) -> dict:
    since = payload_object(data).get("since") or {}
    if not isinstance(since, dict):
        raise ValidationFailed("'since' maps client ids to sequence numbers.", {"since": ["Expected an object."]})
    scope = TenantScope.for_agent(current_user)
    rooms = agent_rooms(current_user)
    missed: list[dict] = []
    more = False
    for raw_client_id, seq in since.items():
        client_id = _row_id(raw_client_id)
        if client_id is None or not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq <= MAX_DB_INT:
            raise ValidationFailed("'since' maps client ids to sequence numbers.",
                                   {"since": [f"Not a client id and sequence number: {raw_client_id!r}."]})
        if not scope.allows(client_id):
            continue
        batch = events.since(scope, client_id, seq, RESYNC_LIMIT + 1)
        more = more or len(batch) > RESYNC_LIMIT
        # Only what this socket would have been sent live.
        missed.extend(events.serialize(e) for e in batch[:RESYNC_LIMIT] if rooms & set(rooms_for(e)))
    db.session.remove()
    return {"events": missed, "more": more}


def _signed_in_agent_id() -> int | None:
    """The socket's signed-in agent, read without taking SQLite's write lock."""
    with read_only():
        agent_id = current_user.id if _is_staff() else None
        db.session.remove()
    return agent_id


def _change_presence(agent_id: int, state: str) -> None:
    if presence.set_state(agent_id, state):
        publish_presence(agent_id, state)
    db.session.remove()


def _visible_client_ids(agent: Any) -> list[int]:
    scope = TenantScope.for_agent(agent)
    if scope.all_clients:
        return list(db.session.scalars(db.select(Client.id)))
    return sorted(scope.client_ids)


def _latest_seqs(agent: Any) -> dict[str, int]:
    scope = TenantScope.for_agent(agent)
    return {str(cid): events.latest_seq(scope, cid) for cid in _visible_client_ids(agent)}




def same_origin(origin: str | None, environ: dict) -> bool:
    """The page's origin is this server's. X-Forwarded-* are not read here: ProxyFix has already
    applied them from the configured proxies only (TRUSTED_PROXY_COUNT)."""
    host = environ.get("HTTP_HOST")
    scheme = environ.get("wsgi.url_scheme") or "http"
    return origin is None or chat.normalize_origin(origin) == chat.normalize_origin(f"{scheme}://{host}")
