"""Building and posting test mail (shared by the email test modules)."""

from __future__ import annotations

import email
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid

from helpdesk.channels.signatures import standard_webhooks_signature
from helpdesk.extensions import db
from helpdesk.models import Client
from tests import factories


def make_mail(subject: str = "Printer on fire", body: str = "It is on fire.\n", *,
              sender: str = "Alice Customer <alice@customer.example>", to: str = "support@acme.example",
              message_id: str | None = None, in_reply_to: str | None = None, references: str | None = None,
              headers: dict | None = None, html: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id or make_msgid(domain="customer.example")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    return message.as_bytes(policy=SMTP)  # CRLF line ends, as on the wire


def signed_headers(secret: str, body: bytes, msg_id: str | None = None, timestamp: int | None = None) -> dict:
    msg_id = msg_id or f"msg_{time.time_ns()}"
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": standard_webhooks_signature(secret, msg_id, timestamp, body),
            "Content-Type": "message/rfc822"}


def make_mail_client(slug: str = "acme", address: str | None = None, **kwargs) -> Client:
    if not kwargs.pop("skip_region", False):
        factories.make_region()
    client_id, api_key = factories.make_client(slug, support_email=address or f"support@{slug}.example", **kwargs)
    client = db.session.get(Client, client_id)
    client.test_api_key = api_key  # shown once at creation; tests keep it on the object
    return client


def post_mail(http, client: Client, raw: bytes, **header_overrides):
    headers = signed_headers(client.inbound_webhook_secret, raw)
    headers.update(header_overrides)
    return http.post(f"/inbound/email/{client.slug}", data=raw, headers=headers)


class CaptureHandler:
    """Stands in for the customer's mail server: keeps what it receives, or refuses a recipient."""

    def __init__(self) -> None:
        self.received: list[email.message.EmailMessage] = []
        self.refuse_recipients = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse_recipients:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK: queued"


class MailCapture:
    """An aiosmtpd handler keeping every message it is sent (parsed), for mail we send out."""

    def __init__(self) -> None:
        self.received: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK: queued"
