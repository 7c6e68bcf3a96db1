"""Right to erasure: remove one customer's personal data, keep the numbers reports need.

What goes: the contact record; the text, sender, headers and attachments of every
message on the contact's tickets (and of their messages elsewhere); the tickets'
subjects and custom fields; the payloads of those tickets' events and of their
webhook deliveries; raw inbound copies; call numbers and recordings; CSAT and QA
comments. What stays: ticket numbers, channel, status, priority, tags, timestamps,
SLA results, ratings and report facts, so reports and invoices still add up.

Events are immutable to the application (see platform.models); erasure is the one
path that rewrites their payloads, with bulk statements, in the same transaction as
its audit row.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from sqlalchemy import delete, or_, select, update

from helpdesk import audit
from helpdesk.channels.models import CallLog, InboundRaw
from helpdesk.client.models import WebhookDelivery
from helpdesk.extensions import db
from helpdesk.platform.db import utcnow
from helpdesk.platform.models import Event
from helpdesk.platform.tenancy import TenantScope
from helpdesk.supervision.models import CsatResponse, QaReview
from helpdesk.tickets.models import Attachment, Contact, Message, Ticket
from helpdesk.tickets.storage import attachment_store

ERASED = "[erased]"


def erase_contact(scope: TenantScope, contact_id: int) -> dict[str, Any]:
    """Erase the contact (of the scope's client) and everything personal about them; returns what was removed."""
    contact = scope.get_or_404(Contact, contact_id, "contact")
    client_id = contact.client_id
    ticket_ids = list(db.session.scalars(scope.select(Ticket, Ticket.contact_id == contact.id)
                                         .with_only_columns(Ticket.id)))
    message_ids = list(db.session.scalars(scope.select(Message, or_(
        Message.ticket_id.in_(ticket_ids), Message.author_contact_id == contact.id)).with_only_columns(Message.id)))
    removed: dict[str, int] = {"contact": 1, "tickets": len(ticket_ids)}
    removed["messages"] = _erase_messages(message_ids)
    removed["attachments"], files = delete_attachments(Attachment.message_id.in_(message_ids))
    _erase_tickets(ticket_ids)
    removed["events"], removed["webhook_deliveries"] = _erase_events(client_id, ticket_ids)
    removed["raw_inputs"] = _erase_raw(client_id, ticket_ids, contact.email)
    removed["call_logs"] = _erase_calls(client_id, ticket_ids)
    removed["survey_comments"] = _count(update(CsatResponse).where(
        CsatResponse.ticket_id.in_(ticket_ids), CsatResponse.comment.is_not(None)).values(comment=None))
    removed["review_comments"] = _count(update(QaReview).where(
        QaReview.ticket_id.in_(ticket_ids), QaReview.comment.is_not(None)).values(comment=None))
    db.session.execute(delete(Contact).where(Contact.id == contact.id))
    audit.record("contact.erased", client_id=client_id, object_type="contact", object_id=contact_id,
                 details={"removed": removed, "tickets": ticket_ids[:1000]})
    db.session.commit()
    forget_files(files)
    return {"contact_id": contact_id, "erased_at": utcnow(), "removed": removed, "ticket_ids": ticket_ids,
            "kept": ["ticket numbers", "channel, status, priority and tags", "timestamps and SLA results",
                     "CSAT ratings", "report figures"]}


def _count(statement) -> int:
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount or 0


def _erase_messages(message_ids: list[int]) -> int:
    if not message_ids:
        return 0
    return _count(update(Message).where(Message.id.in_(message_ids)).values(
        body_text=ERASED, body_html=None, new_text=None, subject=None, from_email=None, from_name=None,
        headers={}, delivery_error=None))


def _erase_tickets(ticket_ids: list[int]) -> None:
    if ticket_ids:
        _count(update(Ticket).where(Ticket.id.in_(ticket_ids)).values(subject=ERASED, custom_fields={}))


def _erase_events(client_id: int, ticket_ids: list[int]) -> tuple[int, int]:
    if not ticket_ids:
        return 0, 0
    event_ids = select(Event.id).where(Event.client_id == client_id, Event.ticket_id.in_(ticket_ids))
    deliveries = _count(update(WebhookDelivery).where(WebhookDelivery.event_id.in_(event_ids))
                        .values(payload={"erased": True}, last_response_body=None))
    events = _count(update(Event).where(Event.client_id == client_id, Event.ticket_id.in_(ticket_ids))
                    .values(data={"erased": True}))
    return events, deliveries


def _erase_raw(client_id: int, ticket_ids: list[int], email: str | None) -> int:
    mine = InboundRaw.ticket_id.in_(ticket_ids)
    if email:
        mine = or_(mine, InboundRaw.sender == email)
    return _count(delete(InboundRaw).where(InboundRaw.client_id == client_id, mine))


def _erase_calls(client_id: int, ticket_ids: list[int]) -> int:
    return _count(update(CallLog).where(CallLog.client_id == client_id, CallLog.ticket_id.in_(ticket_ids))
                  .values(from_number=None, to_number=None, recording_url=None))


def delete_attachments(condition) -> tuple[int, set[str]]:
    """Delete attachment rows in the caller's transaction; returns their count and stored files."""
    rows = db.session.execute(select(Attachment.id, Attachment.storage_key).where(condition)).all()
    if rows:
        db.session.execute(delete(Attachment).where(Attachment.id.in_([row.id for row in rows]))
                           .execution_options(synchronize_session=False))
    return len(rows), {row.storage_key for row in rows}


def forget_files(keys: set[str]) -> None:
    """After commit: delete the stored files no attachment row points at any more (they are shared by
    content, so another ticket may hold the same file)."""
    if not keys:
        return
    still_used = set(db.session.scalars(select(Attachment.storage_key).where(Attachment.storage_key.in_(keys))))
    db.session.rollback()
    store = attachment_store()
    for key in keys - still_used:
        with suppress(KeyError):  # not a key this store could have made
            store.delete(key)
