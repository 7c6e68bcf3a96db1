"""Live chat: a visitor on a client's site talks to agents; the transcript is the ticket's messages.

A chat is a ticket on the chat channel, routed like any other. The visitor holds
a signed token (client, ticket, visitor id) in the browser, so a reload or a
reconnect resumes the same conversation. Each client lists the site origins
its widget may run on; everything else is refused. When no region is on shift
for the client, the widget offers "leave a message", which becomes an email
ticket answered by email.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from redis.exceptions import RedisError
from sqlalchemy import select

from helpdesk.client import clients
from helpdesk.client.models import Client
from helpdesk.errors import AppError, Conflict, ValidationFailed
from helpdesk.extensions import db
from helpdesk.platform import outbox
from helpdesk.platform.cache import app_cache
from helpdesk.platform.events import Actor
from helpdesk.platform.tenancy import TenantScope
from helpdesk.routing import regions as routing
from helpdesk.staff.models import Agent
from helpdesk.tickets import service as tickets
from helpdesk.tickets.models import Message, Ticket
from workers.queues import get_redis

TOKEN_SALT = "helpdesk-chat-visitor"
TOKEN_MAX_AGE = 30 * 24 * 3600
MESSAGE_MAX = 4000
NAME_MAX = 200


class RateLimited(AppError):
    status = 429
    code = "rate_limited"


@dataclass(frozen=True)
class ChatClient:
    id: int
    slug: str
    name: str
    origins: frozenset[str]


@dataclass
class Visitor:
    client_id: int
    visitor_id: str
    ticket_id: int | None = None
    name: str | None = None


def normalize_origin(origin: str | None) -> str | None:
    """``scheme://host[:port]`` in lower case, the way browsers send Origin."""
    if not origin or "," in origin:  # a browser sends exactly one origin
        return None
    try:
        parts = urlsplit(origin.strip().lower())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        given_port = parts.port
    except ValueError:  # a port that is not a number
        return None
    default_port = {"http": 80, "https": 443}[parts.scheme]
    port = f":{given_port}" if given_port and given_port != default_port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def chat_client(slug: str | None) -> ChatClient | None:
    """An active client that takes chats, cached briefly like other credentials."""
    if not slug:
        return None
    return app_cache("chat-clients", 10).get_or_load(slug, lambda: _load_chat_client(slug))


def _load_chat_client(slug: str) -> ChatClient | None:
    client = db.session.scalar(select(Client).where(Client.slug == slug, Client.active.is_(True)))
    if client is None or "chat" not in (client.channels or []):
        return None
    origins = frozenset(filter(None, (normalize_origin(o) for o in client.chat_allowed_origins or [])))
    return ChatClient(client.id, client.slug, client.name, origins)


def any_allowed_origin(origin: str | None) -> bool:
    """Is this origin on some client's list? (The transport's CORS check; the namespace checks the client.)"""
    wanted = normalize_origin(origin)
    if wanted is None:
        return False
    allowed = app_cache("chat-origins", 10).get_or_load("all", _all_origins)
    return wanted in allowed


def _all_origins() -> frozenset[str]:
    lists = db.session.scalars(select(Client.chat_allowed_origins).where(Client.active.is_(True)))
    return frozenset(filter(None, (normalize_origin(o) for origins in lists for o in origins or [])))


def set_allowed_origins(slug: str, origins: list[str]) -> list[str]:
    client = clients.by_slug(slug)
    cleaned = [normalize_origin(origin) for origin in origins]
    if None in cleaned:
        raise ValidationFailed("Give origins as scheme://host[:port].", {"origins": origins})
    client.chat_allowed_origins = sorted(set(cleaned))
    db.session.commit()
    app_cache("chat-clients", 10).clear()
    app_cache("chat-origins", 10).clear()
    return client.chat_allowed_origins


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def new_visitor(client_id: int) -> Visitor:
    return Visitor(client_id=client_id, visitor_id=secrets.token_urlsafe(12))


def visitor_token(visitor: Visitor) -> str:
    return _serializer().dumps({"c": visitor.client_id, "v": visitor.visitor_id, "t": visitor.ticket_id,
                                "n": visitor.name})


