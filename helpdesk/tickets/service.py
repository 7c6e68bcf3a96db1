"""Tickets and their messages: create, change, list. Every change writes an Event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from helpdesk.channels.email import outbound as email_out
from helpdesk.client import pii
from helpdesk.client.models import Client
from helpdesk.errors import Conflict, ValidationFailed
from helpdesk.extensions import db
from helpdesk.platform import counters, events, idempotency, outbox, pagination
from helpdesk.platform.db import utcnow
from helpdesk.platform.events import Actor
from helpdesk.platform.idempotency import IdempotencyRequest
from helpdesk.platform.tenancy import TenantScope
from helpdesk.routing import regions as routing
from helpdesk.sla import clock as sla_clock
from helpdesk.tickets import followups
from helpdesk.tickets.html import excerpt, sanitize_html
from helpdesk.tickets.models import Contact, Message, Ticket
from helpdesk.tickets.summaries import ticket_summary as summary

EDITABLE_FIELDS = ("subject", "status", "priority", "language", "tags", "custom_fields")
MASKED_FIELDS = ("subject", "custom_fields")
# Free text a message may carry besides its body; addresses stay, they identify the customer.
MASKED_MESSAGE_FIELDS = ("subject", "new_text", "from_name", "headers")


def find_or_create_contact(scope: TenantScope, data: dict[str, Any] | None) -> Contact | None:
    if not data:
        return None
    email = (data.get("email") or "").strip().lower() or None
    keys = (("external_id", data.get("external_id")), ("email", email), ("phone", data.get("phone")))
    found = _find_contact(scope, keys)
    if found is not None:
        return found
    contact = Contact(client_id=scope.client_id, name=data.get("name"), email=email, phone=data.get("phone"),
                      language=data.get("language"), external_id=data.get("external_id"))
    try:
        with db.session.begin_nested():
            db.session.add(contact)
    except IntegrityError:
        # Another request created this customer a moment ago: use theirs.
        found = _find_contact(scope, keys)
        if found is None:
            raise
        return found
    return contact


def _find_contact(scope: TenantScope, keys) -> Contact | None:
    for column, value in keys:
        if value:
            found = db.session.scalar(scope.select(Contact, getattr(Contact, column) == value))
            if found is not None:
                return found
    return None


def _replayed(scope: TenantScope, model: type, request: IdempotencyRequest | None):
    if request is None:
        return None
    record = idempotency.lookup(scope, request)
    return scope.get(model, record.resource_id) if record else None


def create_ticket(scope: TenantScope, data: dict[str, Any], actor: Actor,
                  request: IdempotencyRequest | None = None) -> tuple[Ticket, bool]:
    """Create a ticket with its first message; returns (ticket, replayed)."""
    replay = _replayed(scope, Ticket, request)
    if replay is not None:
        return replay, True
    if data.get("external_id") and db.session.scalar(
        scope.select(Ticket, Ticket.external_id == data["external_id"]).with_only_columns(Ticket.id)
    ):
        raise Conflict("A ticket with this external_id exists.", {"external_id": [data["external_id"]]})
    contact = find_or_create_contact(scope, data.get("contact"))
    first = None
    if data.get("body") or data.get("body_html"):
        first = {"body_text": data.get("body") or "", "body_html": sanitize_html(data.get("body_html"))}
    ticket, _ = open_ticket(scope, data, actor, contact, first)
    if request is not None:
        idempotency.remember(scope.client_id, request, "ticket", ticket.id, 201)
    return _commit_or_replay(scope, Ticket, ticket, request)


def open_ticket(scope: TenantScope, data: dict[str, Any], actor: Actor, contact: Contact | None,
                first_message: dict[str, Any] | None) -> tuple[Ticket, Message | None]:
    """Add a new ticket (and its first customer message) to the session, routed and on the SLA
    clock, with its event; the caller commits through the outbox."""
    ticket = build_ticket(scope, data, contact, counters.next_ticket_number(scope.client_id), utcnow())
    db.session.add(ticket)
    start_ticket(ticket)
    message = None
    if first_message is not None:
        message = new_message(ticket, "inbound", contact_id=ticket.contact_id, **first_message)
    events.record(ticket.client_id, "ticket.created", actor, {"ticket": summary(ticket)}, ticket_id=ticket.id)
    return ticket, message


def build_ticket(scope: TenantScope, data: dict[str, Any], contact: Contact | None, number: int,
                 now: datetime) -> Ticket:
    """A new ticket object in its first region's queue (not yet added or flushed)."""
    client_id = scope.client_id
    region = routing.initial_region(client_id)
    client = db.session.get(Client, client_id)
    mask = pii.client_masker(client)
    return Ticket(
        client_id=client_id, number=number,
        client=client, contact=contact, channel=data.get("channel", "api"),
        subject=mask.text(data["subject"].strip()), status="new", priority=data.get("priority", "normal"),
        language=data.get("language") or (contact.language if contact else None),
        region_id=region.id if region else None, assignee=None, messages=[], queued_at=now,
        external_id=data.get("external_id"),
        tags=sorted(set(data.get("tags") or [])), custom_fields=mask.values(data.get("custom_fields") or {}),
        created_at=now, updated_at=now,
    )


