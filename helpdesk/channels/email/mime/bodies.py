"""A message's text and HTML bodies and its attachments (inline images, forwarded messages), and the
HTML sanitising for mail shown to agents."""

from __future__ import annotations

import binascii
import contextlib
import email
import mimetypes
import re
from email import errors
from email.message import Message
from email.policy import compat32

import nh3

from helpdesk.channels.email.mime.charsets import decode_bytes
from helpdesk.channels.email.mime.headers import clean, decode_rfc2047, header_text, normalize_message_id
from helpdesk.channels.email.mime.htmltext import html_to_text
from helpdesk.channels.email.mime.parsed import ParsedAttachment

HTML_URL_SCHEMES = nh3.ALLOWED_URL_SCHEMES | {"cid"}


def filename_of(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001 - a mangled RFC 2231 parameter is just no name
        name = None
    if name is None:
        name = part.get_param("name")
        if isinstance(name, tuple):  # RFC 2231 (charset, language, value)
            name = email.utils.collapse_rfc2231_value(name)
    return clean(decode_rfc2047(str(name))) if name else None


def payload_bytes(part: Message) -> bytes:
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


def bodies(msg: Message) -> tuple[str, str | None, list[ParsedAttachment]]:
    plain, html, attachments = [], [], []
    for part in _leaves(msg):
        ctype = part.get_content_type()
        if ctype in ("message/rfc822", "message/global"):
            attachments.append(_forwarded(part))
            continue
        filename = filename_of(part)
        if part.get_content_maintype() == "multipart":
            # Its boundary never appears: a mail client shows the raw body as text, and so do we.
            plain.append(clean(decode_bytes(payload_bytes(part), part.get_content_charset())))
            continue
        if _is_attachment(part, ctype, filename):
            attachments.append(_attachment(part, ctype, filename))
            continue
        text = clean(decode_bytes(payload_bytes(part), part.get_content_charset()))
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
                            data=payload_bytes(part), content_id=content_id, inline=inline)


def _forwarded(part: Message) -> ParsedAttachment:
    inner = part.get_payload()
    inner = inner[0] if isinstance(inner, list) and inner else None
    if isinstance(inner, Message):
        data = inner.as_bytes(policy=compat32)
        subject = " ".join(clean(header_text(inner, "Subject") or "").split())
    else:
        data, subject = payload_bytes(part), ""
    name = filename_of(part) or f"{subject or 'forwarded message'}.eml"
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
