"""SMTP in (``flask helpdesk smtp``) and the embedded outgoing-mail sink, both on aiosmtpd.

The inbound server accepts mail for any client's support address (plus-addressing
``support+anything@`` included): 550 for an unknown recipient at RCPT time, 552
over the size limit (aiosmtpd enforces it while reading DATA), 451 when the
database is unreachable so the sending server retries later. Database work runs
in a thread with an app context, off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import mailbox
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import SMTP
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from helpdesk.channels.email import ingest as email_ingest
from helpdesk.client.models import Client, SupportAddress
from helpdesk.extensions import db

log = logging.getLogger(__name__)


def _canonical(address: str) -> str:
    local, _, domain = address.strip().strip("<>").lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


class InboundHandler:
    def __init__(self, app: Flask) -> None:
        self.app = app

    def _client_for(self, address: str) -> int | None:
        with self.app.app_context():
            try:
                return db.session.scalar(
                    select(SupportAddress.client_id).join(Client)
                    .where(SupportAddress.email == _canonical(address), Client.active.is_(True))
                )
            finally:
                db.session.remove()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd API
        try:
            client_id = await asyncio.get_running_loop().run_in_executor(None, self._client_for, address)
        except SQLAlchemyError:
            log.exception("smtp: recipient lookup failed")
            return "451 4.3.0 Temporary failure, try again later"
        if client_id is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        session.__dict__.setdefault("helpdesk_clients", {})[address] = client_id
        return "250 OK"

    def _ingest(self, client_ids: list[int], raw: bytes) -> list[str]:
        with self.app.app_context():
            try:
                return [email_ingest.receive(client_id, raw, "smtp").outcome for client_id in client_ids]
            finally:
                db.session.remove()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        clients = session.__dict__.get("helpdesk_clients", {})
        client_ids = sorted({clients[address] for address in envelope.rcpt_tos if address in clients})
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            outcomes = await asyncio.get_running_loop().run_in_executor(None, self._ingest, client_ids, raw)
        except SQLAlchemyError:
            log.exception("smtp: storing the message failed")
            return "451 4.3.0 Temporary failure, try again later"
        return f"250 OK {' '.join(outcomes)}"


class _SizedController(Controller):
    def __init__(self, handler, *, data_size_limit: int, **kwargs) -> None:
        self.data_size_limit = data_size_limit
        super().__init__(handler, **kwargs)

    def factory(self):
        return SMTP(self.handler, data_size_limit=self.data_size_limit, decode_data=False,
                    hostname=self.hostname, ident="helpdesk ESMTP")


def inbound_controller(app: Flask, host: str, port: int) -> Controller:
    return _SizedController(InboundHandler(app), hostname=host, port=port,
                            data_size_limit=app.config["MAIL_MAX_BYTES"])


def sink_dir(app: Flask) -> Path:
    return Path(app.config["INSTANCE_DIR"]) / "mail-sink"


def sink_controller(app: Flask, host: str, port: int) -> Controller:
    """The embedded default's outgoing mail lands here, in a Maildir, for /admin/mail-outbox."""
    directory = sink_dir(app)
    directory.parent.mkdir(parents=True, exist_ok=True)
    mailbox.Maildir(str(directory), create=True)  # with its cur/new/tmp folders
    return _SizedController(Mailbox(str(directory)), hostname=host, port=port, data_size_limit=0)


def sink_messages(app: Flask, limit: int = 200) -> list[tuple[str, mailbox.MaildirMessage]]:
    directory = sink_dir(app)
    if not directory.exists():
        return []
    box = mailbox.Maildir(str(directory), create=False)
    items = sorted(box.iteritems(), key=lambda item: item[1].get_date(), reverse=True)
    return items[:limit]