def start_ticket(ticket: Ticket) -> None:
    """A new ticket starts its SLA clocks and asks to be routed. The clocks run before the
    first flush so the ticket's INSERT carries its due times."""
    with db.session.no_autoflush:  # the policy lookups do not read the new ticket
        sla_clock.start(ticket)
    if ticket.id is None:
        db.session.flush()
    followups.request_routing(ticket)


def _commit_or_replay(scope: TenantScope, model: type, created: Any, request: IdempotencyRequest | None):
    try:
        outbox.commit()
    except IntegrityError as exc:
        # A concurrent request with the same Idempotency-Key committed first...
        replay = _replayed(scope, model, request)
        if replay is None:
            # ...or one with the same external_id: the caller lost a race, not our invariants.
            raise Conflict("A concurrent request created the same resource (e.g. the same external_id).",
                           {"conflict": ["unique constraint"]}) from exc
        return replay, True
    return created, False


def new_message(ticket: Ticket, kind: str, *, body_text: str = "", body_html: str | None = None,
                contact_id: int | None = None, agent_id: int | None = None, flush: bool = True,
                **fields: Any) -> Message:
    """A message on the ticket; ``body_html`` must already be sanitised. The client's masking
    rules apply here, before anything is stored or recorded."""
    mask = pii.client_masker(ticket.client)
    for name in MASKED_MESSAGE_FIELDS:
        if fields.get(name):
            fields[name] = mask.values(fields[name])
    message = Message(
        client_id=ticket.client_id, ticket_id=ticket.id, kind=kind, channel=fields.pop("channel", ticket.channel),
        author_contact_id=contact_id, author_agent_id=agent_id, body_text=mask.text(body_text),
        body_html=mask.text(body_html), created_at=utcnow(), attachments=[], **fields,
    )
    if "messages" not in inspect(ticket).unloaded:
        # Keep a loaded conversation current; never load a long one just to append to it.
        ticket.messages.append(message)
    db.session.add(message)
    if flush:
        db.session.flush()
    return message


def get_ticket(scope: TenantScope, ticket_id: int) -> Ticket:
    return scope.get_or_404(Ticket, ticket_id, "ticket")


def _set_status(ticket: Ticket, status: str, now: datetime) -> None:
    sla_clock.status_changed(ticket, ticket.status, status, now)
    if status == "solved" and ticket.status != "solved":
        followups.request_survey(ticket)  # after commit, at most one survey per ticket
    ticket.solved_at = now if status == "solved" else (ticket.solved_at if status == "closed" else None)
    ticket.closed_at = now if status == "closed" else None
    ticket.status = status


def _follow_status_change(ticket: Ticket, old: str, new: str) -> None:
    """Routing consequences: a reopened unassigned ticket is routed; a freed slot drains the queue."""
    holds_slot = ("new", "open", "on_hold")
    if ticket.assignee_id is None and new in ("new", "open"):
        followups.request_routing(ticket)
    elif ticket.assignee_id is not None and old in holds_slot and new not in holds_slot:
        followups.request_drain(ticket.region_id, ticket.client_id)


def update_ticket(scope: TenantScope, ticket_id: int, changes: dict[str, Any], actor: Actor) -> Ticket:
    ticket = get_ticket(scope, ticket_id)
    if change_ticket(ticket, changes, actor):
        outbox.commit()
    return ticket


def change_ticket(ticket: Ticket, changes: dict[str, Any], actor: Actor) -> dict[str, list]:
    """Apply the changes and record them (the caller commits); returns {field: [old, new]}."""
    if ticket.status == "closed":
        raise Conflict("A closed ticket cannot be changed.", {"status": ["closed"]})
    now = utcnow()
    diff: dict[str, list] = {}
    for field in EDITABLE_FIELDS:
        if field not in changes:
            continue
        new = changes[field]
        if field == "tags":
            new = sorted(set(new))
        elif field in MASKED_FIELDS:
            new = pii.client_masker(ticket.client).values(new)
        old = getattr(ticket, field)
        if new == old:
            continue
        diff[field] = [old, new]
        if field == "status":
            _set_status(ticket, new, now)
        else:
            setattr(ticket, field, new)
            if field == "priority":
                sla_clock.priority_changed(ticket)
    if not diff:
        return diff
    ticket.updated_at = now
    if "status" in diff:
        _follow_status_change(ticket, *diff["status"])
    db.session.flush()
    events.record(ticket.client_id, "ticket.updated", actor, {"changes": diff, "ticket": summary(ticket)},
                  ticket_id=ticket.id)
    return diff


