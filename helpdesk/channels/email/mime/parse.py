"""Raw RFC 5322 bytes to what a ticket needs, decoded the way a mail client would.

``parse_safely`` is the only entry point the rest of the app uses: whatever the
bytes, it returns a ``ParsedMail`` or a ``ParseFailure`` with a reason for the
quarantine; no exception escapes. Python's compat32 parser does the MIME work
(it is lenient: a broken message still yields its parts); decoding of headers
(``headers``), charsets (``charsets``) and bodies (``bodies``) is ours, because mail
programs send labels and encodings the standard library does not forgive."""

from __future__ import annotations

import email
import re
from email.message import Message
from email.policy import compat32

from helpdesk.channels.email.mime.automatic import auto_reply_reason, find_bounce
from helpdesk.channels.email.mime.bodies import bodies
from helpdesk.channels.email.mime.headers import (
    clean,
    header_text,
    message_ids,
    normalize_message_id,
    parse_date,
    sender_of,
)
from helpdesk.channels.email.mime.parsed import ParsedMail, ParseFailure
from helpdesk.channels.email.mime.quotes import split_reply

MAX_DEPTH = 30
MAX_PARTS = 500
HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:")

KNOWN_HEADERS = re.compile(
    rb"^(from|to|subject|date|message-id|received|return-path|mime-version|content-type|sender|reply-to|"
    rb"delivered-to|x-[\w-]+)[ \t]*:", re.IGNORECASE | re.MULTILINE,
)

KEPT_HEADERS = ("to", "cc", "reply-to", "date", "auto-submitted", "x-autoreply", "x-auto-response-suppress",
                "precedence", "list-id", "x-mailer", "user-agent", "return-path")




def parse_safely(raw: bytes) -> ParsedMail | ParseFailure:
    try:
        return parse(raw)
    except ParseFailure as failure:
        return failure
    except RecursionError:
        return ParseFailure("MIME nesting too deep for the parser")
    except Exception as exc:  # noqa: BLE001 - the quarantine keeps the bytes and the reason
        return ParseFailure(f"parser error: {type(exc).__name__}: {exc}"[:500])


def parse(raw: bytes) -> ParsedMail:
    if not raw or not raw.strip():
        raise ParseFailure("empty message")
    if not looks_like_mail(raw):
        raise ParseFailure("not an email: no RFC 5322 header section")
    msg = email.message_from_bytes(raw, policy=compat32)
    _check_shape(msg)
    from_name, from_email = sender_of(msg)
    text, html, attachments = bodies(msg)
    subject = " ".join(clean(header_text(msg, "Subject") or "").split())[:998] or "(no subject)"
    null_sender = (msg.get("Return-Path") or "").strip() in ("<>", "") and "Return-Path" in msg
    parsed = ParsedMail(
        subject=subject, from_email=from_email, from_name=from_name,
        message_id=normalize_message_id(msg.get("Message-ID")),
        in_reply_to=message_ids(msg.get("In-Reply-To")), references=message_ids(msg.get("References")),
        date=parse_date(msg.get("Date")), text=text, new_text=split_reply(text)[0], html=html,
        attachments=attachments, auto_reply=None, bounce=None, null_sender=null_sender,
        headers={name: clean(header_text(msg, name) or "")[:2000] for name in KEPT_HEADERS if name in msg},
    )
    parsed.bounce = find_bounce(msg, parsed)
    parsed.auto_reply = None if parsed.bounce else auto_reply_reason(msg, parsed)
    return parsed


def looks_like_mail(raw: bytes) -> bool:
    """A header section first: rules out HTML pages, JSON documents and random binary."""
    head = raw.lstrip(b"\r\n")
    if head.startswith(b"From "):  # an mbox "From_" separator line
        head = head.split(b"\n", 1)[1] if b"\n" in head else b""
    first_line = head.split(b"\n", 1)[0]
    if not HEADER_LINE.match(first_line):
        return False
    header_section = re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0]
    return KNOWN_HEADERS.search(header_section) is not None


def _check_shape(msg: Message) -> None:
    stack, count = [(msg, 0)], 0
    while stack:
        part, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise ParseFailure(f"MIME nesting deeper than {MAX_DEPTH} levels")
        if count > MAX_PARTS:
            raise ParseFailure(f"too many parts: more than {MAX_PARTS} MIME parts")
        payload = part.get_payload()
        if isinstance(payload, list):
            stack.extend((child, depth + 1) for child in payload if isinstance(child, Message))
