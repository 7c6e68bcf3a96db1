"""The MIME message we send: threading headers that every mail program honours."""

from __future__ import annotations

import email
import secrets
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.policy import default as default_policy
from email.utils import format_datetime

from helpdesk.channels.email.mime.headers import one_line
from helpdesk.platform.db import utcnow


@dataclass
class Outgoing:
    from_address: str
    from_name: str | None
    to_address: str
    to_name: str | None
    subject: str
    text: str
    html: str | None
    message_id: str
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    automatic: bool = False
    ticket_reference: str | None = None


def new_message_id(client_slug: str, message_id: int, domain: str) -> str:
    return f"<hd.{client_slug}.{message_id}.{secrets.token_hex(4)}@{domain}>".lower()


def subject_with_token(subject: str, reference: str, *, reply: bool) -> str:
    token = f"[#{reference}]"
    if token.lower() in subject.lower():
        return subject if (not reply or subject.lower().startswith("re:")) else f"Re: {subject}"
    return f"{'Re: ' if reply else ''}{token} {subject}"


def mailbox(name: str | None, address: str) -> Address:
    """The address with its display name, if the name survives folding.

    Python 3.11's header folder splits a long display name that holds specials
    (such as "<", ">" or ";") across lines without quoting it, so a name like
    'Cy <img src=x ...><script>...' would come out as a different address. Such a
    name is dropped: the mail still reaches the right mailbox.
    """
    mailbox = Address(display_name=one_line(name or ""), addr_spec=address)
    probe = EmailMessage(policy=SMTP)
    probe["To"] = mailbox
    parsed = email.message_from_bytes(probe.as_bytes(), policy=default_policy)["To"].addresses
    if len(parsed) == 1 and parsed[0].addr_spec == mailbox.addr_spec:
        return mailbox
    return Address(addr_spec=address)


def compose(out: Outgoing) -> EmailMessage:
    """Raises ValueError for an address no mail server could take (a permanent failure)."""
    message = EmailMessage(policy=SMTP)
    message["From"] = mailbox(out.from_name, out.from_address)
    message["To"] = mailbox(out.to_name, out.to_address)
    message["Subject"] = one_line(out.subject)  # rows stored before single-line checks may hold CR/LF
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = out.message_id
    if out.in_reply_to:
        message["In-Reply-To"] = out.in_reply_to
    if out.references:
        message["References"] = " ".join(out.references[-20:])
    if out.automatic:
        # RFC 3834: other systems must not answer this automatically (no loops).
        message["Auto-Submitted"] = "auto-replied"
        message["X-Auto-Response-Suppress"] = "All"
    if out.ticket_reference:
        message["X-Helpdesk-Ticket"] = out.ticket_reference
    message.set_content(out.text or " ")
    if out.html:
        message.add_alternative(out.html, subtype="html")
    return message