def add_customer_message(scope: TenantScope, ticket_id: int, data: dict[str, Any], actor: Actor,
                         request: IdempotencyRequest | None = None) -> tuple[Message, bool]:
    """A message from the ticket's customer, posted by the client's system."""
    replay = _replayed(scope, Message, request)
    if replay is not None:
        return replay, True
    ticket = get_ticket(scope, ticket_id)
    if ticket.status == "closed":
        raise Conflict("The ticket is closed; open a new ticket instead.", {"status": ["closed"]})
    if not (data.get("body") or data.get("body_html")):
        raise ValidationFailed("The message is empty.", {"body": ["Give body or body_html."]})
    message = new_message(ticket, "inbound", body_text=data.get("body") or "",
                          body_html=sanitize_html(data.get("body_html")), contact_id=ticket.contact_id)
    if request is not None:
        idempotency.remember(ticket.client_id, request, "message", message.id, 201)
    customer_message_added(ticket, message, actor)
    return _commit_or_replay(scope, Message, message, request)


def customer_message_added(ticket: Ticket, message: Message, actor: Actor, *, counts_as_reply: bool = True,
                           push_later: bool = True) -> events.Recorded:
    """A customer wrote again: update the ticket (see ``apply_customer_message``) and tell everyone
    (through the outbox, or, with ``push_later=False``, by the caller right after commit)."""
    apply_customer_message(ticket, utcnow(), counts_as_reply=counts_as_reply)
    db.session.flush()
    return events.record(ticket.client_id, "message.created", actor, message_event(ticket, message),
                         ticket_id=ticket.id, publish_task=events.PUBLISH_TASK if push_later else None)


def apply_customer_message(ticket: Ticket, now: datetime, *, counts_as_reply: bool = True) -> None:
    """Reopen a solved or pending ticket and run the SLA clock. An automatic message
    (out-of-office, list mail) is recorded but neither reopens nor restarts clocks."""
    if counts_as_reply:
        if ticket.status in ("solved", "pending"):
            previous = ticket.status
            _set_status(ticket, "open", now)
            _follow_status_change(ticket, previous, "open")
        sla_clock.customer_replied(ticket, now)
    ticket.updated_at = now


def message_event(ticket: Ticket, message: Message) -> dict[str, Any]:
    return {
        "message": {"id": message.id, "kind": message.kind, "excerpt": excerpt(message.new_text or message.body_text)},
        "ticket": summary(ticket),
    }


def add_agent_message(scope: TenantScope, ticket_id: int, agent_id: int,
                      data: dict[str, Any]) -> tuple[Message, int | None]:
    """An agent's reply to the customer (sent by email when the customer has an address) or internal note.

    Returns the message and, on a live chat, the id of the event the caller pushes right after
    commit: a chat cannot wait for a worker to relay it."""
    ticket = get_ticket(scope, ticket_id)
    if ticket.status == "closed":
        raise Conflict("A closed ticket cannot be answered.", {"status": ["closed"]})
    internal = data.get("internal", False)
    now = utcnow()
    message = new_message(ticket, "note" if internal else "outbound", body_text=data["body"],
                          body_html=sanitize_html(data.get("body_html")), agent_id=agent_id)
    if not internal:
        sla_clock.agent_replied(ticket, now)
        if ticket.contact is not None and ticket.contact.email and ticket.channel != "chat":
            message.channel = "email"
            email_out.queue_outbound(ticket, message)
    new_status = data.get("status") or ("open" if ticket.status == "new" and not internal else None)
    if new_status and new_status != ticket.status:
        previous = ticket.status
        _set_status(ticket, new_status, now)
        _follow_status_change(ticket, previous, new_status)
    ticket.updated_at = now
    db.session.flush()
    live = ticket.channel == "chat"
    recorded = events.record(ticket.client_id, "message.created", Actor("agent", agent_id),
                             message_event(ticket, message), ticket_id=ticket.id,
                             publish_task=None if live else events.PUBLISH_TASK)
    outbox.commit()
    return message, recorded.id if live else None


def list_tickets(scope: TenantScope, filters: dict[str, Any], limit: int,
                 cursor: str | None = None, sort: str = "-created_at") -> tuple[list[Ticket], str | None]:
    query = scope.select(Ticket)
    for field in ("status", "priority", "channel"):
        values = filters.get(field)
        if values:
            query = query.where(getattr(Ticket, field).in_(values))
    if filters.get("updated_since"):
        query = query.where(Ticket.updated_at >= filters["updated_since"])
    rows = list(db.session.scalars(pagination.apply(query, Ticket, sort, cursor, limit)))
    return pagination.page(rows, sort, limit)


def public_messages(ticket: Ticket) -> list[Message]:
    """What the client company may see: everything but the BPO's internal notes."""
    return [m for m in ticket.messages if m.kind != "note"]

