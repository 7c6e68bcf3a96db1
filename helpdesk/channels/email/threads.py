"""Threading in any arrival order: which stored mail names a Message-ID, and joining tickets
that turn out to be one conversation.

Mail arrives out of order (several MX hosts, delayed relays, mailbox exports imported in
file-name order). Forward threading (a message names its parent in In-Reply-To/References)
only works when the parent came first. So every filed inbound message also records the ids
it names (``ThreadRef``): a message that arrives after its replies finds their ticket by its
own Message-ID, and two replies to a message we never received find each other through it.
When a message ties two tickets of its client together, the younger is merged into the
older with the ordinary merge (its note, event and the customer's view intact).
"""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import insert

from helpdesk.channels.models import ThreadRef
from helpdesk.errors import AppError
from helpdesk.extensions import db
from helpdesk.platform.events import Actor
from helpdesk.platform.tenancy import TenantScope
from helpdesk.tickets import merge
from helpdesk.tickets.models import Message, Ticket

log = logging.getLogger(__name__)
REFS_PER_MESSAGE = 50
MERGE_WHY = "the same email conversation"


def ref_hash(message_id: str) -> str:
    return hashlib.sha256(message_id.encode()).hexdigest()[:32]


def tickets_naming(scope: TenantScope, message_ids: set[str]) -> dict[str, set[int]]:
    """For each Message-ID: the tickets of this client's stored inbound mail that name it."""
    if not message_ids:
        return {}
    by_hash = {ref_hash(value): value for value in message_ids}
    rows = db.session.execute(
        scope.select(ThreadRef, ThreadRef.ref_hash.in_(by_hash))
        .join(Message, Message.id == ThreadRef.message_id)
        .with_only_columns(ThreadRef.ref_hash, Message.ticket_id)
    ).all()
    found: dict[str, set[int]] = {}
    for hashed, ticket_id in rows:
        found.setdefault(by_hash[hashed], set()).add(ticket_id)
    return found


def record(client_id: int, named_by_message: dict[int, list[str]]) -> None:
    """Remember the ids each newly filed message names (its parent first, at most 50)."""
    rows = [{"client_id": client_id, "message_id": message_id, "ref_hash": ref_hash(value)}
            for message_id, named in named_by_message.items() for value in named[:REFS_PER_MESSAGE]]
    if rows:
        db.session.execute(insert(ThreadRef), rows)


def live_ticket(scope: TenantScope, ticket: Ticket | None) -> Ticket | None:
    """A ticket, or the one it was merged into (followed a few steps)."""
    for _ in range(5):
        if ticket is None or ticket.merged_into_id is None:
            return ticket
        ticket = scope.get(Ticket, ticket.merged_into_id)
    return ticket


def join(scope: TenantScope, target_id: int, source_ids: set[int]) -> list[int]:
    """Merge tickets found to be one conversation into the target; returns the ids merged.

    Runs after the mail is filed and committed: each merge is its own transaction, and one
    that can no longer be done (merged or closed meanwhile) is skipped, not an error."""
    merged = []
    target = scope.get(Ticket, target_id)
    for source_id in sorted(source_ids - {target_id}):
        try:
            merge.merge_tickets(scope, source_id, target.reference, Actor.system(), why=MERGE_WHY)
        except AppError as refused:
            db.session.rollback()
            log.info("email threading: ticket %s not merged into %s: %s", source_id, target_id, refused.message)
            continue
        merged.append(source_id)
    return merged
