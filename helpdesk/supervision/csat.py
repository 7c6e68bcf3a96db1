"""Customer satisfaction surveys: one per solved ticket, answered once through a one-time link.

When a ticket becomes solved, ``tickets.followups.request_survey`` adds a job to the solving
transaction (outbox: it runs only once that commits). The job (``send_survey``)
creates the ticket's survey, if the client has surveys on and the ticket has
none yet (``csat_responses.ticket_id`` is unique, so a ticket solved, reopened
and solved again, or a job run twice, gets one survey), and delivers it:

- email tickets (and any ticket whose customer has an address, except chats):
  an email with the rating link, sent over the same SMTP path as replies;
- chat tickets: the visitor's widget is offered the link over the /chat socket.

The link carries a random token; only its SHA-256 is stored. The token exists
in clear only in the message sent, so each delivery attempt draws a new one
(a retried email invalidates the link of an attempt that never arrived).
Answering records a ``csat.rated`` event (ticket history, live boards).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from helpdesk.channels.email import outbound as email_out
from helpdesk.channels.email.compose import Outgoing, compose, subject_with_token
from helpdesk.errors import Conflict, NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.platform import events, outbox, security
from helpdesk.platform.db import utcnow
from helpdesk.platform.events import Actor
from helpdesk.supervision.models import CsatResponse
from helpdesk.tickets.followups import SURVEY_TASK
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.summaries import ticket_summary
from workers.queues import DEFAULT_QUEUE

log = logging.getLogger(__name__)
ChatOffer = Callable[[int, str], None]

COMMENT_MAX = 2000
RATINGS = (1, 2, 3, 4, 5)
BACKOFF_SECONDS = email_out.BACKOFF_SECONDS
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
EMAIL_TEXT = (
    "Hello{name},\n\nYour request {reference} \"{subject}\" has been solved. How did we do?\n"
    "Rate our answer from 1 (poor) to 5 (excellent), it takes a few seconds:\n\n{link}\n\n"
    "Thank you,\n{client}"
)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh link token and the hash stored for it."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def survey_path(token: str) -> str:
    return f"/csat/{token}"


def survey_url(token: str) -> str:
    return security.public_url(survey_path(token))


def _channel(ticket: Ticket) -> str | None:
    if ticket.channel == "chat":
        return "chat"
    contact = ticket.contact
    return "email" if contact is not None and contact.email else None


def ensure_survey(ticket: Ticket) -> tuple[CsatResponse, bool]:
    """The ticket's survey, created (committed) if it has none; returns (survey, created)."""
    found = db.session.scalar(select(CsatResponse).where(CsatResponse.ticket_id == ticket.id))
    if found is not None:
        return found, False
    _, token_hash = new_token()  # replaced by the token actually delivered
    survey = CsatResponse(client_id=ticket.client_id, ticket_id=ticket.id, agent_id=ticket.assignee_id,
                          token_hash=token_hash)
    try:
        with db.session.begin_nested():
            db.session.add(survey)
    except IntegrityError:
        # A concurrent run of the job created it a moment ago: use theirs.
        found = db.session.scalar(select(CsatResponse).where(CsatResponse.ticket_id == ticket.id))
        if found is None:
            raise
        return found, False
    db.session.commit()
    return survey, True


def send_survey(ticket_id: int, offer_in_chat: ChatOffer) -> str:
    """The job: create and deliver the ticket's survey at most once; returns what happened.

    ``offer_in_chat(ticket_id, path)`` shows the link in an open chat widget: the job passes the
    socket layer's emit, which this domain does not import."""
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        return "missing"
    if not ticket.client.csat_enabled:
        return "disabled"
    if ticket.status not in ("solved", "closed"):
        return "not-solved"  # reopened before the job ran; the next solve asks again
    survey, _ = ensure_survey(ticket)
    if survey.answered_at is not None:
        return "answered"
    if survey.delivery_status in ("sent", "failed", "offered"):
        return survey.delivery_status
    channel = _channel(ticket)
    if channel == "chat":
        return _offer_in_chat(ticket, survey, offer_in_chat)
    if channel == "email":
        return _send_email(ticket, survey)
    survey.delivery_status = "none"
    db.session.commit()
    return "none"


