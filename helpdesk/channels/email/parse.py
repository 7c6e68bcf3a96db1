"""Raw RFC 5322 bytes to what a ticket needs, decoded the way a mail client would.

``parse_safely`` is the only entry point the rest of the app uses: whatever the
bytes, it returns a ``ParsedMail`` or a ``ParseFailure`` with a reason for the
quarantine; no exception escapes. Python's compat32 parser does the MIME work
(it is lenient: a broken message still yields its parts); decoding of headers,
charsets and bodies is ours, because mail programs send labels and encodings
the standard library does not forgive.
"""

from __future__ import annotations

import binascii
import contextlib
import email
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import errors
from email.header import Header
from email.message import Message
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime

import nh3

from helpdesk.channels.email.charsets import decode_bytes
from helpdesk.channels.email.htmltext import html_to_text
from helpdesk.channels.email.quotes import split_reply

MAX_DEPTH = 30
MAX_PARTS = 500
ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
MESSAGE_ID_TOKEN = re.compile(r"<([^<>\s]+)>")
ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:")
KNOWN_HEADERS = re.compile(
    rb"^(from|to|subject|date|message-id|received|return-path|mime-version|content-type|sender|reply-to|"
    rb"delivered-to|x-[\w-]+)[ \t]*:", re.IGNORECASE | re.MULTILINE,
)
HTML_URL_SCHEMES = nh3.ALLOWED_URL_SCHEMES | {"cid"}
KEPT_HEADERS = ("to", "cc", "reply-to", "date", "auto-submitted", "x-autoreply", "x-auto-response-suppress",
                "precedence", "list-id", "x-mailer", "user-agent", "return-path")
BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery (status|failure|has failed)|failure notice|mail delivery|returned mail|"
    r"delivery notification|could not be delivered|non[- ]?delivery|unzustellbar|non remis|no entregado",
    re.IGNORECASE,
)
BOUNCE_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon")
AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|antwort|svar)|automatische antwort|automatisch antwoord|"
    r"out of (the )?office(?![ -]hours)|abwesenheit|"
    r"r[ée]ponse automatique|respuesta autom[áa]tica|risposta automatica|autosvar|absence|"
    r"on vacation|vacation reply|自動返信|自动回复)",
    re.IGNORECASE,
)
REPLY_PREFIX = re.compile(r"^\s*(re|aw|sv|vs|antw|wg|fwd?|tr|rv|auto)\s*:", re.IGNORECASE)


class ParseFailure(Exception):
    """The bytes cannot become a ticket message; ``reason`` goes to the quarantine."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str | None = None
    inline: bool = False


@dataclass
class Bounce:
    action: str
    original_message_ids: list[str]
    recipients: list[str] = field(default_factory=list)
    diagnostic: str | None = None


@dataclass
class ParsedMail:
    subject: str
    from_email: str
    from_name: str | None
    message_id: str | None
    in_reply_to: list[str]
    references: list[str]
    date: datetime | None
    text: str
    new_text: str
    html: str | None
    attachments: list[ParsedAttachment]
    auto_reply: str | None
    bounce: Bounce | None
    null_sender: bool
    headers: dict[str, str]

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this one answers, the most specific (the parent) first."""
        seen: dict[str, None] = {}
        for value in [*self.in_reply_to, *reversed(self.references)]:
            seen.setdefault(value, None)
        return list(seen)


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
    from_name, from_email = _sender(msg)
    text, html, attachments = _bodies(msg)
    subject = " ".join(clean(header_text(msg, "Subject") or "").split())[:998] or "(no subject)"
    null_sender = (msg.get("Return-Path") or "").strip() in ("<>", "") and "Return-Path" in msg
    parsed = ParsedMail(
        subject=subject, from_email=from_email, from_name=from_name,
        message_id=normalize_message_id(msg.get("Message-ID")),
        in_reply_to=message_ids(msg.get("In-Reply-To")), references=message_ids(msg.get("References")),
        date=_date(msg.get("Date")), text=text, new_text=split_reply(text)[0], html=html,
        attachments=attachments, auto_reply=None, bounce=None, null_sender=null_sender,
        headers={name: clean(header_text(msg, name) or "")[:2000] for name in KEPT_HEADERS if name in msg},
    )
    parsed.bounce = _bounce(msg, parsed)
    parsed.auto_reply = None if parsed.bounce else _auto_reply_reason(msg, parsed)
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


