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

from helpdesk.errors import AppError, Conflict, NotFound, Unauthorized
from helpdesk.extensions import db, socketio
from helpdesk.models import Client, Event, Message, Ticket, utcnow
from helpdesk.services import chat, events, presence
from helpdesk.services.tenancy import TenantScope
from helpdesk.sqlite import read_only

log = logging.getLogger(__name__)
AGENT_NS = "/agent"
CHAT_NS = "/chat"
RESYNC_LIMIT = 500
SIGN_IN_AGAIN = Unauthorized("Sign in again.")


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
        cors_allowed_origins=_origin_check(app),
        logger=False,
        engineio_logger=False,
        manage_session=False,  # Flask-Login reads the signed cookie session as-is
    )
    socketio.on_namespace(AgentNamespace(AGENT_NS))
    socketio.on_namespace(ChatNamespace(CHAT_NS))


def _same_origin(origin: str | None, environ: dict) -> bool:
    host = environ.get("HTTP_X_FORWARDED_HOST") or environ.get("HTTP_HOST")
    scheme = (environ.get("HTTP_X_FORWARDED_PROTO") or environ.get("wsgi.url_scheme") or "http").split(",")[0]
    return origin is None or chat.normalize_origin(origin) == chat.normalize_origin(f"{scheme.strip()}://{host}")


def _origin_check(app: Flask):
    """The transport's Origin check: our own pages, the configured extras, and chat widgets on
    an origin some client allows (the /chat namespace then checks that it is this client's)."""
    extra = {chat.normalize_origin(o) for o in app.config.get("SOCKETIO_CORS_ORIGINS") or []}

    def allowed(origin: str | None, environ: dict) -> bool:
        if _same_origin(origin, environ) or chat.normalize_origin(origin) in extra:
            return True
        with app.app_context():
            try:
                return chat.any_allowed_origin(origin)
            finally:
                db.session.remove()

    return allowed


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

def push_now(event_id: int) -> None:
    """Push a just-committed event from this process (live chat), not through a worker.

    Nothing is lost if it fails: the event is in the log, agents' pages resync by
    sequence number and a visitor's widget gets the transcript when it reconnects."""
    try:
        with read_only():
            event = db.session.get(Event, event_id)
            if event is not None:
                publish_event(event)
            db.session.remove()
    except Exception:  # noqa: BLE001 - see above: the log and resync cover a failed push
        log.exception("live push of event %s failed; clients catch up by resync", event_id)


def chat_room(ticket_id: int) -> str:
    return f"chat:{ticket_id}"


def publish_event(event: Event) -> list[str]:
    """Push one stored event to every room that should see it; safe to repeat (clients dedupe by seq).

    An agent's reply on a chat ticket also goes to the visitor's widget."""
    rooms = rooms_for(event)
    socketio.emit("event", events.serialize(event), to=rooms, namespace=AGENT_NS)
    message = (event.data or {}).get("message") or {}
    ticket = (event.data or {}).get("ticket") or {}
    if event.type == "message.created" and message.get("kind") == "outbound" and ticket.get("channel") == "chat":
        stored = db.session.get(Message, message["id"])
        if stored is not None:
            socketio.emit("message", chat.chat_payload(stored), to=chat_room(event.ticket_id), namespace=CHAT_NS)
    return rooms


# --- /agent namespace ----------------------------------------------------------

class AgentNamespace(Namespace):
    def on_connect(self, auth: Any = None):
        if not _same_origin(request.headers.get("Origin"), request.environ):
            # The transport lets chat widgets' origins in; staff sockets only come from our pages.
            raise ConnectionRefusedError("cross-origin staff sockets are not allowed")
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
            return SIGN_IN_AGAIN.body()
        state = (data or {}).get("state")
        try:
            _change_presence(agent_id, state)
        except AppError as error:
            return error.body()
        return {"state": state}

    def on_typing(self, data: Any):
        """The agent is typing on a ticket: {"ticket_id", "typing"}; a chat visitor sees it live."""
        with read_only():
            if not current_user.is_authenticated:
                return SIGN_IN_AGAIN.body()
            ticket = TenantScope.for_agent(current_user).get(Ticket, (data or {}).get("ticket_id"))
            name = (current_user.name or "Agent").split()[0]
            db.session.remove()
        if ticket is None:
            return NotFound("No such ticket.").body()
        typing = bool((data or {}).get("typing"))
        socketio.emit("typing", {"ticket_id": ticket.id, "who": "agent", "name": name, "typing": typing},
                      to=_staff_rooms(ticket), namespace=AGENT_NS, skip_sid=request.sid)
        if ticket.channel == "chat":
            socketio.emit("typing", {"who": "agent", "name": name, "typing": typing}, to=chat_room(ticket.id),
                          namespace=CHAT_NS)
        return {"ok": True}

    def on_resync(self, data: Any):
        """Return events after the given per-client sequence numbers: {"since": {client_id: seq}}."""
        with read_only():
            return _resync(data)


