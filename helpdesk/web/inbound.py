"""Inbound channels posted by machines: email, phone call logs and client webhooks.

- ``/inbound/email/<client_slug>[/mailgun|/sendgrid|/postmark]``
- ``/inbound/phone/<client_slug>/twilio`` (Twilio status callbacks) and
  ``/inbound/phone/<client_slug>`` (a signed JSON call log from any system)
- ``/inbound/webhook/<client_slug>`` (the client's own system creates and updates tickets)

No session, no CSRF: each request proves itself by its signature or basic auth,
checked against the client named in the URL. Answers are JSON; the outcome
says what became of the message (created, appended, duplicate, bounce,
ignored, rate_limited, quarantined). Any 2xx means we kept the message.

A sender that does not need the outcome asks for ``Prefer: respond-async``
(RFC 7240): the message is kept, a worker files it moments later, and the
answer is 202 "accepted" with ``Preference-Applied: respond-async``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, jsonify, request
from marshmallow import Schema
from marshmallow import ValidationError as SchemaError
from sqlalchemy import select

from helpdesk.channels import raw as inbound_raw
from helpdesk.channels import signatures
from helpdesk.channels.email import ingest as email_ingest
from helpdesk.channels.email.ingest import IngestResult
from helpdesk.channels.email.providers import POSTMARK_SOURCE, form_fields
from helpdesk.channels.phone import calls as phone
from helpdesk.channels.phone.adapters import call_update, twilio_call_update
from helpdesk.channels.phone.schemas import CallLogIn
from helpdesk.channels.webhooks import inbound as client_webhooks
from helpdesk.channels.webhooks.schemas import WebhookTicket
from helpdesk.client.models import Client
from helpdesk.errors import AppError, NotFound, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from helpdesk.extensions import csrf, db
from helpdesk.platform.cache import app_cache
from helpdesk.request_input import load_json

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
    twilio_auth_token: str | None


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
                         client.inbound_basic_auth_sha256, client.twilio_auth_token)


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
    data = _json_document(raw)
    if not isinstance(data, dict) or not (data.get("From") or data.get("FromFull")):
        raise ValidationFailed("This is not a Postmark inbound message.", {"From": ["Missing."]})
    return _ingest(client.id, raw, POSTMARK_SOURCE, content_type="application/json")


# --- phone and client webhooks ---------------------------------------------------

JSON_MAX_BYTES = 1024 * 1024


def _json_document(raw: bytes):
    try:
        return load_json(raw)
    except ValueError:
        raise AppError("The body is not valid JSON.", {"json": ["Invalid JSON body."]}) from None


def _json_body(raw: bytes, schema: Schema) -> dict:
    if len(raw) > JSON_MAX_BYTES:
        raise PayloadTooLarge(f"The body is {len(raw)} bytes; the limit is {JSON_MAX_BYTES}.",
                              {"max_bytes": JSON_MAX_BYTES})
    document = _json_document(raw)
    if not isinstance(document, dict):
        raise ValidationFailed("The body must be a JSON object.", {"_schema": ["Expected an object."]})
    try:
        return schema.load(document)
    except SchemaError as error:
        raise ValidationFailed("The body does not match the schema.", error.messages) from None


def _stored_then(client_id: int, raw: bytes, source: str, content_type: str, record):
    """Keep the raw input, then record it; an unexpected failure quarantines it (202), never a 500."""
    row_id = inbound_raw.store_raw(client_id, raw, source, content_type, channel="phone")
    try:
        result = record()
    except AppError:
        db.session.rollback()
        inbound_raw.settle(row_id, "rejected", "refused with a client error")
        raise
    except Exception as exc:  # noqa: BLE001 - kept in the quarantine with the reason, for an admin
        db.session.rollback()
        inbound_raw.settle(row_id, "quarantined", f"processing failed: {type(exc).__name__}: {exc}"[:1000])
        return jsonify({"outcome": "quarantined", "inbound_id": row_id}), 202
    inbound_raw.settle(row_id, result.outcome, None, ticket_id=result.ticket_id)
    return jsonify({**result.as_dict(), "inbound_id": row_id}), 201 if result.outcome == "ticket_created" else 200


def _public_url() -> str:
    """The URL the sender signed: PUBLIC_URL when we sit behind a proxy, else the one we saw."""
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        return request.url
    query = request.query_string.decode("latin-1")
    return base.rstrip("/") + request.path + (f"?{query}" if query else "")


@bp.post("/phone/<client_slug>/twilio")
def phone_twilio(client_slug: str):
    """Twilio voice status callbacks (and recording callbacks), signed with X-Twilio-Signature."""
    client = active_client(client_slug)
    raw = _limited_body()
    params = request.form.to_dict(flat=False)
    signature = request.headers.get("X-Twilio-Signature")
    signatures.verify_twilio(client.twilio_auth_token, _public_url(), params, signature)
    update = twilio_call_update(request.form)
    content_type = request.content_type or ""
    return _stored_then(client.id, raw, "twilio", content_type, lambda: phone.record_call(client.id, update))


@bp.post("/phone/<client_slug>")
def phone_json(client_slug: str):
    """A call from any telephony system as JSON, signed by Standard Webhooks."""
    client = active_client(client_slug)
    raw = _limited_body()
    signatures.verify_standard_webhook([client.inbound_webhook_secret], request.headers, raw)
    update = call_update("json", _json_body(raw, CallLogIn()))
    return _stored_then(client.id, raw, "json", "application/json", lambda: phone.record_call(client.id, update))


@bp.post("/webhook/<client_slug>")
def client_webhook(client_slug: str):
    """The client's system creates or updates the ticket it calls ``external_id``."""
    client = active_client(client_slug)
    raw = _limited_body()
    webhook_id = signatures.verify_standard_webhook([client.inbound_webhook_secret], request.headers, raw)
    answer = client_webhooks.receive(client.id, webhook_id, raw, _json_body(raw, WebhookTicket()))
    response = jsonify(answer.body)
    response.status_code = answer.status
    if answer.replayed:
        response.headers["Webhook-Replayed"] = "true"
    return response