def clean(text: str) -> str:
    """Text safe for every database: no NUL, no lone surrogates."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def header_text(msg: Message, name: str) -> str | None:
    value = msg.get(name)
    return None if value is None else decode_header_value(value)


def decode_header_value(value: str | Header) -> str:
    if isinstance(value, Header):
        value = str(value) if not value._chunks else "".join(  # noqa: SLF001 - compat32 8-bit headers
            chunk if isinstance(chunk, str) else decode_bytes(chunk, None) for chunk, _ in value._chunks
        )
    text = str(value)
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        # Raw 8-bit bytes in a header (undeclared): decide UTF-8 or cp1252 from the bytes.
        text = decode_bytes(text.encode("ascii", "surrogateescape"), None)
    text = re.sub(r"\r?\n[ \t]+", " ", raw_jis(text)).replace("\r", "").replace("\n", " ")
    return decode_rfc2047(text)


def raw_jis(text: str) -> str:
    """Unencoded ISO-2022-JP in a header (older Japanese mailers write the escape sequences as they are;
    mail clients decode them). Its "(" and ";" would otherwise break the address parser."""
    if "\x1b$" in text and text.isascii():
        return decode_bytes(text.encode("ascii"), "iso-2022-jp")
    return text


def decode_rfc2047(text: str) -> str:
    """Encoded words anywhere (even unspaced or quoted), adjacent ones of one charset joined first,
    so a multi-byte character split across two words survives."""
    pieces: list[tuple[str | None, str | bytes]] = []
    position = 0
    for match in ENCODED_WORD.finditer(text):
        between = text[position:match.start()]
        if between and not (between.isspace() and pieces and pieces[-1][0] is not None):
            pieces.append((None, between))
        charset = match.group(1).split("*", 1)[0]
        data = _decode_word(match.group(2), match.group(3))
        if pieces and pieces[-1][0] is not None and pieces[-1][0].lower() == charset.lower():
            pieces[-1] = (charset, pieces[-1][1] + data)
        else:
            pieces.append((charset, data))
        position = match.end()
    if position == 0:
        return text
    if position < len(text):
        pieces.append((None, text[position:]))
    return "".join(decode_bytes(data, charset) if charset else data for charset, data in pieces)


def _decode_word(encoding: str, data: str) -> bytes:
    if encoding in "bB":
        compact = re.sub(r"[^A-Za-z0-9+/]", "", data)
        compact = compact[: len(compact) - len(compact) % 4] if len(compact) % 4 == 1 else compact
        try:
            return binascii.a2b_base64(compact + "=" * (-len(compact) % 4))
        except binascii.Error:
            return data.encode("ascii", "replace")
    raw = data.replace("_", " ").encode("ascii", "replace")
    return re.sub(rb"=([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)


def normalize_message_id(value: str | Header | None) -> str | None:
    if value is None:
        return None
    text = clean(str(value)).strip()
    match = MESSAGE_ID_TOKEN.search(text)
    inner = match.group(1) if match else (text.split()[0] if text.split() else "")
    inner = inner.strip("<>").strip()
    return f"<{inner.lower()[:900]}>" if inner else None


def message_ids(value: str | Header | None) -> list[str]:
    if value is None:
        return []
    text = clean(str(value))
    found = MESSAGE_ID_TOKEN.findall(text) or [token for token in text.split() if "@" in token]
    if len(found) > 50:
        # The thread's root (first) and the nearest ancestors (last), as mail programs trim References
        # (RFC 5537 3.4.4); 48 of the latter leave room, in the 50 ids looked up, for an In-Reply-To.
        found = found[:1] + found[-48:]
    ids = [normalize_message_id(token) for token in found]
    return [value for value in ids if value]


def _addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    values = msg.get_all(name) or []
    decoded = [re.sub(r"\r?\n[ \t]+", " ", clean(raw_jis(str(v)) if not isinstance(v, Header) else
                                                    decode_header_value(v))) for v in values]
    pairs = [(decode_rfc2047(n).strip(), a.strip().lower()) for n, a in getaddresses(decoded) if "@" in a]
    if not pairs:
        for value in decoded:
            pairs += [("", match.lower()) for match in ADDRESS.findall(value)]
    return pairs


def _sender(msg: Message) -> tuple[str | None, str]:
    for name in ("From", "Sender", "Reply-To", "Return-Path"):
        pairs = _addresses(msg, name)
        if pairs:
            display, address = _list_author(msg, pairs[0]) if name == "From" else pairs[0]
            display = " ".join(display.strip("\"' ").split())[:200] or None
            return display, address[:320]
    raise ParseFailure("no sender address: no usable From, Sender, Reply-To or Return-Path")


def _list_author(msg: Message, sender: tuple[str, str]) -> tuple[str, str]:
    """A list that put its own address in From ("Alice via Users", DMARC mitigation by Mailman and
    Google Groups) is not the author: the author is in X-Original-From (Groups) or Reply-To (Mailman).
    Only when From is the list's posting address, so a reply never goes to the whole list."""
    if "List-Id" not in msg:
        return sender
    post = " ".join(str(value) for value in msg.get_all("List-Post") or [])
    if sender[1] not in {address.lower() for address in re.findall(r"mailto:([^>?,\s]+)", post)}:
        return sender
    for name in ("X-Original-From", "Reply-To"):
        for pair in _addresses(msg, name):
            if pair[1] != sender[1]:
                return pair
    return sender


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    return (parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed).astimezone(UTC)


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001 - a mangled RFC 2231 parameter is just no name
        name = None
    if name is None:
        name = part.get_param("name")
        if isinstance(name, tuple):  # RFC 2231 (charset, language, value)
            name = email.utils.collapse_rfc2231_value(name)
    return clean(decode_rfc2047(str(name))) if name else None