def _resync(data: Any) -> dict:
    if not current_user.is_authenticated:
        return SIGN_IN_AGAIN.body()
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


# --- /chat namespace (visitors on client sites) ----------------------------------

# The visitor on each socket of this process (a socket lives in one process).
_visitors: dict[str, chat.Visitor] = {}


class ChatNamespace(Namespace):
    """A visitor's widget: connect with {"client": slug, "token": ...}; "start", "message", "typing"."""

    def on_connect(self, auth: Any = None):
        auth = auth if isinstance(auth, dict) else {}
        client = chat.chat_client(auth.get("client"))
        origin = chat.normalize_origin(request.headers.get("Origin"))
        if client is None:
            db.session.remove()
            raise ConnectionRefusedError("unknown client or chat not enabled")
        if origin not in client.origins:
            db.session.remove()
            log.info("chat: refused origin %s for client %s", origin, client.slug)
            raise ConnectionRefusedError("this site may not open chats for this client")
        visitor = chat.read_token(auth.get("token"), client.id)
        if visitor is not None:
            _visitors[request.sid] = visitor
            join_room(chat_room(visitor.ticket_id))
            emit("resumed", {"token": chat.visitor_token(visitor), "messages": chat.transcript(visitor)})
        else:
            _visitors[request.sid] = chat.new_visitor(client.id)
            emit("ready", {"online": chat.anyone_on_shift(client.id), "client": client.name})
        db.session.remove()

    def on_disconnect(self, reason: Any = None):
        _visitors.pop(request.sid, None)

    def on_start(self, data: Any):
        """The first message: {"text", "name"?, "email"?}; answers {"token", "message"}."""
        visitor = _visitors.get(request.sid)
        if visitor is None:
            return Unauthorized("Connect first.").body()
        if visitor.ticket_id is not None:
            return self.on_message(data)
        try:
            _, message = chat.start_chat(visitor, data if isinstance(data, dict) else {})
            answer = {"token": chat.visitor_token(visitor), "message": chat.chat_payload(message)}
        except AppError as error:
            db.session.rollback()
            return error.body()
        finally:
            db.session.remove()
        join_room(chat_room(visitor.ticket_id))
        return answer

    def on_message(self, data: Any):
        """A visitor's line in an open chat: {"text"}; answers {"message"} (the stored copy)."""
        visitor = _visitors.get(request.sid)
        if visitor is None or visitor.ticket_id is None:
            return Conflict("Start the chat first.").body()
        try:
            message, event_id = chat.visitor_says(visitor, data.get("text") if isinstance(data, dict) else None)
            answer = {"message": chat.chat_payload(message)}
        except AppError as error:
            db.session.rollback()
            return error.body()
        finally:
            db.session.remove()
        push_now(event_id)
        return answer

    def on_typing(self, data: Any):
        visitor = _visitors.get(request.sid)
        if visitor is None or visitor.ticket_id is None:
            return {"ok": False}
        with read_only():
            ticket = db.session.get(Ticket, visitor.ticket_id)
            rooms = _staff_rooms(ticket) if ticket is not None else []
            db.session.remove()
        typing = bool(data.get("typing")) if isinstance(data, dict) else False
        socketio.emit("typing", {"ticket_id": visitor.ticket_id, "who": "visitor", "typing": typing},
                      to=rooms, namespace=AGENT_NS)
        return {"ok": True}


def _staff_rooms(ticket: Ticket) -> list[str]:
    """Who follows a ticket live: its assignee, its region's queue, supervisors, and anyone viewing it."""
    rooms = [ticket_room(ticket.id), SUPERVISORS_ROOM, client_room(ticket.client_id)]
    if ticket.assignee_id:
        rooms.append(agent_room(ticket.assignee_id))
    if ticket.region_id and not ticket.assignee_id:
        rooms.append(queue_room(ticket.region_id))
    return rooms
