"""Verifying signed inbound posts: Standard Webhooks, Twilio, Mailgun, and HTTP basic auth.

Written once here; every inbound channel (email, phone, client webhooks) uses it.
Failures raise ``Unauthorized`` (401) with a reason a sender's engineer can act on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterable, Mapping

from helpdesk.errors import Unauthorized

TOLERANCE_SECONDS = 5 * 60
SECRET_PREFIX = "whsec_"


def _secret_bytes(secret: str) -> bytes:
    if secret.startswith(SECRET_PREFIX):
        return base64.b64decode(secret[len(SECRET_PREFIX):])
    return secret.encode()


def standard_webhooks_signature(secret: str, msg_id: str, timestamp: int | str, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``: what a sender puts in ``webhook-signature``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_secret_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _check_timestamp(raw: str | None, now: float | None, tolerance: int) -> int:
    try:
        stamp = int(raw or "")
    except ValueError:
        raise Unauthorized("The signature timestamp is missing or not a number.",
                           {"webhook-timestamp": ["Give Unix seconds."]}) from None
    now = time.time() if now is None else now
    if abs(now - stamp) > tolerance:
        raise Unauthorized("The signature timestamp is outside the tolerance; check the sender's clock.",
                           {"webhook-timestamp": [f"More than {tolerance} seconds from now."]})
    return stamp


def verify_standard_webhook(secrets: Iterable[str], headers: Mapping[str, str], body: bytes, *,
                            now: float | None = None, tolerance: int = TOLERANCE_SECONDS) -> str:
    """Check ``webhook-id/-timestamp/-signature``; returns the webhook id.

    The signature header may carry several space-separated ``v1,...`` values (a
    sender rotating its key signs with both); any one matching any of our secrets passes.
    """
    msg_id = headers.get("webhook-id")
    signature_header = headers.get("webhook-signature")
    if not msg_id or not signature_header:
        raise Unauthorized("The request is not signed.",
                           {"webhook-signature": ["Send webhook-id, webhook-timestamp and webhook-signature."]})
    timestamp = _check_timestamp(headers.get("webhook-timestamp"), now, tolerance)
    offered = [part for part in signature_header.split() if part.startswith("v1,")]
    for secret in secrets:
        expected = standard_webhooks_signature(secret, msg_id, timestamp, body)
        if any(hmac.compare_digest(expected, candidate) for candidate in offered):
            return msg_id
    raise Unauthorized("The signature does not match.", {"webhook-signature": ["No v1 signature matches."]})


def twilio_signature(auth_token: str, url: str, params: Mapping[str, Iterable[str]]) -> str:
    """Twilio's ``X-Twilio-Signature``: base64 HMAC-SHA1 of the full URL followed by every POST
    parameter name and value, names sorted (a repeated name's distinct values sorted too)."""
    signed = url + "".join(name + value for name in sorted(params) for value in sorted(set(params[name])))
    return base64.b64encode(hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()).decode()


def verify_twilio(auth_token: str | None, url: str, params: Mapping[str, Iterable[str]],
                  signature: str | None) -> None:
    if not auth_token:
        raise Unauthorized("Twilio is not set up for this client.", {"twilio": ["No auth token."]})
    if not signature:
        raise Unauthorized("The request is not signed.", {"X-Twilio-Signature": ["Missing."]})
    if not hmac.compare_digest(twilio_signature(auth_token, url, params), signature):
        raise Unauthorized("The Twilio signature does not match; is the webhook URL exactly this one?",
                           {"X-Twilio-Signature": ["Mismatch."], "url": [url]})


def mailgun_signature(signing_key: str, timestamp: str, token: str) -> str:
    return hmac.new(signing_key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()


def verify_mailgun(signing_key: str | None, timestamp: str | None, token: str | None, signature: str | None,
                   *, now: float | None = None, tolerance: int = TOLERANCE_SECONDS) -> None:
    """Mailgun: hex HMAC-SHA256 of ``timestamp + token`` with the webhook signing key."""
    if not signing_key:
        raise Unauthorized("Mailgun is not set up for this client.", {"mailgun": ["No signing key."]})
    if not (timestamp and token and signature):
        raise Unauthorized("The Mailgun signature fields are missing.",
                           {"signature": ["Send timestamp, token and signature."]})
    _check_timestamp(timestamp, now, tolerance)
    if not hmac.compare_digest(mailgun_signature(signing_key, timestamp, token), signature):
        raise Unauthorized("The Mailgun signature does not match.", {"signature": ["Mismatch."]})


def basic_auth_digest(username: str, password: str) -> str:
    return hashlib.sha256(f"{username}:{password}".encode()).hexdigest()


def verify_basic_auth(expected_sha256: str | None, authorization: Mapping | None) -> None:
    """SendGrid and Postmark put ``user:password@`` in the URL we give them: HTTP basic auth."""
    if not expected_sha256:
        raise Unauthorized("Basic-auth inbound is not set up for this client.", {"authorization": ["Not set up."]})
    if authorization is None or authorization.get("username") is None:
        raise Unauthorized("Basic authentication is required.", {"authorization": ["Missing."]})
    given = basic_auth_digest(authorization.get("username") or "", authorization.get("password") or "")
    if not hmac.compare_digest(given, expected_sha256):
        raise Unauthorized("The basic-auth credentials are wrong.", {"authorization": ["Mismatch."]})