def read_token(token: str | None, client_id: int) -> Visitor | None:
    """The visitor a token names, if it is ours, recent, for this client and its chat still open."""
    if not token:
        return None
    try:
        data = _serializer().loads(token, max_age=TOKEN_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("c") != client_id or not data.get("t"):
        return None
    ticket = TenantScope.for_client(client_id).get(Ticket, data["t"])
    if ticket is None or ticket.status == "closed" or ticket.channel != "chat":
        return None
    return Visitor(client_id=client_id, visitor_id=str(data.get("v")), ticket_id=ticket.id, name=data.get("n"))


def anyone_on_shift(client_id: int) -> bool:
    region = routing.initial_region(client_id)
    return region is not None and routing.is_on_shift(region)


def check_rate(visitor: Visitor) -> None:
    """At most CHAT_RATE_LIMIT messages per visitor per CHAT_RATE_WINDOW seconds (fails open without Redis)."""
    config = current_app.config
    key = f"helpdesk:chat-rate:{visitor.client_id}:{visitor.visitor_id}"
    try:
        connection = get_redis()
        with connection.pipeline() as pipe:
            pipe.set(key, 0, ex=config["CHAT_RATE_WINDOW"], nx=True)  # the window starts with the first message
            pipe.incr(key)
            count = pipe.execute()[1]
    except RedisError:
        return
    if count > config["CHAT_RATE_LIMIT"]:
        raise RateLimited("Too many messages; wait a moment.",
                          {"limit": config["CHAT_RATE_LIMIT"], "window_seconds": config["CHAT_RATE_WINDOW"]})


def _text(value: Any, field: str = "text") -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationFailed("The message is empty.", {field: ["Write something."]})
    if len(text) > MESSAGE_MAX:
        raise ValidationFailed(f"The message is longer than {MESSAGE_MAX} characters.",
                               {field: [f"At most {MESSAGE_MAX} characters."]})
    return text


def _contact_data(data: dict[str, Any]) -> dict[str, Any] | None:
    name = (data.get("name") or "").strip()[:NAME_MAX] or None
    email = (data.get("email") or "").strip().lower() or None
    if email and ("@" not in email or len(email) > 320 or any(ch.isspace() for ch in email)):
        raise ValidationFailed("The email address is not valid.", {"email": ["Not an email address."]})
    return {"name": name, "email": email} if (name or email) else None


def start_chat(visitor: Visitor, data: dict[str, Any]) -> tuple[Ticket, Message]:
    """The visitor's first message opens a chat ticket, routed like any other."""
    text = _text(data.get("text"))
    check_rate(visitor)
    scope = TenantScope.for_client(visitor.client_id)
    contact_data = _contact_data(data)
    contact = tickets.find_or_create_contact(scope, contact_data) if contact_data else None
    subject = "Chat: " + (" ".join(text.split())[:80])
    actor = Actor("contact", contact.id) if contact else Actor.system()
    ticket, message = tickets.open_ticket(scope, {"subject": subject, "channel": "chat",
                                                  "custom_fields": {"chat_visitor": visitor.visitor_id}},
                                          actor, contact, {"body_text": text})
    outbox.commit()
    visitor.ticket_id, visitor.name = ticket.id, (contact_data or {}).get("name")
    return ticket, message


def visitor_says(visitor: Visitor, value: Any) -> tuple[Message, int]:
    """The visitor's line, stored; returns it and the event the caller pushes right after commit."""
    text = _text(value)
    check_rate(visitor)
    scope = TenantScope.for_client(visitor.client_id)
    ticket = scope.get(Ticket, visitor.ticket_id)
    if ticket is None or ticket.status == "closed":
        raise Conflict("This chat has ended; start a new one.", {"ticket": ["closed"]})
    message = tickets.new_message(ticket, "inbound", body_text=text, contact_id=ticket.contact_id)
    actor = Actor("contact", ticket.contact_id) if ticket.contact_id else Actor.system()
    recorded = tickets.customer_message_added(ticket, message, actor, push_later=False)
    outbox.commit()
    return message, recorded.id


def transcript(visitor: Visitor) -> list[dict[str, Any]]:
    ticket = TenantScope.for_client(visitor.client_id).get(Ticket, visitor.ticket_id)
    return [chat_payload(m) for m in tickets.public_messages(ticket)] if ticket else []


def chat_payload(message: Message) -> dict[str, Any]:
    """What the widget shows of a message: plain text only (it escapes on display)."""
    agent_name = None
    if message.author_agent_id:
        agent = db.session.get(Agent, message.author_agent_id)
        agent_name = agent.name.split()[0] if agent and agent.name else "Agent"
    return {"id": message.id, "from": "visitor" if message.kind == "inbound" else "agent", "name": agent_name,
            "text": message.body_text or "", "at": message.created_at.isoformat() if message.created_at else None}


def leave_message(client_id: int, data: dict[str, Any]) -> Ticket:
    """No one on shift: the visitor's note becomes an email ticket, answered by email."""
    text = _text(data.get("text") or data.get("message"))
    contact_data = _contact_data(data)
    if not contact_data or not contact_data.get("email"):
        raise ValidationFailed("Leave an email address so we can answer.", {"email": ["Required."]})
    scope = TenantScope.for_client(client_id)
    contact = tickets.find_or_create_contact(scope, contact_data)
    subject = "Message from the chat: " + " ".join(text.split())[:80]
    ticket, _ = tickets.open_ticket(scope, {"subject": subject, "channel": "email", "tags": ["chat-offline"]},
                                    Actor("contact", contact.id), contact, {"body_text": text})
    outbox.commit()
    return ticket
