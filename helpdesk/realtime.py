"""Every Socket.IO emit and namespace handler lives here.

Web nodes and workers share one Redis message queue, so an emit from any
process reaches sockets connected to any node. Events carry the client's
sequence number; a socket that reconnects asks for what it missed with
``resync`` and gets it from the event log.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Any

import socketio as socketio_lib
from flask import Flask, current_app, has_app_context, request
from flask_login import current_user
from flask_socketio import Namespace, disconnect, emit, join_room, leave_room
from flask_socketio import rooms as socket_rooms
from gevent import monkey
from redis.exceptions import RedisError
from sqlalchemy import event as orm_event
from sqlalchemy import inspect as orm_inspect
from sqlalchemy.orm import Session

from helpdesk.channels.chat import conversations as chat
from helpdesk.client.models import Client
from helpdesk.errors import AppError, Conflict, NotFound, Unauthorized
from helpdesk.extensions import db, socketio
from helpdesk.platform import events
from helpdesk.platform.db import utcnow
from helpdesk.platform.models import Event
from helpdesk.platform.sqlite import read_only
from helpdesk.platform.tenancy import TenantScope
from helpdesk.routing import presence
from helpdesk.staff.models import ROLES, Agent
from helpdesk.supervision import csat, wallboard
from helpdesk.tickets.models import Message, Ticket
from workers.queues import get_redis

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
    watch_access(Session)


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


def offer_chat_survey(ticket_id: int, path: str) -> None:
    """A solved chat: the visitor's widget offers the satisfaction survey (a one-time /csat link)."""
    socketio.emit("csat", {"path": path, "ticket_id": ticket_id}, to=chat_room(ticket_id), namespace=CHAT_NS)


# --- /agent namespace ----------------------------------------------------------

class AgentNamespace(Namespace):
    """Staff sockets. Every event re-reads the session (``manage_session=False``), so a
    revoked or stale one is refused and its socket closed, whatever the event."""

    def on_connect(self, auth: Any = None):
        if not _same_origin(request.headers.get("Origin"), request.environ):
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
        _remember_socket(agent_id, request.sid)
        if watches_board:
            _watch_wallboard(current_app._get_current_object(), request.sid)
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
        agent_id = _forget_socket(request.sid)
        _unwatch_wallboard(request.sid)
        if agent_id is not None and presence.socket_closed(agent_id) == 0:
            _change_presence(agent_id, "offline")

    def on_presence(self, data: Any):
        """An agent sets their own state: {"state": "online" | "away" | "offline"}."""
        agent_id = _signed_in_agent_id()
        if agent_id is None:
            return _refuse_socket()
        state = (data or {}).get("state")
        try:
            _change_presence(agent_id, state)
        except AppError as error:
            return error.body()
        return {"state": state}

    def on_view_ticket(self, data: Any):
        """The ticket page is open: {"ticket_id"}. Joins ``ticket:<id>`` (others' typing, its events)
        after checking the agent may see the ticket; a socket views one ticket at a time."""
        with read_only():
            if not _is_staff():
                return _refuse_socket()
            ticket = _visible_ticket(data)
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

    def on_typing(self, data: Any):
        """The agent is typing on a ticket: {"ticket_id", "typing"}; a chat visitor sees it live."""
        with read_only():
            if not _is_staff():
                return _refuse_socket()
            ticket = _visible_ticket(data)
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


def _visible_ticket(data: Any) -> Ticket | None:
    """The ticket named by an event, if the agent may see it; another client's ticket is None (404)."""
    ticket_id = data.get("ticket_id") if isinstance(data, dict) else None
    if isinstance(ticket_id, str) and ticket_id.isdigit():
        ticket_id = int(ticket_id)  # pages may pass ids read from data- attributes
    if not isinstance(ticket_id, int) or isinstance(ticket_id, bool):
        return None
    return TenantScope.for_agent(current_user).get(Ticket, ticket_id)


def _leave_ticket_rooms() -> None:
    for room in socket_rooms():
        if room.startswith("ticket:"):
            leave_room(room)


def _resync(data: Any) -> dict:
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
        agent_id = current_user.id if _is_staff() else None
        db.session.remove()
    return agent_id


def _change_presence(agent_id: int, state: str) -> None:
    if presence.set_state(agent_id, state):
        publish_presence(agent_id, state)
    db.session.remove()


