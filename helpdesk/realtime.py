"""Every Socket.IO emit and namespace handler lives here.

Web nodes and workers share one Redis message queue, so an emit from any
process reaches sockets connected to any node. Events carry the client's
sequence number; a socket that reconnects asks for what it missed with
``resync`` and gets it from the event log.
"""

from __future__ import annotations

import logging
from typing import Any

import socketio as socketio_lib
from flask import Flask, request
from flask_login import current_user
from flask_socketio import Namespace, emit, join_room
from gevent import monkey

from helpdesk.errors import AppError
from helpdesk.extensions import db, socketio
from helpdesk.models import Client, Event, utcnow
from helpdesk.services import events, presence
from helpdesk.services.tenancy import TenantScope
from helpdesk.sqlite import read_only

log = logging.getLogger(__name__)
AGENT_NS = "/agent"
RESYNC_LIMIT = 500


def init_app(app: Flask) -> None:
    async_mode = app.config.get("SOCKETIO_ASYNC_MODE") or _detect_async_mode()
    options = {}
    # Flask-SocketIO keeps options between init_app calls; each app states its own.
    socketio.server_options.pop("client_manager", None)
    if app.config.get("SOCKETIO_MESSAGE_QUEUE", True):
        # Built here because Flask-SocketIO only maps redis:// URLs, and the embedded
        # default talks to its redis-server over a unix socket.
        options["client_manager"] = socketio_lib.RedisManager(app.config["REDIS_URL"], channel="helpdesk-socketio")
    socketio.init_app(
        app,
        **options,
        async_mode=async_mode,
        # None keeps engine.io's same-origin check; [] would switch the Origin check off.
        cors_allowed_origins=app.config.get("SOCKETIO_CORS_ORIGINS") or None,
        logger=False,
        engineio_logger=False,
        manage_session=False,  # Flask-Login reads the signed cookie session as-is
    )
    socketio.on_namespace(AgentNamespace(AGENT_NS))


def _detect_async_mode() -> str:
    return "gevent" if monkey.is_module_patched("socket") else "threading"


# --- rooms -------------------------------------------------------------------

def agent_room(agent_id: int) -> str:
    return f"agent:{agent_id}"


def ticket_room(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


def queue_room(region_id: int) -> str:
    return f"queue:{region_id}"


def client_room(client_id: int) -> str:
    return f"client:{client_id}"


SUPERVISORS_ROOM = "supervisors"


def rooms_for(event: Event) -> list[str]:
    rooms = [SUPERVISORS_ROOM, client_room(event.client_id)]
    ticket = (event.data or {}).get("ticket") or {}
    if event.ticket_id:
        rooms.append(ticket_room(event.ticket_id))
    if ticket.get("region_id"):
        rooms.append(queue_room(ticket["region_id"]))
    if ticket.get("assignee_id"):
        rooms.append(agent_room(ticket["assignee_id"]))
    return rooms


def agent_rooms(agent: Any) -> set[str]:
    """Rooms a staff member's socket joins.

    Supervisors who oversee every client share the ``supervisors`` room; those
    dedicated to some clients join only those clients' rooms. Agents follow their
    own assignments and their region's queue.
    """
    rooms = {agent_room(agent.id)}
    if agent.region_id:
        rooms.add(queue_room(agent.region_id))
    if agent.is_supervisor:
        scope = TenantScope.for_agent(agent)
        if scope.all_clients:
            rooms.add(SUPERVISORS_ROOM)
        else:
            rooms.update(client_room(client_id) for client_id in scope.client_ids)
    return rooms


# --- emits ---------------------------------------------------------------------

def publish_event(event: Event) -> list[str]:
    """Push one stored event to every room that should see it; safe to repeat (clients dedupe by seq)."""
    rooms = rooms_for(event)
    socketio.emit("event", events.serialize(event), to=rooms, namespace=AGENT_NS)
    return rooms


# --- /agent namespace ----------------------------------------------------------

class AgentNamespace(Namespace):
    def on_connect(self, auth: Any = None):
        with read_only():
            if not current_user.is_authenticated:
                db.session.remove()
                log.info("refused unauthenticated socket from %s", request.remote_addr)
                raise ConnectionRefusedError("authentication required")
            for room in agent_rooms(current_user):
                join_room(room)
            emit("hello", {"agent_id": current_user.id, "latest": _latest_seqs(current_user)})
            agent_id, state = current_user.id, current_user.presence
            db.session.remove()
        # The first socket of an offline agent brings them online; a chosen "away" is kept.
        presence.heartbeat(agent_id)
        if presence.socket_opened(agent_id) == 1 and state == "offline":
            _change_presence(agent_id, "online")

    def on_heartbeat(self, data: Any = None):
        """Sent by the page every 20 s; keeps the agent present while the socket lives."""
        agent_id = _signed_in_agent_id()
        if agent_id is not None:
            presence.heartbeat(agent_id)
        return {"ok": agent_id is not None}

    def on_disconnect(self, reason: Any = None):
        agent_id = _signed_in_agent_id()
        if agent_id is not None and presence.socket_closed(agent_id) == 0:
            _change_presence(agent_id, "offline")

    def on_presence(self, data: Any):
        """An agent sets their own state: {"state": "online" | "away" | "offline"}."""
        agent_id = _signed_in_agent_id()
        if agent_id is None:
            return {"error": {"code": "unauthorized", "message": "Sign in again.", "details": {}}}
        state = (data or {}).get("state")
        try:
            _change_presence(agent_id, state)
        except AppError as error:
            return {"error": {"code": error.code, "message": error.message, "details": error.details}}
        return {"state": state}

    def on_resync(self, data: Any):
        """Return events after the given per-client sequence numbers: {"since": {client_id: seq}}."""
        with read_only():
            return _resync(data)


def _resync(data: Any) -> dict:
    if not current_user.is_authenticated:
        return {"error": {"code": "unauthorized", "message": "Sign in again.", "details": {}}}
    since = (data or {}).get("since") or {}
    scope = TenantScope.for_agent(current_user)
    rooms = agent_rooms(current_user)
    missed: list[dict] = []
    more = False
    for raw_client_id, seq in since.items():
        try:
            client_id, seq = int(raw_client_id), int(seq)
        except (TypeError, ValueError):
            continue
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
        agent_id = current_user.id if current_user.is_authenticated else None
        db.session.remove()
    return agent_id


def _change_presence(agent_id: int, state: str) -> None:
    if presence.set_state(agent_id, state):
        publish_presence(agent_id, state)
    db.session.remove()


def publish_presence(agent_id: int, state: str) -> None:
    socketio.emit("presence", {"agent_id": agent_id, "state": state, "at": utcnow().isoformat()},
                  to=SUPERVISORS_ROOM, namespace=AGENT_NS)


def _visible_client_ids(agent: Any) -> list[int]:
    scope = TenantScope.for_agent(agent)
    if scope.all_clients:
        return list(db.session.scalars(db.select(Client.id)))
    return sorted(scope.client_ids)


def _latest_seqs(agent: Any) -> dict[str, int]:
    scope = TenantScope.for_agent(agent)
    return {str(cid): events.latest_seq(scope, cid) for cid in _visible_client_ids(agent)}