def _payload_bytes(part: Message) -> bytes:
    payload = part._payload  # noqa: SLF001 - the undecoded body, as get_payload(decode=True) reads it
    cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if cte == "quoted-printable" and isinstance(payload, str):
        # Trailing blanks are the transport's (RFC 2045 6.7): "= " at a line end is still a soft break.
        try:
            raw = payload.encode("ascii", "surrogateescape")
        except UnicodeEncodeError:
            raw = payload.encode("raw-unicode-escape")
        return binascii.a2b_qp(re.sub(rb"[ \t]+(?=\r?\n|$)", b"", raw))
    data = part.get_payload(decode=True)
    if data is None:
        data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
    elif any(isinstance(defect, errors.InvalidBase64LengthDefect) for defect in part.defects):
        # One character past a whole group (a message cut off in transit): the standard library gives the
        # encoded text back; mail clients decode the whole groups.
        compact = re.sub(rb"[^A-Za-z0-9+/]", b"", data.split(b"=", 1)[0])
        with contextlib.suppress(binascii.Error):
            data = binascii.a2b_base64(compact[: len(compact) // 4 * 4])
    return data


def _is_attachment(part: Message, ctype: str, filename: str | None) -> bool:
    if ctype in ("text/plain", "text/html") and not filename:
        return part.get_content_disposition() == "attachment"
    return True


def _bodies(msg: Message) -> tuple[str, str | None, list[ParsedAttachment]]:
    plain, html, attachments = [], [], []
    for part in _leaves(msg):
        ctype = part.get_content_type()
        if ctype in ("message/rfc822", "message/global"):
            attachments.append(_forwarded(part))
            continue
        filename = _filename(part)
        if part.get_content_maintype() == "multipart":
            # Its boundary never appears: a mail client shows the raw body as text, and so do we.
            plain.append(clean(decode_bytes(_payload_bytes(part), part.get_content_charset())))
            continue
        if _is_attachment(part, ctype, filename):
            attachments.append(_attachment(part, ctype, filename))
            continue
        text = clean(decode_bytes(_payload_bytes(part), part.get_content_charset()))
        (html if ctype == "text/html" else plain).append(text)
    html_text = "\n".join(html) if html else None
    text = "\n\n".join(chunk.strip("\n") for chunk in plain) if plain else html_to_text(html_text or "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, sanitize_mail_html(html_text), attachments


def _leaves(msg: Message):
    """Leaf parts in order; a forwarded message is one leaf (kept whole as an attachment)."""
    stack = [msg]
    while stack:
        part = stack.pop()
        payload = part.get_payload()
        if part.get_content_type() in ("message/rfc822", "message/global") and part is not msg:
            yield part
        elif isinstance(payload, list):
            stack.extend(reversed([child for child in payload if isinstance(child, Message)]))
        else:
            yield part


def _attachment(part: Message, ctype: str, filename: str | None) -> ParsedAttachment:
    content_id = normalize_message_id(part.get("Content-ID"))
    inline = content_id is not None and ctype.startswith("image/") and part.get_content_disposition() != "attachment"
    return ParsedAttachment(filename=filename or _default_name(ctype), content_type=ctype,
                            data=_payload_bytes(part), content_id=content_id, inline=inline)


def _forwarded(part: Message) -> ParsedAttachment:
    inner = part.get_payload()
    inner = inner[0] if isinstance(inner, list) and inner else None
    if isinstance(inner, Message):
        data = inner.as_bytes(policy=compat32)
        subject = " ".join(clean(header_text(inner, "Subject") or "").split())
    else:
        data, subject = _payload_bytes(part), ""
    name = _filename(part) or f"{subject or 'forwarded message'}.eml"
    return ParsedAttachment(filename=name, content_type="message/rfc822", data=data)


MIME_TYPES = mimetypes.MimeTypes()  # Python's own table only: the same names on every machine


def _default_name(ctype: str) -> str:
    """A name for an unnamed part whose extension opens it: attachment.txt, not attachment.plain."""
    extension = {"application/ms-tnef": "winmail.dat", "text/calendar": "invite.ics"}.get(ctype)
    suffix = MIME_TYPES.guess_extension(ctype) or "." + (ctype.split("/")[-1][:10] or "bin")
    return extension or f"attachment{suffix}"


def sanitize_mail_html(html: str | None) -> str | None:
    """What we store: nh3-clean HTML; ``cid:`` images stay for the ingest to point at our attachments."""
    if not html or not html.strip():
        return None
    return nh3.clean(html, url_schemes=HTML_URL_SCHEMES, link_rel="noopener noreferrer nofollow")


def _auto_reply_reason(msg: Message, parsed: ParsedMail) -> str | None:
    auto_submitted = (msg.get("Auto-Submitted") or "").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return f"Auto-Submitted: {auto_submitted}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Autogenerated", "X-AutoGenerated"):
        if name in msg:
            return name
    suppress = (msg.get("X-Auto-Response-Suppress") or "").lower()
    if suppress and any(flag in suppress for flag in ("all", "oof", "autoreply")):
        return f"X-Auto-Response-Suppress: {suppress}"
    precedence = (msg.get("Precedence") or "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply", "auto-reply"):
        return f"Precedence: {precedence}"
    for name in ("List-Id", "List-Unsubscribe", "X-Loop", "Feedback-ID"):
        if name in msg:
            return name
    if msg.get_content_type() == "multipart/report":
        return "report: " + (msg.get_param("report-type") or "unknown")
    if AUTO_REPLY_SUBJECT.search(parsed.subject):
        return "auto-reply subject"
    if parsed.null_sender:
        return "null return path"
    return None


def _bounce(msg: Message, parsed: ParsedMail) -> Bounce | None:
    local_part = parsed.from_email.split("@")[0]
    from_daemon = parsed.null_sender or local_part in BOUNCE_SENDERS
    if msg.get_content_type() == "multipart/report":
        if (msg.get_param("report-type") or "").lower() != "delivery-status":
            return None
        return _report_bounce(msg, parsed)
    if from_daemon and BOUNCE_SUBJECT.search(parsed.subject) \
            and not _answer_about_delivery(msg, parsed, local_part):
        originals = _attached_message_ids(msg) + _quoted_message_ids(parsed.text) + parsed.thread_ids
        return Bounce(action="failed", original_message_ids=_unique(originals),
                      diagnostic=parsed.text[:500] or None)
    return None


def _answer_about_delivery(msg: Message, parsed: ParsedMail, local_part: str) -> bool:
    """Mail whose subject speaks of delivery but that answers a message: a reply or forward ("Re: mail
    delivery problems", even from a postmaster), or a person's auto-reply sent with the null sender, as
    Exchange, Zimbra and Sieve send them ("Mail delivery to me is paused"). A bounce's subject opens
    with its own words, and its sender is a mail daemon."""
    if "X-Failed-Recipients" in msg:
        return False
    if REPLY_PREFIX.match(parsed.subject) or AUTO_REPLY_SUBJECT.search(parsed.subject):
        return True
    auto_submitted = (msg.get("Auto-Submitted") or "").strip().lower()
    return local_part not in BOUNCE_SENDERS and auto_submitted.startswith("auto-replied")


def _report_bounce(msg: Message, parsed: ParsedMail) -> Bounce:
    actions, recipients, diagnostic = [], [], None
    for part in _leaves_and_status(msg):
        for block in part:
            action = (block.get("Action") or "").strip().lower()
            if action:
                actions.append(action)
            recipient = block.get("Final-Recipient") or block.get("Original-Recipient")
            if recipient:
                recipients.append(clean(str(recipient)).split(";")[-1].strip())
            diagnostic = diagnostic or (clean(str(block.get("Diagnostic-Code"))) if block.get("Diagnostic-Code")
                                        else None)
    action = "failed" if "failed" in actions or not actions else actions[0]
    originals = _attached_message_ids(msg) + parsed.thread_ids + _quoted_message_ids(parsed.text)
    return Bounce(action=action, original_message_ids=_unique(originals), recipients=recipients,
                  diagnostic=diagnostic)


def _leaves_and_status(msg: Message):
    """The blocks of each message/delivery-status part (compat32 parses them as header blocks)."""
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        if isinstance(payload, list):
            yield [block for block in payload if isinstance(block, Message)]
        elif isinstance(payload, str):
            yield [email.message_from_string(chunk) for chunk in re.split(r"\r?\n\r?\n", payload) if chunk.strip()]


def _attached_message_ids(msg: Message) -> list[str]:
    found = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else None
            if isinstance(inner, Message) and inner.get("Message-ID"):
                found.append(normalize_message_id(inner.get("Message-ID")))
        elif ctype in ("text/rfc822-headers", "message/rfc822-headers"):
            headers = email.message_from_bytes(_payload_bytes(part), policy=compat32)
            if headers.get("Message-ID"):
                found.append(normalize_message_id(headers.get("Message-ID")))
    return [value for value in found if value]


def _quoted_message_ids(text: str) -> list[str]:
    found = re.findall(r"^\s*>?\s*Message-I[Dd]\s*:\s*(<[^<>\s]+>)", text, re.MULTILINE)
    return [value for value in (normalize_message_id(token) for token in found) if value]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))
