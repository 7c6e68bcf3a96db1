"""Raw input kept before it is parsed, for every inbound channel: nothing received is lost.

A row starts "received"; its status becomes the outcome (created, appended,
quarantined, ...), with the reason, so admins can see and reprocess failures.
"""

from __future__ import annotations

import email
import email.policy
import hashlib

from helpdesk.channels.models import InboundRaw
from helpdesk.client import pii
from helpdesk.client.models import Client
from helpdesk.extensions import db
from helpdesk.platform.db import utcnow

# Outcomes after which the bytes as received are no longer needed to reprocess anything.
FILED = ("created", "appended", "duplicate", "ignored", "bounce", "rejected")


def add_raw(client_id: int | None, raw: bytes, source: str, content_type: str = "message/rfc822",
            channel: str = "email") -> InboundRaw:
    """Put the bytes as received in the session; the caller commits before parsing."""
    row = InboundRaw(client_id=client_id, channel=channel, source=source, content=raw, content_type=content_type,
                     sha256=hashlib.sha256(raw).hexdigest(), status="received", received_at=utcnow())
    db.session.add(row)
    return row


def store_raw(client_id: int | None, raw: bytes, source: str, content_type: str = "message/rfc822",
              channel: str = "email") -> int:
    row = add_raw(client_id, raw, source, content_type, channel)
    db.session.commit()
    return row.id


def mark(row: InboundRaw, status: str, reason: str | None = None, *, ticket_id: int | None = None) -> None:
    """Record what became of a stored input, in the caller's transaction."""
    row.status, row.error, row.processed_at = status, reason, utcnow()
    row.attempts += 1
    row.ticket_id = ticket_id if ticket_id is not None else row.ticket_id
    if status in FILED and row.client_id and row.content and _holds_masked_data(row):
        # The raw copy holds what masking removed from the stored message: drop it with the filing.
        row.content = b""
        row.error = "raw copy dropped once filed: it held personal data this client masks"


def _holds_masked_data(row: InboundRaw) -> bool:
    mask = pii.client_masker(db.session.get(Client, row.client_id))
    if not mask:
        return False
    if row.content_type != "message/rfc822":
        texts = [row.content.decode("utf-8", "replace")]
    else:
        # The mail's words, decoded: its raw bytes also hold boundaries and ids, long random
        # numbers that can pass a card check.
        try:
            mail = email.message_from_bytes(row.content, policy=email.policy.default)
            texts = [str(mail.get("subject", ""))]
            texts += [part.get_content() for part in mail.walk() if part.get_content_maintype() == "text"]
        except (LookupError, ValueError, KeyError):
            return True  # filed, but not readable here: keeping it could keep what masking removed
    return any(mask.text(text) != text for text in texts)


def settle(row_id: int, status: str, reason: str | None = None, *, ticket_id: int | None = None) -> None:
    """``mark`` in a small transaction of its own."""
    mark(db.session.get(InboundRaw, row_id), status, reason, ticket_id=ticket_id)
    db.session.commit()
