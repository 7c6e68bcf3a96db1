"""API-key authentication, rate limits and body limits shared by every API blueprint."""

from __future__ import annotations

from flask import current_app, g, request
from flask_smorest import Blueprint

from helpdesk.client import clients
from helpdesk.errors import Unauthorized
from helpdesk.extensions import csrf, limiter
from helpdesk.platform.events import Actor
from helpdesk.platform.security import hash_secret, split_api_key
from helpdesk.platform.tenancy import TenantScope
from helpdesk.request_input import SafeFlaskParser


def rate_limit_key() -> str:
    """Limit per presented key, falling back to the caller's address.

    Keyed by a hash of the whole key, not its prefix: someone who only knows a
    key's prefix cannot spend that key's budget with wrong secrets.
    """
    token = _bearer()
    if token and split_api_key(token):
        return "key:" + hash_secret(token)[:32]
    return f"ip:{request.remote_addr}"


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def require_api_key() -> None:
    request.max_content_length = current_app.config["API_MAX_BODY_BYTES"]
    token = _bearer()
    key = clients.authenticate_api_key(token) if token else None
    if key is None:
        raise Unauthorized(
            "A valid API key is required: Authorization: Bearer <key>.",
            {"authorization": ["missing" if not token else "invalid or revoked"]},
        )
    clients.note_key_use(key.key_id)
    g.api_client_id = key.client_id
    g.scope = TenantScope.for_client(key.client_id)
    g.actor = Actor("api_key", key.key_id)


# For ``blp.doc``: the 200 answer may also be CSV (format=csv), beside the JSON the response schema documents.
CSV_TOO = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = SafeFlaskParser()


def api_blueprint(name: str, import_name: str, url_prefix: str, description: str) -> Blueprint:
    blp = ApiBlueprint(name, import_name, url_prefix=url_prefix, description=description)
    blp.before_request(require_api_key)
    # One budget per key across every API endpoint, not one per endpoint.
    limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], "api", key_func=rate_limit_key)(blp)
    csrf.exempt(blp)
    return blp
