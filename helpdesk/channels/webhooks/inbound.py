"""A client company's own system creates and updates tickets: POST /inbound/webhook/<client>.

The client's ``external_id`` names the ticket (unique per client): the first post
for an id creates the ticket, later ones change it and may add the customer's
words as a message. The Standard Webhooks ``webhook-id`` makes a delivery
idempotent: a replay returns the first answer, word for word, and changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from helpdesk.errors import Conflict, ValidationFailed
from helpdesk.extensions import db
from helpdesk.platform import idempotency, outbox
from helpdesk.platform.events import Actor
from helpdesk.platform.idempotency import IdempotencyRequest
from helpdesk.platform.tenancy import TenantScope
from helpdesk.tickets import service as tickets
from helpdesk.tickets.html import sanitize_html
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.summaries import ticket_summary

SCOPE = "inbound-webhook"
CHANGEABLE = ("subject", "status", "priority", "language", "tags", "custom_fields")


@dataclass
class WebhookAnswer:
    status: int
    body: dict[str, Any]
    replayed: bool = False


def receive(client_id: int, webhook_id: str, raw: bytes, data: dict[str, Any]) -> WebhookAnswer:
    scope = TenantScope.for_client(client_id)
    request = IdempotencyRequest(SCOPE, webhook_id, hashlib.sha256(raw).hexdigest())
    first = _first_answer(scope, request)
    if first is not None:
        return first
    try:
        return _apply_and_remember(scope, request, data)
    except IntegrityError:
        # The same delivery (or the same new external_id) was filed concurrently: theirs stands.
        db.session.rollback()
    return _first_answer(scope, request) or _apply_and_remember(scope, request, data)


def _apply_and_remember(scope: TenantScope, request: IdempotencyRequest, data: dict[str, Any]) -> WebhookAnswer:
    answer = _apply(scope, data)
    idempotency.remember(scope.client_id, request, "ticket", answer.body["ticket"]["id"], answer.status, answer.body)
    outbox.commit()
    return answer


def _first_answer(scope: TenantScope, request: IdempotencyRequest) -> WebhookAnswer | None:
    record = idempotency.lookup(scope, request)
    if record is None:
        return None
    return WebhookAnswer(record.status_code, record.response_body or {}, replayed=True)


def _apply(scope: TenantScope, data: dict[str, Any]) -> WebhookAnswer:
    actor = Actor("client", scope.client_id)
    # Only the ticket row is locked (its eager-loaded relations are outer joins PostgreSQL cannot lock).
    query = scope.select(Ticket, Ticket.external_id == data["external_id"]).with_for_update(of=Ticket)
    ticket = db.session.scalar(query)
    if ticket is None:
        return _create(scope, data, actor)
    if ticket.status == "closed":
        raise Conflict("The ticket is closed; send a new external_id for a new ticket.",
                       {"external_id": [data["external_id"]], "status": ["closed"]})
    tickets.change_ticket(ticket, {name: data[name] for name in CHANGEABLE if name in data}, actor)
    message = _message(data)
    if message is not None:
        added = tickets.new_message(ticket, "inbound", contact_id=ticket.contact_id, channel="api", **message)
        tickets.customer_message_added(ticket, added, actor)
    return WebhookAnswer(200, {"outcome": "updated", "ticket": ticket_summary(ticket)})


def _create(scope: TenantScope, data: dict[str, Any], actor: Actor) -> WebhookAnswer:
    if not data.get("subject"):
        raise ValidationFailed("A new external_id needs a subject.",
                               {"subject": ["Required to create a ticket."]})
    contact = tickets.find_or_create_contact(scope, data.get("contact"))
    fields = {name: data[name] for name in ("subject", "priority", "language", "tags", "custom_fields",
                                             "external_id") if name in data}
    ticket, _ = tickets.open_ticket(scope, {**fields, "channel": "api"}, actor, contact, _message(data))
    if data.get("status") and data["status"] not in ("new", ticket.status):
        tickets.change_ticket(ticket, {"status": data["status"]}, actor)
    return WebhookAnswer(201, {"outcome": "created", "ticket": ticket_summary(ticket)})


def _message(data: dict[str, Any]) -> dict[str, Any] | None:
    if not (data.get("body") or data.get("body_html")):
        return None
    return {"body_text": data.get("body") or "", "body_html": sanitize_html(data.get("body_html"))}
