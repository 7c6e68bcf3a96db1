"""Email in: every path (signed HTTP, providers, SMTP, import) ends here.

The raw bytes are committed first, so nothing received is ever lost; then the
message is parsed and filed in a second transaction. A parse failure or an
unexpected error leaves the raw row in the quarantine with its reason, where an
admin can reprocess it; a process that dies in between leaves it "received",
and the periodic ``reprocess_stale`` picks it up.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import asdict, dataclass
from datetime import timedelta

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from helpdesk.extensions import db
from helpdesk.mail.parse import ParsedMail, ParseFailure, parse_safely
from helpdesk.mail.providers import to_mime
from helpdesk.models import Attachment, Client, InboundRaw, Message, SupportAddress, Ticket, utcnow
from helpdesk.services import email_out, events, outbox, tickets
from helpdesk.services.events import Actor
from helpdesk.services.storage import attachment_store
from helpdesk.services.summaries import ticket_summary
from helpdesk.services.tenancy import TenantScope
from helpdesk.services.ttl_cache import app_cache
from workers.queues import get_redis

log = logging.getLogger(__name__)

SUBJECT_TOKEN = re.compile(r"\[#\s*([A-Za-z0-9_]+)-(\d+)\s*\]")
CID_SRC = re.compile(r"""(src\s*=\s*["'])cid:([^"']+)(["'])""", re.IGNORECASE)
REPROCESSABLE = ("received", "quarantined", "rate_limited")
STALE_AFTER = timedelta(minutes=2)


@dataclass
class IngestOptions:
    """Imports of old mail neither acknowledge nor rate-limit; live mail does both."""

    auto_ack: bool = True
    rate_limit: bool = True


@dataclass
class IngestResult:
    outcome: str
    raw_id: int
    ticket_id: int | None = None
    message_id: int | None = None
    reason: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def add_raw(client_id: int | None, raw: bytes, source: str, content_type: str = "message/rfc822") -> InboundRaw:
    """Put the bytes as received in the session; the caller commits before parsing."""
    row = InboundRaw(client_id=client_id, channel="email", source=source, content=raw, content_type=content_type,
                     sha256=hashlib.sha256(raw).hexdigest(), status="received", received_at=utcnow())
    db.session.add(row)
    return row


def store_raw(client_id: int | None, raw: bytes, source: str, content_type: str = "message/rfc822") -> int:
    row = add_raw(client_id, raw, source, content_type)
    db.session.commit()
    return row.id


def receive(client_id: int, raw: bytes, source: str, *, content_type: str = "message/rfc822",
            options: IngestOptions | None = None) -> IngestResult:
    return process(store_raw(client_id, raw, source, content_type), options)


def process(raw_id: int, options: IngestOptions | None = None, *, in_batch: bool = False) -> IngestResult:
    """File one stored raw message; safe to call again (a filed message stays filed).

    ``in_batch``: file inside a savepoint of the caller's transaction and leave the
    commit to the caller (imports commit once per batch of messages).
    """
    options = options or IngestOptions()
    row = db.session.get(InboundRaw, raw_id)
    if row is None:
        raise LookupError(f"inbound_raw {raw_id} not found")
    if row.status not in REPROCESSABLE:
        return IngestResult(row.status, row.id, row.ticket_id, reason=row.error)
    try:
        parsed = parse_safely(to_mime(row.source, row.content))
    except ParseFailure as failure:
        parsed = failure
    if isinstance(parsed, ParseFailure):
        return _finish(row, "quarantined", reason=parsed.reason, commit=not in_batch)
    if in_batch:
        return _file_in_savepoint(row, parsed, options)
    try:
        return _file(row, parsed, options, commit=True)
    except IntegrityError:
        # A concurrent delivery of the same message committed first.
        db.session.rollback()
        return _finish(db.session.get(InboundRaw, raw_id), "duplicate", reason="delivered concurrently")
    except Exception as exc:  # noqa: BLE001 - keep the message, say why, let an admin retry
        db.session.rollback()
        log.exception("email ingest failed for inbound_raw %s", raw_id)
        return _finish(db.session.get(InboundRaw, raw_id), "quarantined", reason=_failure_reason(exc))


def _failure_reason(exc: Exception) -> str:
    return f"processing failed: {type(exc).__name__}: {exc}"[:1000]


def _file_in_savepoint(row: InboundRaw, parsed: ParsedMail, options: IngestOptions) -> IngestResult:
    pending = db.session.info.setdefault(outbox.PENDING_KEY, [])
    mark = len(pending)
    savepoint = db.session.begin_nested()
    try:
        result = _file(row, parsed, options, commit=False)
        savepoint.commit()
        return result
    except Exception as exc:  # noqa: BLE001 - this message only; the batch goes on
        savepoint.rollback()
        del pending[mark:]  # its jobs' outbox rows were rolled back with it
        if not isinstance(exc, IntegrityError):
            log.exception("email ingest failed for inbound_raw %s", row.id)
        status, reason = ("duplicate", "delivered twice") if isinstance(exc, IntegrityError) else (
            "quarantined", _failure_reason(exc))
        return _finish(row, status, reason=reason, commit=False)


def _finish(row: InboundRaw, status: str, *, ticket_id: int | None = None, message_id: int | None = None,
            reason: str | None = None, commit: bool = True) -> IngestResult:
    row.status, row.error, row.processed_at = status, reason, utcnow()
    row.attempts += 1
    row.ticket_id = ticket_id if ticket_id is not None else row.ticket_id
    if commit:
        outbox.commit()
    else:
        db.session.flush()
    return IngestResult(status, row.id, row.ticket_id, message_id, reason)


def _file(row: InboundRaw, parsed: ParsedMail, options: IngestOptions, *, commit: bool) -> IngestResult:
    # No autoflush: the few writes go out together at the end instead of before every lookup.
    with db.session.no_autoflush:
        return _file_unflushed(row, parsed, options, commit)


def _file_unflushed(row: InboundRaw, parsed: ParsedMail, options: IngestOptions, commit: bool) -> IngestResult:
    client = db.session.get(Client, row.client_id)
    scope = TenantScope.for_client(client.id)
    row.sender, row.message_id = parsed.from_email, parsed.message_id
    if _is_support_address(parsed.from_email):
        return _finish(row, "ignored", reason="sent from one of our support addresses (mail loop)", commit=commit)
    dedup_key = _dedup_key(parsed, row)
    known = _known_messages(scope, parsed, dedup_key)
    duplicate = known.get(dedup_key) or (known.get(parsed.message_id) if parsed.message_id else None)
    if duplicate is not None:
        return _finish(row, "duplicate", ticket_id=duplicate[1], message_id=duplicate[0],
                       reason="this message was received before", commit=commit)
    if parsed.bounce is not None:
        return _bounced(row, scope, parsed, commit)
    if options.rate_limit and _over_sender_limit(client.id, parsed.from_email):
        return _finish(row, "rate_limited", reason=f"more than {current_app.config['MAIL_SENDER_LIMIT']} "
                       f"messages from {parsed.from_email} in {current_app.config['MAIL_SENDER_WINDOW']} s",
                       commit=commit)
    ticket, follow_up_of = _thread(scope, client, parsed, known)
    contact = ticket.contact if ticket is not None and ticket.contact and ticket.contact.email == \
        parsed.from_email else tickets.find_or_create_contact(scope, {"email": parsed.from_email,
                                                                      "name": parsed.from_name})
    actor = Actor("contact", contact.id if contact else None)
    fields = _message_fields(parsed, row, dedup_key)
    if ticket is None:
        data = {"subject": parsed.subject, "channel": "email",
                "tags": ["auto-reply"] if parsed.auto_reply else [],
                "custom_fields": {"follow_up_of": follow_up_of} if follow_up_of else {}}
        ticket, message = tickets.open_ticket(scope, data, actor, contact, fields)
        outcome = "created"
    else:
        message = tickets.new_message(ticket, "inbound", contact_id=contact.id if contact else None, **fields)
        tickets.customer_message_added(ticket, message, actor, counts_as_reply=not parsed.auto_reply)
        outcome = "appended"
    _store_attachments(message, parsed)
    if outcome == "created" and options.auto_ack and client.auto_ack_enabled and not parsed.auto_reply:
        email_out.queue_auto_ack(ticket, message)
    return _finish(row, outcome, ticket_id=ticket.id, message_id=message.id, commit=commit)


def _known_messages(scope: TenantScope, parsed: ParsedMail, dedup_key: str) -> dict[str, tuple[int, int]]:
    """One query for both questions: was this message seen before, and which of ours does it answer?

    Keys are dedup keys and Message-ID headers; values (message id, ticket id)."""
    ids = [value for value in [parsed.message_id, *parsed.thread_ids[:50]] if value]
    condition = Message.dedup_key == dedup_key
    if ids:
        condition = or_(condition, Message.message_id_header.in_(ids))
    rows = db.session.execute(
        scope.select(Message, condition)
        .with_only_columns(Message.id, Message.ticket_id, Message.dedup_key, Message.message_id_header)
    ).all()
    known: dict[str, tuple[int, int]] = {}
    for row in rows:
        if row.dedup_key == dedup_key:
            known[dedup_key] = (row.id, row.ticket_id)
        if row.message_id_header:
            known.setdefault(row.message_id_header, (row.id, row.ticket_id))
    return known


def _message_fields(parsed: ParsedMail, row: InboundRaw, dedup_key: str) -> dict:
    return {
        "channel": "email", "body_text": parsed.text, "body_html": parsed.html, "new_text": parsed.new_text,
        "subject": parsed.subject, "from_email": parsed.from_email, "from_name": parsed.from_name,
        "message_id_header": parsed.message_id, "in_reply_to": " ".join(parsed.in_reply_to)[:998] or None,
        "references": " ".join(parsed.references) or None, "headers": parsed.headers, "dedup_key": dedup_key,
        "is_auto_reply": parsed.auto_reply is not None, "inbound_raw_id": row.id,
    }


def _dedup_key(parsed: ParsedMail, row: InboundRaw) -> str:
    if parsed.message_id:
        return "mid:" + hashlib.sha256(parsed.message_id.encode()).hexdigest()
    return "raw:" + row.sha256


def _is_support_address(address: str) -> bool:
    addresses = app_cache("support-addresses", 30).get_or_load(
        "all", lambda: frozenset(db.session.scalars(select(SupportAddress.email))))
    return address in addresses


def _thread(scope: TenantScope, client: Client, parsed: ParsedMail,
            known: dict[str, tuple[int, int]]) -> tuple[Ticket | None, str | None]:
    """The ticket this message answers, within this client only; (None, reference) for a closed one."""
    ticket_id = next((known[value][1] for value in parsed.thread_ids[:50] if value in known), None)
    ticket = scope.get(Ticket, ticket_id) if ticket_id else None
    if ticket is None:
        for prefix, number in SUBJECT_TOKEN.findall(parsed.subject):
            if prefix.upper() == client.ticket_prefix.upper():
                ticket = db.session.scalar(scope.select(Ticket, Ticket.number == int(number)))
                if ticket is not None:
                    break
    for _ in range(5):
        if ticket is None or ticket.merged_into_id is None:
            break
        ticket = scope.get(Ticket, ticket.merged_into_id)
    if ticket is not None and ticket.status == "closed":
        return None, ticket.reference
    return ticket, None


def _bounced(row: InboundRaw, scope: TenantScope, parsed: ParsedMail, commit: bool) -> IngestResult:
    bounce = parsed.bounce
    if bounce.action != "failed":
        return _finish(row, "ignored", reason=f"delivery status notification, action {bounce.action}",
                       commit=commit)
    target = db.session.scalar(
        scope.select(Message, Message.kind == "outbound",
                     Message.message_id_header.in_(bounce.original_message_ids[:50] or [""]))
        .order_by(Message.id.desc()).limit(1)
    ) if bounce.original_message_ids else None
    if target is None:
        return _finish(row, "ignored", reason="a bounce for no message we sent", commit=commit)
    target.delivery_status = "bounced"
    target.delivery_error = (bounce.diagnostic or "bounced")[:2000]
    ticket = target.ticket
    events.record(ticket.client_id, "message.delivery_failed", Actor.system(), {
        "message": {"id": target.id, "delivery_status": "bounced", "error": target.delivery_error[:300],
                    "recipients": bounce.recipients[:10]},
        "ticket": ticket_summary(ticket),
    }, ticket_id=ticket.id)
    return _finish(row, "bounce", ticket_id=ticket.id, message_id=target.id, commit=commit)


def _over_sender_limit(client_id: int, sender: str) -> bool:
    """Stops mail loops (an auto-responder answering our acknowledgements, say). Fails open."""
    window = current_app.config["MAIL_SENDER_WINDOW"]
    key = f"helpdesk:mailrate:{client_id}:{hashlib.sha1(sender.encode()).hexdigest()}"
    try:
        connection = get_redis()
        with connection.pipeline() as pipe:
            pipe.set(key, 0, ex=window, nx=True)  # the window starts at the first message
            pipe.incr(key)
            count = pipe.execute()[1]
    except RedisError as exc:
        log.warning("mail rate limit unavailable (redis): %s", exc)
        return False
    return count > current_app.config["MAIL_SENDER_LIMIT"]


def _store_attachments(message: Message, parsed: ParsedMail) -> None:
    if not parsed.attachments:
        return
    store = attachment_store()
    by_content_id = {}
    for part in parsed.attachments:
        attachment = Attachment(
            client_id=message.client_id, message=message, filename=safe_filename(part.filename),
            content_type=part.content_type[:200], size=len(part.data), sha256=hashlib.sha256(part.data).hexdigest(),
            storage_key=store.put(part.data), content_id=part.content_id, is_inline=part.inline,
        )
        db.session.add(attachment)
        if part.content_id:
            by_content_id[part.content_id.strip("<>")] = attachment
    db.session.flush()
    if message.body_html and by_content_id:
        def point_at_attachment(match: re.Match) -> str:
            found = by_content_id.get(match.group(2).strip().strip("<>").lower())
            url = f"/agent/api/attachments/{found.id}/inline" if found else "about:blank"
            return f"{match.group(1)}{url}{match.group(3)}"

        message.body_html = CID_SRC.sub(point_at_attachment, message.body_html)


UNSAFE_NAME_CHARS = re.compile(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069\u200e\u200f\"*:<>?|]")


def safe_filename(name: str) -> str:
    """No paths, control or bidi characters (``evil\u202egnp.exe``), no leading dots."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = UNSAFE_NAME_CHARS.sub("_", base).strip().lstrip(".").strip()
    base = base.replace("..", "_")
    return base[:200] or "attachment"


def reprocess_stale() -> int:
    """Raw messages left "received" by a process that died between storing and filing them."""
    cutoff = utcnow() - STALE_AFTER
    ids = db.session.scalars(
        select(InboundRaw.id).where(InboundRaw.status == "received", InboundRaw.received_at < cutoff)
        .order_by(InboundRaw.id).limit(500)
    ).all()
    db.session.rollback()
    for raw_id in ids:
        process(raw_id)
    return len(ids)


def quarantined(limit: int = 100) -> list[InboundRaw]:
    return list(db.session.scalars(
        select(InboundRaw).where(InboundRaw.status.in_(("quarantined", "rate_limited")))
        .order_by(InboundRaw.id.desc()).limit(limit)
    ))
