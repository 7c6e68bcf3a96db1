"""Merging a duplicate ticket into another of the same client.

Like Zendesk and Freshdesk, the duplicate (source) is closed and points at the
ticket it was merged into (target); its messages stay where they are, and the
target's page shows them in its conversation (``conversation``), so the history
of each row is never rewritten. Later mail on the source's thread files into
the target (email_ingest follows ``merged_into_id``). Both tickets get an
internal note saying what happened, and the target gains the source's tags.
"""

from __future__ import annotations

import re

from sqlalchemy import or_

from helpdesk.errors import Conflict, NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.platform import events, outbox
from helpdesk.platform.events import Actor
from helpdesk.platform.tenancy import TenantScope
from helpdesk.tickets import service as tickets
from helpdesk.tickets.models import Message, Ticket
from helpdesk.tickets.summaries import ticket_summary

# "ACME-42", "42" (a number of the source's client) or "#42".
_REFERENCE = re.compile(r"^\s*#?(?:(?P<prefix>[A-Za-z][A-Za-z0-9]*)-)?(?P<number>\d{1,9})\s*$")
MERGED_TICKETS_SHOWN = 20


def find_target(scope: TenantScope, source: Ticket, reference: str) -> Ticket:
    """The ticket a reference names, among the source's client's tickets only."""
    match = _REFERENCE.match(reference or "")
    if match is None:
        raise ValidationFailed("Name the ticket to merge into by its reference, such as ACME-42.",
                               {"into": ["A ticket reference such as ACME-42."]})
    prefix = match["prefix"]
    if prefix and prefix.upper() != source.client.ticket_prefix.upper():
        raise Conflict("Tickets of different client companies cannot be merged.", {"into": [reference]})
    target = db.session.scalar(scope.select(Ticket, Ticket.client_id == source.client_id,
                                            Ticket.number == int(match["number"])))
    if target is None:
        raise NotFound(f"No ticket {reference.strip()} for this client.", {"into": [reference]})
    return target


def merge_tickets(scope: TenantScope, source_id: int, reference: str, actor: Actor,
                  why: str | None = None) -> Ticket:
    """Merge ticket ``source_id`` into the ticket ``reference`` names; returns the target.
    ``why`` (for merges nobody asked for, such as email threading) is said in the notes and event."""
    source = tickets.get_ticket(scope, source_id)
    target = find_target(scope, source, reference)
    _check_mergeable(source, target)
    tickets.change_ticket(source, {"status": "closed"}, actor)
    source.merged_into_id = target.id
    tags = sorted(set(target.tags or []) | set(source.tags or []))
    tickets.change_ticket(target, {"tags": tags}, actor)
    because = f" ({why})" if why else ""
    tickets.new_message(source, "note", body_text=f"Merged into {target.reference}{because}.",
                        agent_id=_agent(actor))
    tickets.new_message(target, "note", agent_id=_agent(actor),
                        body_text=f"{source.reference} ({source.subject}) was merged into this ticket{because}; "
                                  "its conversation is shown here.")
    reason = f"{source.reference} merged into {target.reference}{': ' + why if why else ''}"
    for ticket in (source, target):
        events.record(ticket.client_id, "ticket.merged", actor,
                      {"source": ticket_summary(source), "target": ticket_summary(target), "reason": reason},
                      ticket_id=ticket.id)
    outbox.commit()
    return target


def _check_mergeable(source: Ticket, target: Ticket) -> None:
    if source.id == target.id:
        raise ValidationFailed("A ticket cannot be merged into itself.", {"into": ["Name another ticket."]})
    if source.merged_into_id is not None:
        raise Conflict("This ticket was already merged.", {"merged_into_id": [source.merged_into_id]})
    if target.merged_into_id is not None or target.status == "closed":
        raise Conflict(f"{target.reference} is closed; merge into an open ticket.", {"into": [target.reference]})
    if source.status == "closed":
        raise Conflict("A closed ticket cannot be merged.", {"status": ["closed"]})


def _agent(actor: Actor) -> int | None:
    return actor.id if actor.kind == "agent" else None


def merged_sources(scope: TenantScope, target: Ticket) -> list[Ticket]:
    """The tickets merged into ``target`` (most recent first)."""
    query = scope.select(Ticket, Ticket.merged_into_id == target.id).order_by(Ticket.id.desc())
    return list(db.session.scalars(query.limit(MERGED_TICKETS_SHOWN)))


def conversation(scope: TenantScope, target: Ticket, sources: list[Ticket]) -> list[Message]:
    """The target's messages and those of the tickets merged into it, in time order."""
    if not sources:
        return list(target.messages)
    ids = [target.id, *(ticket.id for ticket in sources)]
    query = scope.select(Message, or_(*(Message.ticket_id == ticket_id for ticket_id in ids)))
    return list(db.session.scalars(query.order_by(Message.created_at, Message.id)))