def publish_presence(agent_id: int, state: str) -> None:
    socketio.emit("presence", {"agent_id": agent_id, "state": state, "at": utcnow().isoformat()},
                  to=SUPERVISORS_ROOM, namespace=AGENT_NS)


def publish_presence_set(agent_id: int, state: str, by_agent_id: int) -> None:
    """A supervisor changed an agent's presence: the agent's own pages hear it too (their room)."""
    socketio.emit("presence", {"agent_id": agent_id, "state": state, "at": utcnow().isoformat(),
                               "by_agent_id": by_agent_id},
                  to=[SUPERVISORS_ROOM, agent_room(agent_id)], namespace=AGENT_NS)


def _visible_client_ids(agent: Any) -> list[int]:
    scope = TenantScope.for_agent(agent)
    if scope.all_clients:
        return list(db.session.scalars(db.select(Client.id)))
    return sorted(scope.client_ids)


def _latest_seqs(agent: Any) -> dict[str, int]:
    scope = TenantScope.for_agent(agent)
    return {str(cid): events.latest_seq(scope, cid) for cid in _visible_client_ids(agent)}


# --- ending an agent's sockets when their access shrinks ---------------------------
#
# Rooms are decided when a socket connects, so a socket outlives changes to the agent:
# signed out everywhere, deactivated, another role, region or fewer clients. Such a
# change closes every socket of that agent on every node, right after it commits. The
# page reconnects (if the session is still valid) and gets rooms for the new access;
# ticket rooms are only re-joined through view_ticket, which checks the scope again.

AGENT_SOCKETS_KEY = "helpdesk:agent-sockets:{agent_id}"
AGENT_SOCKETS_TTL = 24 * 3600  # outlives a shift; a dead node's entries then expire on their own
ACCESS_CHANGES_KEY = "helpdesk_agent_access_changed"
# Changes that may take something away; presence, load and the like are not access.
ACCESS_FIELDS = ("active", "role", "all_clients", "region_id", "region", "session_version")
SESSION_FIELDS = ("active", "session_version")

# The agent on each /agent socket of this process (a socket lives in one process).
_socket_agents: dict[str, int] = {}


def _remember_socket(agent_id: int, sid: str) -> None:
    _socket_agents[sid] = agent_id
    key = AGENT_SOCKETS_KEY.format(agent_id=agent_id)
    try:
        with get_redis().pipeline() as pipe:
            pipe.sadd(key, sid).expire(key, AGENT_SOCKETS_TTL).execute()
    except RedisError:
        log.warning("could not register socket %s of agent %s; its next event still checks the session",
                    sid, agent_id)


def _forget_socket(sid: str) -> int | None:
    agent_id = _socket_agents.pop(sid, None)
    if agent_id is not None:
        # On failure the entry expires, and disconnecting a gone socket later is harmless.
        with contextlib.suppress(RedisError):
            get_redis().srem(AGENT_SOCKETS_KEY.format(agent_id=agent_id), sid)
    return agent_id


def end_agent_sockets(agent_id: int, reason: str = "access_changed") -> int:
    """Close every /agent socket of an agent on every web node; returns how many were known.

    ``session_ended {reason}`` tells the page why first: "signed_out" means go to the sign-in
    page, "access_changed" means reconnect. It is a courtesy; the disconnect is what counts."""
    socketio.emit("session_ended", {"reason": reason}, to=agent_room(agent_id), namespace=AGENT_NS)
    key = AGENT_SOCKETS_KEY.format(agent_id=agent_id)
    sids = [sid.decode() if isinstance(sid, bytes) else sid for sid in get_redis().smembers(key)]
    for sid in sids:
        # A socket on another node is disconnected through the Redis message queue.
        socketio.server.disconnect(sid, namespace=AGENT_NS)
    return len(sids)


def watch_access(session_class: type) -> None:
    """After a commit that changed an agent's access, close that agent's sockets."""
    for name, listener in (("before_flush", _note_access_changes), ("after_commit", _end_changed_sockets),
                           ("after_soft_rollback", _forget_access_changes)):
        if not orm_event.contains(session_class, name, listener):
            orm_event.listen(session_class, name, listener)


