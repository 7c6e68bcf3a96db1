"""Client companies (tenants): creation, API keys, secrets."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime

import phonenumbers
from flask import current_app
from redis.exceptions import RedisError, ResponseError
from sqlalchemy import select, update

from helpdesk import audit
from helpdesk.channels import signatures
from helpdesk.client.models import ApiKey, Client, PortalUser, SupportAddress
from helpdesk.errors import Conflict, NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.platform import counters, security
from helpdesk.platform.cache import app_cache
from helpdesk.platform.db import utcnow
from helpdesk.platform.tenancy import TenantScope
from helpdesk.routing.models import Calendar, Region
from workers.queues import get_redis

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


@dataclass
class NewClient:
    client: Client
    api_key: str


def create_client(name: str, slug: str, *, timezone: str = "UTC", languages: list[str] | None = None,
                  support_email: str | None = None, region_slugs: list[str] | None = None,
                  holiday_country: str | None = None) -> NewClient:
    if not SLUG_RE.match(slug):
        raise ValidationFailed("Invalid slug.", {"slug": ["Use 2-63 lowercase letters, digits and dashes."]})
    if db.session.scalar(select(Client.id).where(Client.slug == slug)):
        raise Conflict(f"A client with slug {slug!r} exists.", {"slug": [slug]})
    calendar = Calendar(name=f"{name} business hours", timezone=timezone, holiday_country=holiday_country)
    client = Client(
        name=name, slug=slug, ticket_prefix=re.sub(r"[^A-Z0-9]", "", slug.upper())[:8] or "T",
        inbound_webhook_secret=security.new_webhook_secret(), calendar=calendar,
        languages=languages or ["en"], default_language=(languages or ["en"])[0],
    )
    if region_slugs:
        client.allowed_regions = list(db.session.scalars(select(Region).where(Region.slug.in_(region_slugs))))
    db.session.add(client)
    db.session.flush()
    counters.create_counters(client.id)
    db.session.add(SupportAddress(client_id=client.id, email=support_email or f"support@{slug}.example",
                                  is_default=True))
    key = _add_api_key(client.id, "default")
    db.session.commit()
    return NewClient(client, key)


def _add_api_key(client_id: int, name: str) -> str:
    full, prefix, key_hash = security.new_api_key()
    db.session.add(ApiKey(client_id=client_id, name=name, prefix=prefix, key_hash=key_hash, created_at=utcnow()))
    return full


def create_api_key(client_id: int, name: str) -> str:
    key = _add_api_key(client_id, name)
    audit.record("api_key.created", client_id=client_id, object_type="api_key", object_id=key.split("_")[1],
                 details={"name": name})
    db.session.commit()
    return key


def revoke_api_key(client_id: int, prefix: str) -> None:
    key = db.session.scalar(TenantScope.for_client(client_id).select(ApiKey, ApiKey.prefix == prefix))
    if key is None:
        raise NotFound("No such API key.")
    key.revoked_at = utcnow()
    audit.record("api_key.revoked", client_id=client_id, object_type="api_key", object_id=prefix,
                 details={"name": key.name})
    db.session.commit()
    app_cache("api_keys", API_KEY_CACHE_SECONDS).clear()


@dataclass(frozen=True)
class ApiCredential:
    key_id: int
    client_id: int


# Verified keys are remembered briefly so an API call costs no key lookup; a
# revocation is immediate in the revoking process and within this many seconds
# in the others.
API_KEY_CACHE_SECONDS = 10


def authenticate_api_key(presented: str) -> ApiCredential | None:
    parts = security.split_api_key(presented)
    if parts is None:
        return None
    cache = app_cache("api_keys", API_KEY_CACHE_SECONDS)
    return cache.get_or_load(security.hash_secret(presented), lambda: _verify_api_key(*parts))


def _verify_api_key(prefix: str, secret: str) -> ApiCredential | None:
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None or key.revoked_at is not None or not security.secret_matches(secret, key.key_hash):
        return None
    if not key.client.active:
        return None
    return ApiCredential(key.id, key.client_id)


# api_keys.last_used_at is written at most once a minute per key, and never on the request
# path: a request notes the use in Redis (at most once a minute per key and process), and
# the periodic job ``flush_key_use`` writes what was noted.
KEY_USE_HASH = "api_keys:last_used"
KEY_USE_EVERY_SECONDS = 60


def note_key_use(key_id: int) -> None:
    noted = current_app.extensions.setdefault("helpdesk_key_use", {})
    now = time.monotonic()
    if now - noted.get(key_id, -KEY_USE_EVERY_SECONDS) < KEY_USE_EVERY_SECONDS:
        return
    try:
        get_redis().hset(KEY_USE_HASH, str(key_id), utcnow().isoformat())
        noted[key_id] = now
    except RedisError:
        pass  # a lost "last used" never fails a request


def flush_key_use() -> int:
    """Write the noted uses to ``api_keys.last_used_at``; returns how many keys were updated."""
    connection = get_redis()
    taking = f"{KEY_USE_HASH}:flushing"
    try:
        connection.rename(KEY_USE_HASH, taking)
    except ResponseError:  # nothing noted since the last flush
        return 0
    noted = connection.hgetall(taking)
    for key_id, used_at in noted.items():
        db.session.execute(update(ApiKey).where(ApiKey.id == int(key_id))
                           .values(last_used_at=datetime.fromisoformat(used_at.decode())))
    db.session.commit()
    connection.delete(taking)
    return len(noted)


def set_active(client_id: int, active: bool) -> None:
    """Suspend or resume a client company; a suspended client's keys stop working."""
    client = db.session.get(Client, client_id)
    if client is None:
        raise NotFound("No such client.")
    client.active = active
    db.session.commit()
    forget_cached_credentials()


