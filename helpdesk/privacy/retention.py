"""Each client's retention periods, applied by a scheduled job in batches.

``retention_days``: a solved or closed ticket is deleted that many days after it was
solved (closed, if it never was solved): its messages, attachments, events, webhook
deliveries, raw inbound copies, surveys and reviews go with it. Report rollups
keep the figures (they hold counts and durations only, no ticket). Merged tickets
count as closed. ``attachment_retention_days``: attachments of any ticket are deleted
that many days after their message arrived.

Each batch is its own short transaction; one audit row per client and run says
what went.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from helpdesk import audit
from helpdesk.channels.models import CallLog, InboundRaw
from helpdesk.client.models import Client
from helpdesk.extensions import db
from helpdesk.platform.db import utcnow
from helpdesk.platform.models import Event
from helpdesk.privacy.erasure import delete_attachments, forget_files
from helpdesk.tickets.models import Attachment, Message, Ticket

BATCH = 200
MAX_BATCHES = 50  # per client and run: a backlog is worked off over several runs

SYSTEM = ("system", None, "retention")


def apply_all(now: datetime | None = None) -> dict[str, int]:
    """Apply every client's retention; totals over all clients."""
    now = now or utcnow()
    totals = {"tickets": 0, "attachments": 0}
    clients = db.session.execute(select(Client.id, Client.retention_days, Client.attachment_retention_days).where(
        (Client.retention_days.is_not(None)) | (Client.attachment_retention_days.is_not(None)))).all()
    db.session.rollback()
    for client_id, ticket_days, attachment_days in clients:
        done = apply_client(client_id, ticket_days, attachment_days, now)
        for key, count in done.items():
            totals[key] += count
    return totals


def apply_client(client_id: int, ticket_days: int | None, attachment_days: int | None,
                 now: datetime) -> dict[str, int]:
    done = {"tickets": 0, "attachments": 0}
    if ticket_days:
        done["tickets"] = _delete_old_tickets(client_id, now - timedelta(days=ticket_days))
    if attachment_days:
        done["attachments"] = _delete_old_attachments(client_id, now - timedelta(days=attachment_days))
    if any(done.values()):
        audit.record("retention.applied", client_id=client_id, object_type="client", object_id=client_id,
                     details={"deleted": done, "ticket_days": ticket_days, "attachment_days": attachment_days},
                     actor=SYSTEM)
        db.session.commit()
    return done


def _expired_tickets(client_id: int, cutoff: datetime):
    finished_at = func.coalesce(Ticket.solved_at, Ticket.closed_at)
    return (select(Ticket.id).where(Ticket.client_id == client_id, Ticket.status.in_(("solved", "closed")),
                                    finished_at < cutoff).order_by(Ticket.id).limit(BATCH))


def _delete_old_tickets(client_id: int, cutoff: datetime) -> int:
    deleted = 0
    for _ in range(MAX_BATCHES):
        ids = list(db.session.scalars(_expired_tickets(client_id, cutoff)))
        if not ids:
            break
        messages = select(Message.id).where(Message.ticket_id.in_(ids))
        _, files = delete_attachments(Attachment.message_id.in_(messages))
        # Events, raw copies and call logs only lose their ticket link on delete: they hold its text, so they go too.
        for statement in (delete(Event).where(Event.client_id == client_id, Event.ticket_id.in_(ids)),
                          delete(InboundRaw).where(InboundRaw.client_id == client_id, InboundRaw.ticket_id.in_(ids)),
                          delete(CallLog).where(CallLog.client_id == client_id, CallLog.ticket_id.in_(ids)),
                          delete(Ticket).where(Ticket.id.in_(ids))):
            db.session.execute(statement.execution_options(synchronize_session=False))
        db.session.commit()
        forget_files(files)
        deleted += len(ids)
        if len(ids) < BATCH:
            break
    return deleted


def _delete_old_attachments(client_id: int, cutoff: datetime) -> int:
    deleted = 0
    for _ in range(MAX_BATCHES):
        old = (select(Attachment.id).join(Message, Message.id == Attachment.message_id)
               .where(Attachment.client_id == client_id, Message.created_at < cutoff).limit(BATCH))
        count, files = delete_attachments(Attachment.id.in_(old.scalar_subquery()))
        db.session.commit()
        forget_files(files)
        deleted += count
        if count < BATCH:
            break
    return deleted
