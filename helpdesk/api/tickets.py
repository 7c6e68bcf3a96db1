"""/api/v1/tickets"""

from __future__ import annotations

from flask import g, request

from helpdesk.api.auth import api_blueprint
from helpdesk.platform.idempotency import IdempotencyRequest
from helpdesk.tickets import search
from helpdesk.tickets import service as tickets
from helpdesk.tickets.schemas import (
    MessageCreate,
    MessageOut,
    TicketCreate,
    TicketDetailOut,
    TicketListArgs,
    TicketPage,
    TicketSearchArgs,
    TicketSearchPage,
    TicketUpdate,
)

blp = api_blueprint("tickets", __name__, "/api/v1/tickets", "Tickets of the calling client company")


def _idempotency(scope: str) -> IdempotencyRequest | None:
    return IdempotencyRequest.build(scope, request.headers.get("Idempotency-Key"), request.get_data())


def _replay_headers(replayed: bool) -> dict:
    return {"Idempotent-Replayed": "true"} if replayed else {}


# A retry with the same Idempotency-Key gets the original status (201) and this header.
REPLAY_HEADER = {"Idempotent-Replayed": {
    "description": "Present (\"true\") when this is a replay of an earlier request with the same Idempotency-Key",
    "schema": {"type": "string", "enum": ["true"]},
}}


@blp.get("")
@blp.arguments(TicketListArgs, location="query", as_kwargs=True)
@blp.response(200, TicketPage)
def list_tickets(sort, limit, cursor=None, **filters):
    """List tickets, newest first by default; follow ``next_cursor`` for the next page."""
    rows, next_cursor = tickets.list_tickets(g.scope, filters, limit, cursor, sort)
    return {"data": rows, "next_cursor": next_cursor}


@blp.get("/search")
@blp.arguments(TicketSearchArgs, location="query", as_kwargs=True)
@blp.response(200, TicketSearchPage)
def search_tickets(q, limit, status=None):
    """Full-text search of subjects and messages (internal notes are never searched), best match first."""
    return {"data": search.search_tickets(g.scope, q, include_notes=False, status=status, limit=limit)}


@blp.post("")
@blp.arguments(TicketCreate)
@blp.response(201, TicketDetailOut, headers=REPLAY_HEADER)
def create_ticket(data):
    """Create a ticket. Send ``Idempotency-Key`` to make retries safe."""
    ticket, replayed = tickets.create_ticket(g.scope, data, g.actor, _idempotency("tickets.create"))
    return ticket, 201, _replay_headers(replayed)


@blp.get("/<int:ticket_id>")
@blp.response(200, TicketDetailOut)
def get_ticket(ticket_id):
    """One ticket with its public messages (internal notes are never shown)."""
    return tickets.get_ticket(g.scope, ticket_id)


@blp.patch("/<int:ticket_id>")
@blp.arguments(TicketUpdate)
@blp.response(200, TicketDetailOut)
def update_ticket(data, ticket_id):
    """Change subject, status, priority, language, tags or custom fields."""
    return tickets.update_ticket(g.scope, ticket_id, data, g.actor)


@blp.post("/<int:ticket_id>/messages")
@blp.arguments(MessageCreate)
@blp.response(201, MessageOut, headers=REPLAY_HEADER)
def add_message(data, ticket_id):
    """Add the customer's message to a ticket (reopens a solved one)."""
    message, replayed = tickets.add_customer_message(
        g.scope, ticket_id, data, g.actor, _idempotency(f"tickets.{ticket_id}.messages")
    )
    return message, 201, _replay_headers(replayed)