def forget_cached_credentials() -> None:
    """This process stops trusting cached keys and secrets at once (others within seconds)."""
    for name in ("api_keys", "inbound-clients", "support-addresses"):
        app_cache(name, API_KEY_CACHE_SECONDS).clear()


def configure_phone(slug: str, *, twilio_auth_token: str | None = None, default_region: str | None = None) -> Client:
    """The Twilio auth token that signs a client's callbacks, and the region for national numbers."""
    client = by_slug(slug)
    if twilio_auth_token is not None:
        client.twilio_auth_token = twilio_auth_token or None
    if default_region is not None:
        region = default_region.upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValidationFailed(f"{default_region!r} is not a phone region.",
                                   {"default_region": ["Use an ISO country code such as US, PH or PL."]})
        client.default_phone_region = region
    db.session.commit()
    forget_cached_credentials()
    return client


def by_slug(slug: str) -> Client:
    """The client company with this slug; NotFound otherwise."""
    client = db.session.scalar(select(Client).where(Client.slug == slug))
    if client is None:
        raise NotFound(f"No client company {slug!r}.", {"client": [slug]})
    return client


def configure_email(slug: str, *, mailgun_signing_key: str | None = None, basic_auth: str | None = None,
                    auto_ack: bool | None = None, auto_ack_body: str | None = None,
                    support_address: str | None = None) -> Client:
    """Inbound provider credentials, acknowledgement and extra support addresses of a client."""
    client = by_slug(slug)
    if mailgun_signing_key is not None:
        client.mailgun_signing_key = mailgun_signing_key or None
    if basic_auth is not None:
        username, separator, password = basic_auth.partition(":")
        if not (username and separator and password):
            raise ValidationFailed("Give basic auth as user:password.", {"basic_auth": ["Use user:password."]})
        client.inbound_basic_auth_sha256 = signatures.basic_auth_digest(username, password)
    if auto_ack is not None:
        client.auto_ack_enabled = auto_ack
    if auto_ack_body is not None:
        client.auto_ack_body = auto_ack_body or None
    if support_address:
        address = support_address.strip().lower()
        if db.session.scalar(select(SupportAddress.id).where(SupportAddress.email == address)):
            raise Conflict(f"{address} is already a support address.", {"support_address": [address]})
        db.session.add(SupportAddress(client_id=client.id, email=address))
    db.session.commit()
    forget_cached_credentials()
    return client


def portal_admin_emails(client_id: int) -> list[str]:
    """Where a client's operational notices go (a disabled webhook endpoint, for one): its portal admins."""
    return list(db.session.scalars(select(PortalUser.email).where(
        PortalUser.client_id == client_id, PortalUser.role == "admin", PortalUser.active.is_(True),
        PortalUser.password_hash.isnot(None)).order_by(PortalUser.id)))
