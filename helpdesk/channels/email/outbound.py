"""Email out: agent replies and acknowledgements, sent by an RQ job over SMTP.

A message is queued in the transaction that creates it (outbox), so it is sent
once that commits and never for a rolled-back reply. The job is idempotent (a
sent message is not sent again); a temporary SMTP failure schedules the next
attempt through the outbox with backoff, a permanent one marks it failed.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import timedelta
from urllib.parse import unquote, urlsplit

from flask import current_app

from helpdesk.channels.email.compose import Outgoing, compose, new_message_id, subject_with_token
from helpdesk.client.models import SupportAddress
from helpdesk.extensions import db
from helpdesk.platform import events, outbox
from helpdesk.platform.db import utcnow
from helpdesk.platform.events import Actor
from helpdesk.tickets.models import Message, Ticket
from helpdesk.tickets.summaries import ticket_summary
from workers.queues import DEFAULT_QUEUE

log = logging.getLogger(__name__)

SEND_TASK = "workers.jobs.send_email"
BACKOFF_SECONDS = (30, 120, 600, 1800, 3600)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
FINAL_STATES = ("sent", "failed", "bounced")


class PermanentFailure(Exception):
    """The message can never be delivered as it is (bad address, refused by the server)."""


def support_address(ticket: Ticket) -> SupportAddress | None:
    addresses = sorted(ticket.client.support_addresses, key=lambda a: (not a.is_default, a.id))
    return addresses[0] if addresses else None


def queue_outbound(ticket: Ticket, message: Message) -> None:
    """Stamp threading headers on an outbound message and send it after commit."""
    address = support_address(ticket)
    domain = address.email.split("@")[-1] if address else current_app.config["MAIL_DOMAIN"]
    previous = [m for m in ticket.messages if m.message_id_header and m.id != message.id]
    last_inbound = next((m for m in reversed(previous) if m.kind == "inbound"), None)
    message.message_id_header = new_message_id(ticket.client.slug, message.id, domain)
    message.in_reply_to = last_inbound.message_id_header if last_inbound else None
    message.references = " ".join(m.message_id_header for m in previous[-20:]) or None
    message.subject = subject_with_token(
        (last_inbound.subject if last_inbound and last_inbound.subject else ticket.subject),
        ticket.reference, reply=last_inbound is not None,
    )
    message.from_email = address.email if address else None
    message.delivery_status = "queued"
    message.dedup_key = "out:" + message.message_id_header
    outbox.add(SEND_TASK, {"message_id": message.id}, client_id=ticket.client_id, queue=DEFAULT_QUEUE)


def send(message_id: int) -> str:
    """Deliver one outbound message; returns its delivery state.

    The attempt is counted and committed before the SMTP conversation, so an attempt that
    never finishes (a worker killed, an error nobody foresaw) still counts towards the last
    one, and the message ends ``failed`` with a reason instead of staying ``queued``."""
    message = db.session.get(Message, message_id)
    if message is None or message.kind != "outbound":
        return "missing"
    if message.delivery_status in FINAL_STATES:
        return message.delivery_status
    if message.delivery_attempts >= MAX_ATTEMPTS:
        return _record(message, "failed", f"gave up after {message.delivery_attempts} attempts: "
                                          "the last one did not finish")
    message.delivery_attempts += 1
    db.session.commit()
    try:
        _deliver(message)
    except PermanentFailure as exc:
        return _record(message, "failed", str(exc))
    except (smtplib.SMTPException, OSError) as exc:
        return _retry_or_fail(message, str(exc))
    except Exception as exc:  # noqa: BLE001 - a message must never stay "queued" for an error we did not foresee
        log.exception("email %s: unexpected error while sending", message.id)
        return _retry_or_fail(message, f"{type(exc).__name__}: {exc}")
    message.sent_at = utcnow()
    return _record(message, "sent", None)


def _retry_or_fail(message: Message, reason: str) -> str:
    if message.delivery_attempts >= MAX_ATTEMPTS:
        return _record(message, "failed", f"gave up after {message.delivery_attempts} attempts: {reason}")
    delay = BACKOFF_SECONDS[message.delivery_attempts - 1]
    outbox.add(SEND_TASK, {"message_id": message.id}, client_id=message.client_id, queue=DEFAULT_QUEUE,
               not_before=utcnow() + timedelta(seconds=delay))
    return _record(message, "retrying", f"attempt {message.delivery_attempts} failed: {reason}; next in {delay}s")


def _record(message: Message, state: str, error: str | None) -> str:
    message.delivery_status, message.delivery_error = state, (error or None) and error[:2000]
    ticket = message.ticket
    events.record(message.client_id, "message.delivery", Actor.system(), {
        "message": {"id": message.id, "delivery_status": state, "error": message.delivery_error,
                    "attempts": message.delivery_attempts},
        "ticket": ticket_summary(ticket),
    }, ticket_id=ticket.id)
    outbox.commit()
    if state != "sent":
        log.warning("email %s to ticket %s: %s (%s)", message.id, ticket.id, state, error)
    return state


def _deliver(message: Message) -> None:
    ticket = message.ticket
    contact = ticket.contact
    if contact is None or not contact.email:
        raise PermanentFailure("the ticket's customer has no email address")
    address = support_address(ticket)
    previous = [ref for ref in (message.references or "").split() if ref]
    try:
        mime = compose(Outgoing(
            from_address=message.from_email or (address.email if address else current_app.config["MAIL_FROM"]),
            from_name=(address.display_name if address and address.display_name else ticket.client.name),
            to_address=contact.email, to_name=contact.name, subject=message.subject or ticket.subject,
            text=message.body_text, html=message.body_html, message_id=message.message_id_header,
            in_reply_to=message.in_reply_to, references=previous, automatic=message.is_auto_reply,
            ticket_reference=ticket.reference,
        ))
    except (ValueError, TypeError) as exc:
        raise PermanentFailure(f"cannot compose the message: {exc}") from exc
    with smtp_connection() as smtp:
        try:
            refused = smtp.send_message(mime)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            if 500 <= exc.smtp_code < 600:
                raise PermanentFailure(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
            raise
        if refused:
            raise PermanentFailure(f"recipient refused: {refused}")


def smtp_connection() -> smtplib.SMTP:
    """``SMTP_URL``: smtp://[user:pass@]host:port, smtp+starttls://..., or smtps://..."""
    url = urlsplit(current_app.config["SMTP_URL"])
    timeout = current_app.config["SMTP_TIMEOUT"]
    host, port = url.hostname or "127.0.0.1", url.port
    if url.scheme == "smtps":
        smtp = smtplib.SMTP_SSL(host, port or 465, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port or 25, timeout=timeout)
        if url.scheme == "smtp+starttls":
            smtp.starttls(context=ssl.create_default_context())
    if url.username:
        smtp.login(unquote(url.username), unquote(url.password or ""))
    return smtp