def _rotate(survey: CsatResponse) -> str:
    token, survey.token_hash = new_token()
    survey.delivery_attempts += 1
    return token


def _offer_in_chat(ticket: Ticket, survey: CsatResponse, offer: ChatOffer) -> str:
    token = _rotate(survey)
    survey.delivery_status, survey.sent_at = "offered", utcnow()
    _record_sent(ticket, survey, "chat")
    outbox.commit()
    offer(ticket.id, survey_path(token))
    return "offered"


def _chat_offer(ticket_id: int) -> CsatResponse | None:
    survey = db.session.scalar(select(CsatResponse).where(CsatResponse.ticket_id == ticket_id))
    if survey is None or survey.answered_at is not None or survey.delivery_status != "offered":
        return None
    return survey


def chat_survey_pending(ticket_id: int) -> bool:
    """Was this chat offered a survey not answered yet? (A resuming widget shows it again.)"""
    return _chat_offer(ticket_id) is not None


def chat_survey_link(ticket_id: int) -> str | None:
    """A fresh link for a resuming widget that lost the offer (it was away when the chat was solved).

    The clear token was never stored, so the link is drawn anew: the earlier one stops working."""
    survey = _chat_offer(ticket_id)
    if survey is None:
        return None
    token = _rotate(survey)
    db.session.commit()
    return survey_path(token)


def _send_email(ticket: Ticket, survey: CsatResponse) -> str:
    token = _rotate(survey)
    survey.delivery_status = "sending"
    db.session.commit()  # the link must work the moment the mail arrives
    try:
        _deliver(ticket, survey, token)
    except email_out.PermanentFailure as exc:
        return _delivery_failed(survey, f"permanent: {exc}")
    except (smtplib.SMTPException, OSError) as exc:
        if survey.delivery_attempts >= MAX_ATTEMPTS:
            return _delivery_failed(survey, f"gave up after {survey.delivery_attempts} attempts: {exc}")
        delay = BACKOFF_SECONDS[survey.delivery_attempts - 1]
        survey.delivery_status = "retrying"
        outbox.add(SURVEY_TASK, {"ticket_id": ticket.id}, client_id=ticket.client_id, queue=DEFAULT_QUEUE,
                   not_before=utcnow() + timedelta(seconds=delay))
        outbox.commit()
        log.warning("csat survey for ticket %s: attempt %s failed (%s); next in %ss",
                    ticket.id, survey.delivery_attempts, exc, delay)
        return "retrying"
    survey.delivery_status, survey.sent_at = "sent", utcnow()
    _record_sent(ticket, survey, "email")
    outbox.commit()
    return "sent"


def _delivery_failed(survey: CsatResponse, error: str) -> str:
    survey.delivery_status = "failed"
    db.session.commit()
    log.warning("csat survey for ticket %s not delivered: %s", survey.ticket_id, error)
    return "failed"


def _deliver(ticket: Ticket, survey: CsatResponse, token: str) -> None:
    from helpdesk.channels.email.compose import new_message_id

    contact = ticket.contact
    client = ticket.client
    address = email_out.support_address(ticket)
    domain = address.email.split("@")[-1] if address else current_app.config["MAIL_DOMAIN"]
    link = survey_url(token)
    text = EMAIL_TEXT.format(name=f" {contact.name}" if contact.name else "", reference=ticket.reference,
                             subject=ticket.subject, link=link, client=client.name)
    try:
        mime = compose(Outgoing(
            from_address=address.email if address else current_app.config["MAIL_FROM"],
            from_name=address.display_name if address and address.display_name else client.name,
            to_address=contact.email, to_name=contact.name,
            subject=subject_with_token(f"How did we do? {ticket.subject}", ticket.reference, reply=False),
            text=text, html=None,
            # Not a message of the conversation: a distinct id nobody threads onto.
            message_id=new_message_id(f"csat.{client.slug}", survey.id, domain),
            automatic=True, ticket_reference=ticket.reference,
        ))
    except (ValueError, TypeError) as exc:
        raise email_out.PermanentFailure(f"cannot compose the survey: {exc}") from exc
    with email_out.smtp_connection() as smtp:
        try:
            refused = smtp.send_message(mime)
        except smtplib.SMTPRecipientsRefused as exc:
            raise email_out.PermanentFailure(f"recipient refused: {exc.recipients}") from exc
        if refused:
            raise email_out.PermanentFailure(f"recipient refused: {refused}")


