"""Inbound channels posted by machines: /inbound/email/<client_slug>[/provider].

No session, no CSRF: each request proves itself by its signature or basic auth,
checked against the client named in the URL. Answers are JSON; the outcome
says what became of the message (created, appended, duplicate, bounce,
ignored, rate_limited, quarantined). Any 2xx means we kept the message.

A sender that does not need the outcome asks for ``Prefer: respond-async``
(RFC 7240): the message is kept, a worker files it moments later, and the
answer is 202 "accepted" with ``Preference-Applied: respond-async``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select

from helpdesk.errors import AppError, NotFound, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from helpdesk.extensions import csrf, db
from helpdesk.mail.providers import POSTMARK_SOURCE, form_fields
from helpdesk.models import Client
from helpdesk.services import email_ingest, signatures
from helpdesk.services.email_ingest import IngestResult
from helpdesk.services.ttl_cache import app_cache

bp = Blueprint("inbound", __name__, url_prefix="/inbound")
csrf.exempt(bp)

STATUS_BY_OUTCOME = {"created": 201, "quarantined": 202, "rate_limited": 202, "accepted": 202}
RAW_MIME_TYPES = ("message/rfc822", "application/octet-stream", "text/plain")


@dataclass(frozen=True)
class InboundClient:
    """What a signed post needs of its client; cached briefly, like API keys."""

    id: int
    slug: str
    inbound_webhook_secret: str
    mailgun_signing_key: str | None
    inbound_basic_auth_sha256: str | None


def active_client(slug: str) -> InboundClient:
    client = app_cache("inbound-clients", 10).get_or_load(slug, lambda: _load_client(slug))
    if client is None:
        raise NotFound(f"No client company {slug!r}.", {"client_slug": [slug]})
    return client


def _load_client(slug: str) -> InboundClient | None:
    client = db.session.scalar(select(Client).where(Client.slug == slug, Client.active.is_(True)))
    if client is None:
        return None
    return InboundClient(client.id, client.slug, client.inbound_webhook_secret, client.mailgun_signing_key,
                         client.inbound_basic_auth_sha256)


def _limited_body() -> bytes:
    limit = current_app.config["MAIL_MAX_BYTES"]
    if request.content_length is not None and request.content_length > limit + 1024 * 1024:
        raise PayloadTooLarge(f"The message exceeds the {limit} byte limit.", {"max_bytes": limit})
    return request.get_data(cache=True)


def _check_size(raw: bytes) -> bytes:
    limit = current_app.config["MAIL_MAX_BYTES"]
    if len(raw) > limit:
        raise PayloadTooLarge(f"The message is {len(raw)} bytes; the limit is {limit}.", {"max_bytes": limit})
    return raw


def _wants_async() -> bool:
    preferences = {token.strip().split("=", 1)[0].lower()
                   for value in request.headers.getlist("Prefer") for token in value.split(",")}
    return "respond-async" in preferences


def _ingest(client_id: int, raw: bytes, source: str, content_type: str = "message/rfc822"):
    if _wants_async():
        result = email_ingest.accept(client_id, raw, source, content_type=content_type)
        response = _answer(result)
        response.headers["Preference-Applied"] = "respond-async"
        return response
    return _answer(email_ingest.receive(client_id, raw, source, content_type=content_type))


def _answer(result: IngestResult):
    body = {"outcome": result.outcome, "inbound_id": result.raw_id, "ticket_id": result.ticket_id,
            "message_id": result.message_id, "reason": result.reason}
    response = jsonify(body)
    response.status_code = STATUS_BY_OUTCOME.get(result.outcome, 200)
    return response


@bp.post("/email/<client_slug>")
def email_signed(client_slug: str):
    """The raw message as the body, signed by Standard Webhooks with the client's inbound secret."""
    client = active_client(client_slug)
    raw = _limited_body()
    signatures.verify_standard_webhook([client.inbound_webhook_secret], request.headers, raw)
    if request.mimetype not in RAW_MIME_TYPES:
        raise UnsupportedMediaType("Send the raw message as message/rfc822.", {"content_type": [request.mimetype]})
    return _ingest(client.id, _check_size(raw), "http")


def _form_field(fields: dict[str, bytes], name: str, hint: str) -> bytes:
    value = fields.get(name)
    if not value:
        raise ValidationFailed(f"The form has no {name!r} field.", {name: [hint]})
    return value


@bp.post("/email/<client_slug>/mailgun")
def email_mailgun(client_slug: str):
    """Mailgun route forwarding to a URL ending in "mime": the message in ``body-mime``."""
    client = active_client(client_slug)
    fields = form_fields(request.content_type or "", _limited_body())
    text = {name: fields.get(name, b"").decode("utf-8", "replace") for name in ("timestamp", "token", "signature")}
    signatures.verify_mailgun(client.mailgun_signing_key, text["timestamp"], text["token"], text["signature"])
    raw = _form_field(fields, "body-mime", "Point the route at a URL ending in 'mime' (raw MIME).")
    return _ingest(client.id, _check_size(raw), "mailgun")


@bp.post("/email/<client_slug>/sendgrid")
def email_sendgrid(client_slug: str):
    """SendGrid Inbound Parse in raw mode: the message in ``email``; basic auth from the URL."""
    client = active_client(client_slug)
    signatures.verify_basic_auth(client.inbound_basic_auth_sha256, request.authorization)
    fields = form_fields(request.content_type or "", _limited_body())
    raw = _form_field(fields, "email", "Tick 'POST the raw, full MIME message' in the Inbound Parse settings.")
    return _ingest(client.id, _check_size(raw), "sendgrid")


@bp.post("/email/<client_slug>/postmark")
def email_postmark(client_slug: str):
    """Postmark inbound webhook JSON; basic auth from the URL."""
    client = active_client(client_slug)
    signatures.verify_basic_auth(client.inbound_basic_auth_sha256, request.authorization)
    raw = _check_size(_limited_body())
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise AppError("The body is not valid JSON.", {"json": ["Invalid JSON body."]}) from None
    if not isinstance(data, dict) or not (data.get("From") or data.get("FromFull")):
        raise ValidationFailed("This is not a Postmark inbound message.", {"From": ["Missing."]})
    return _ingest(client.id, raw, POSTMARK_SOURCE, content_type="application/json")
