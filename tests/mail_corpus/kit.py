"""Building blocks for the corpus fixtures (stdlib only, deterministic).

A fixture is written the way the mail program puts it on the wire: a literal
header section and body, with LF in the source turned into CRLF. Helpers encode
bodies (base64, quoted-printable) and headers (RFC 2047) by hand so a fixture
shows exactly the bytes a mail program sends, quirks included.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import textwrap
from dataclasses import dataclass, field

ACME = "support@acme.example"
GLOBEX = "help@globex.example"
ALICE = "alice@customer.example"
BOB = "bob@customer.example"

# The anchors the harness files first (ACME-1 open, ACME-2 closed, GLOBEX-1) and our replies on them.
ANCHOR_1 = "<anchor-1@customer.example>"
ANCHOR_CLOSED = "<anchor-closed@customer.example>"
GLOBEX_ANCHOR = "<globex-anchor@customer.example>"
OUT_ACME = "<hd.acme.anchor-out@helpdesk.test>"
OUT_GLOBEX = "<hd.globex.anchor-out@helpdesk.test>"

DATE = "Tue, 24 Nov 2026 09:15:02 +0100"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass
class Fixture:
    slug: str
    raw: bytes
    expect: dict = field(default_factory=dict)


def fixture(slug: str, raw: bytes | str, description: str, outcome: str, **expect) -> Fixture:
    data = wire(raw) if isinstance(raw, str) else raw
    return Fixture(slug, data, {"description": description, "outcome": outcome, **expect})


def wire(text: str, encoding: str = "utf-8") -> bytes:
    """A fixture written with LF in the source, as CRLF bytes on the wire."""
    body = textwrap.dedent(text).lstrip("\n")
    return body.replace("\r\n", "\n").replace("\n", "\r\n").encode(encoding)


def join(*pieces: bytes | str) -> bytes:
    """Mixed text and raw bytes (a body in a legacy charset) joined, text given CRLF ends."""
    out = []
    for piece in pieces:
        out.append(piece.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8") if isinstance(piece, str)
                   else piece)
    return b"".join(out)


def b64(data: bytes | str, charset: str = "utf-8", width: int = 76) -> str:
    raw = data.encode(charset) if isinstance(data, str) else data
    encoded = base64.b64encode(raw).decode("ascii")
    return "\n".join(encoded[i:i + width] for i in range(0, len(encoded), width)) or ""


def qp(text: str, charset: str = "utf-8") -> str:
    encoded = quopri.encodestring(text.replace("\r\n", "\n").encode(charset)).decode("ascii")
    return encoded


def word_b(text: str, charset: str = "utf-8") -> str:
    """An RFC 2047 B encoded word."""
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode('ascii')}?="


def word_q(text: str, charset: str = "utf-8") -> str:
    """An RFC 2047 Q encoded word."""
    encoded = binascii.b2a_qp(text.encode(charset), header=True).decode("ascii")
    return f"=?{charset}?Q?{encoded.replace('?', '=3F')}?="


def headers(*, sender: str = f"Alice Customer <{ALICE}>", to: str = ACME, subject: str = "Printer on fire",
            message_id: str, date: str = DATE, in_reply_to: str | None = None, references: str | None = None,
            extra: str = "") -> str:
    """A plain header block (no MIME headers); ``extra`` lines go after the standard ones."""
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}", f"Date: {date}", f"Message-ID: {message_id}"]
    if in_reply_to:
        lines.append(f"In-Reply-To: {in_reply_to}")
    if references:
        lines.append(f"References: {references}")
    block = "\n".join(lines)
    extra = textwrap.dedent(extra).strip("\n")
    return block + ("\n" + extra if extra else "")


def simple(body: str, *, charset: str = "utf-8", cte: str = "7bit", **header_args) -> str:
    """A single text/plain message as a string fixture."""
    return (headers(**header_args) + "\nMIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset={charset}\nContent-Transfer-Encoding: {cte}\n\n"
            + textwrap.dedent(body).lstrip("\n"))
