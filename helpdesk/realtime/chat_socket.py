"""The /chat namespace: a visitor's widget on a client's site (start, message, typing, survey)."""

from __future__ import annotations

import logging
from typing import Any

from flask import request
from flask_socketio import Namespace, emit, join_room

from helpdesk.channels.chat import conversations as chat
from helpdesk.errors import AppError, Conflict, NotFound, Unauthorized
from helpdesk.extensions import db, socketio
from helpdesk.platform.sqlite import read_only
from helpdesk.realtime.emit import push_now
from helpdesk.realtime.rooms import AGENT_NS, chat_room, staff_rooms
from helpdesk.supervision import csat
from helpdesk.tickets.models import Ticket

log = logging.getLogger(__name__)


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

    def on_start(self, data: Any = None):
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

    def on_message(self, data: Any = None):
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

    def on_typing(self, data: Any = None):
        visitor = _visitors.get(request.sid)
        if visitor is None or visitor.ticket_id is None:
            return {"ok": False}
        with read_only():
            ticket = db.session.get(Ticket, visitor.ticket_id)
            rooms = staff_rooms(ticket) if ticket is not None else []
            db.session.remove()
        typing = bool(data.get("typing")) if isinstance(data, dict) else False
        socketio.emit("typing", {"ticket_id": visitor.ticket_id, "who": "visitor", "typing": typing},
                      to=rooms, namespace=AGENT_NS)
        return {"ok": True}
