"""Emits from any process (web nodes and workers): stored events, presence, the chat survey offer."""

from __future__ import annotations

import logging

from helpdesk.channels.chat import conversations as chat
from helpdesk.extensions import db, socketio
from helpdesk.platform import events
from helpdesk.platform.db import utcnow
from helpdesk.platform.models import Event
from helpdesk.platform.sqlite import read_only
from helpdesk.realtime.rooms import AGENT_NS, CHAT_NS, SUPERVISORS_ROOM, agent_room, chat_room, rooms_for
from helpdesk.tickets.models import Message

log = logging.getLogger(__name__)


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


def publish_presence(agent_id: int, state: str) -> None:
    socketio.emit("presence", {"agent_id": agent_id, "state": state, "at": utcnow().isoformat()},
                  to=SUPERVISORS_ROOM, namespace=AGENT_NS)


def publish_presence_set(agent_id: int, state: str, by_agent_id: int) -> None:
    """A supervisor changed an agent's presence: the agent's own pages hear it too (their room)."""
    socketio.emit("presence", {"agent_id": agent_id, "state": state, "at": utcnow().isoformat(),
                               "by_agent_id": by_agent_id},
                  to=[SUPERVISORS_ROOM, agent_room(agent_id)], namespace=AGENT_NS)