def ticket_ref(ticket: Ticket | None) -> dict[str, Any] | None:
    """What survey and review events say of their ticket. Deliberately not under the key "ticket":
    events carrying a ticket summary are folded into the wallboard as ticket changes, and a rating
    days after the solve would count the ticket as handled again."""
    if ticket is None:
        return None
    return {key: value for key, value in ticket_summary(ticket).items()
            if key in ("id", "reference", "client_id", "subject", "status", "channel", "region_id", "assignee_id")}


def _record_sent(ticket: Ticket, survey: CsatResponse, channel: str) -> None:
    events.record(ticket.client_id, "csat.sent", Actor.system(),
                  {"csat": {"id": survey.id, "channel": channel}, "ticket_ref": ticket_ref(ticket)},
                  ticket_id=ticket.id)


# --- the customer's answer -------------------------------------------------------

def find_by_token(token: str) -> CsatResponse | None:
    """The survey a link names; None for anything unknown (no hint whether it ever existed)."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(select(CsatResponse).where(CsatResponse.token_hash == hash_token(token)))


def survey_or_404(token: str) -> CsatResponse:
    survey = find_by_token(token)
    if survey is None:
        raise NotFound("This survey link is not valid.", {"token": ["unknown"]})
    return survey


def ticket_subject(survey: CsatResponse) -> str:
    ticket = db.session.get(Ticket, survey.ticket_id)
    return ticket.subject if ticket else ""


def clean_answer(rating: Any, comment: Any) -> tuple[int, str | None]:
    """Validate a rating 1..5 and an optional comment of at most COMMENT_MAX characters."""
    errors: dict[str, list[str]] = {}
    try:
        value = int(rating)
    except (TypeError, ValueError):
        value = None
    if isinstance(rating, bool) or value not in RATINGS:
        errors["rating"] = ["Choose a rating from 1 to 5."]
    if comment is not None and not isinstance(comment, str):
        errors["comment"] = ["The comment must be text."]
        comment = None
    text = (comment or "").strip()
    if len(text) > COMMENT_MAX:
        errors["comment"] = [f"At most {COMMENT_MAX} characters."]
    if errors:
        raise ValidationFailed("The answer has invalid fields.", errors)
    return value, text or None


def answer(token: str, rating: Any, comment: Any) -> CsatResponse:
    """Store the customer's one answer; a second one is a Conflict (409)."""
    survey = survey_or_404(token)
    if survey.answered_at is not None:
        raise Conflict("This request has already been rated. Thank you!", {"survey": ["already rated"]})
    value, text = clean_answer(rating, comment)
    now = utcnow()
    # One conditional write: of two concurrent answers exactly one finds it unanswered.
    claimed = db.session.execute(
        update(CsatResponse).where(CsatResponse.id == survey.id, CsatResponse.answered_at.is_(None))
        .values(rating=value, comment=text, answered_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise Conflict("This request has already been rated. Thank you!", {"survey": ["already rated"]})
    ticket = db.session.get(Ticket, survey.ticket_id)
    events.record(survey.client_id, "csat.rated", Actor("contact", ticket.contact_id if ticket else None),
                  {"csat": {"id": survey.id, "rating": value, "comment": text, "agent_id": survey.agent_id},
                   "ticket_ref": ticket_ref(ticket)}, ticket_id=survey.ticket_id)
    outbox.commit()
    db.session.refresh(survey)
    return survey
