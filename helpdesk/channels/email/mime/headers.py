"""Header values decoded as mail programs write them: RFC 2047 words in any charset (also broken
ones), Message-IDs, addresses, the sender (and a mailing list's real author), dates."""

from __future__ import annotations

import binascii
import re
from datetime import UTC, datetime
from email.header import Header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from helpdesk.channels.email.mime.charsets import decode_bytes
from helpdesk.channels.email.mime.parsed import ParseFailure

ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
MESSAGE_ID_TOKEN = re.compile(r"<([^<>\s]+)>")
ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
CONTROL_RUN = re.compile(r"[\x00-\x1f\x7f]+")


def one_line(text: str) -> str:
    """A header value as one line: CR, LF, tabs and other control characters (decoded from an
    encoded word, or sent by a careless program) become a single space."""
    return " ".join(CONTROL_RUN.sub(" ", text).split())


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
    return one_line(decode_rfc2047(text))


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


def addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    values = msg.get_all(name) or []
    decoded = [re.sub(r"\r?\n[ \t]+", " ", clean(raw_jis(str(v)) if not isinstance(v, Header) else
                                                    decode_header_value(v))) for v in values]
    pairs = [pair for n, a in getaddresses(decoded) if "@" in a
             if (pair := _clean_pair(one_line(decode_rfc2047(n)), a.strip().lower()))]
    if not pairs:
        for value in decoded:
            pairs += [("", match.lower()) for match in ADDRESS.findall(value)]
    return pairs


def _clean_pair(name: str, address: str) -> tuple[str, str] | None:
    """The parser's pair if its address is a plain addr-spec; with unbalanced quotes it leaves
    brackets, quotes or a display name in the address, and only the address inside is kept."""
    if ADDRESS.fullmatch(address):
        return name, address
    inside = ADDRESS.search(address)
    return ("", inside.group(0)) if inside else None


def sender_of(msg: Message) -> tuple[str | None, str]:
    for name in ("From", "Sender", "Reply-To", "Return-Path"):
        pairs = addresses(msg, name)
        if pairs:
            display, address = list_author(msg, pairs[0]) if name == "From" else pairs[0]
            display = " ".join(display.strip("\"' ").split())[:200] or None
            return display, address[:320]
    raise ParseFailure("no sender address: no usable From, Sender, Reply-To or Return-Path")


def list_author(msg: Message, sender: tuple[str, str]) -> tuple[str, str]:
    """A list that put its own address in From ("Alice via Users", DMARC mitigation by Mailman and
    Google Groups) is not the author: the author is in X-Original-From (Groups) or Reply-To (Mailman).
    Only when From is the list's posting address, so a reply never goes to the whole list."""
    if "List-Id" not in msg:
        return sender
    post = " ".join(str(value) for value in msg.get_all("List-Post") or [])
    if sender[1] not in {address.lower() for address in re.findall(r"mailto:([^>?,\s]+)", post)}:
        return sender
    for name in ("X-Original-From", "Reply-To"):
        for pair in addresses(msg, name):
            if pair[1] != sender[1]:
                return pair
    return sender


def parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    return (parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed).astimezone(UTC)


def unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))