def _note_access_changes(session, _flush_context, _instances) -> None:
    for obj in session.dirty:
        if isinstance(obj, Agent) and obj.id is not None:
            reason = _access_change(obj)
            if reason:
                changes = session.info.setdefault(ACCESS_CHANGES_KEY, {})
                # "signed_out" wins: the page must not try to reconnect.
                changes[obj.id] = "signed_out" if "signed_out" in (reason, changes.get(obj.id)) else reason


def _access_change(agent: Agent) -> str | None:
    attrs = orm_inspect(agent).attrs
    if any(attrs[name].history.has_changes() for name in SESSION_FIELDS):
        return "signed_out"
    if any(attrs[name].history.has_changes() for name in ACCESS_FIELDS) or attrs.clients.history.deleted:
        return "access_changed"
    return None


def _forget_access_changes(session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(ACCESS_CHANGES_KEY, None)


def _end_changed_sockets(session) -> None:
    changes = session.info.pop(ACCESS_CHANGES_KEY, None)
    if not changes or not has_app_context():
        return
    # Not inline: closing a socket of this process runs its disconnect handler, which uses
    # the database session that is in the middle of committing here.
    socketio.start_background_task(_end_sockets_in_app, current_app._get_current_object(), changes)


def _end_sockets_in_app(app: Flask, changes: dict[int, str]) -> None:
    with app.app_context():
        try:
            for agent_id, reason in changes.items():
                end_agent_sockets(agent_id, reason)
        except Exception:  # noqa: BLE001 - each socket's next event still checks the session
            log.exception("could not close the sockets of agents %s", sorted(changes))
        finally:
            db.session.remove()


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
            emit("resumed", {"token": chat.visitor_token(visitor), "messages": chat.transcript(visitor),
                             "csat": visitor.ticket_id if csat.chat_survey_pending(visitor.ticket_id) else None})
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

    def on_csat(self, data: Any = None):
        """A resuming widget that lost the survey offer asks again; answers {"path", "ticket_id"}."""
        visitor = _visitors.get(request.sid)
        if visitor is None or visitor.ticket_id is None:
            return Conflict("Start the chat first.").body()
        try:
            chat.check_rate(visitor)  # each answer writes a new token: counted like a message
            path = csat.chat_survey_link(visitor.ticket_id)
        except AppError as error:
            return error.body()
        finally:
            db.session.remove()
        if path is None:
            return NotFound("No survey waits for this chat.").body()
        return {"path": path, "ticket_id": visitor.ticket_id}

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
        rooms.extend(queue_rooms(ticket.region_id, ticket.client_id))
    return rooms


# --- wallboard ---------------------------------------------------------------------

# Supervisor sockets on this node. The pusher runs while there are any: every half second it
# asks the wallboard service whether it is this node's turn and the board changed, and emits
# it (through the message queue, so it reaches supervisors on every node).
_board_watchers: set[str] = set()
_board_watchers_lock = threading.Lock()
_board_pusher_stopped = threading.Event()
_board_pusher_stopped.set()


def _watch_wallboard(app: Flask, sid: str) -> None:
    with _board_watchers_lock:
        first = not _board_watchers
        _board_watchers.add(sid)
    if first:
        _board_pusher_stopped.clear()
        socketio.start_background_task(_push_wallboards, app)


def _unwatch_wallboard(sid: str) -> None:
    with _board_watchers_lock:
        _board_watchers.discard(sid)


def stop_wallboard_pusher(timeout: float = 5) -> bool:
    """Stop pushing boards from this process (shutdown, or an app being torn down); True once stopped."""
    with _board_watchers_lock:
        _board_watchers.clear()
    return _board_pusher_stopped.wait(timeout)


def _push_wallboards(app: Flask) -> None:
    try:
        while True:
            socketio.sleep(wallboard.PUSH_INTERVAL.total_seconds())
            if not _board_watchers:  # checked after the sleep: no tick once the last watcher left
                return
            _push_wallboards_once(app)
    finally:
        _board_pusher_stopped.set()


def _push_wallboards_once(app: Flask) -> None:
    with app.app_context():
        try:
            for supervisor_id, board in wallboard.boards_to_push():
                room = SUPERVISORS_ROOM if supervisor_id is None else agent_room(supervisor_id)
                socketio.emit("wallboard", board, to=room, namespace=AGENT_NS)
        except Exception:  # noqa: BLE001 - a failed push (Redis away) is retried on the next tick
            log.exception("wallboard push failed")
        finally:
            db.session.remove()
