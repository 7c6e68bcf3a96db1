"""Ending an agent's sockets when their access shrinks.

Rooms are decided when a socket connects, so a socket outlives changes to the agent:
signed out everywhere, deactivated, another role, region or fewer clients. Such a
change closes every socket of that agent on every node, right after it commits. The
page reconnects (if the session is still valid) and gets rooms for the new access;
ticket rooms are only re-joined through view_ticket, which checks the scope again."""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, current_app, has_app_context
from redis.exceptions import RedisError
from sqlalchemy import event as orm_event
from sqlalchemy import inspect as orm_inspect

from helpdesk.extensions import db, socketio
from helpdesk.realtime.rooms import AGENT_NS, agent_room
from helpdesk.staff.models import Agent
from workers.queues import get_redis

log = logging.getLogger(__name__)


AGENT_SOCKETS_KEY = "helpdesk:agent-sockets:{agent_id}"
AGENT_SOCKETS_TTL = 24 * 3600  # outlives a shift; a dead node's entries then expire on their own
ACCESS_CHANGES_KEY = "helpdesk_agent_access_changed"
# Changes that may take something away; presence, load and the like are not access.
ACCESS_FIELDS = ("active", "role", "all_clients", "region_id", "region", "session_version")
SESSION_FIELDS = ("active", "session_version")


# The agent on each /agent socket of this process (a socket lives in one process).
_socket_agents: dict[str, int] = {}


def remember_socket(agent_id: int, sid: str) -> None:
    _socket_agents[sid] = agent_id
    key = AGENT_SOCKETS_KEY.format(agent_id=agent_id)
    try:
        with get_redis().pipeline() as pipe:
            pipe.sadd(key, sid).expire(key, AGENT_SOCKETS_TTL).execute()
    except RedisError:
        log.warning("could not register socket %s of agent %s; its next event still checks the session",
                    sid, agent_id)


def forget_socket(sid: str) -> int | None:
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
