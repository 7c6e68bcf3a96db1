"""Client companies as admins set them up: contract (channels, languages, allowed regions, SLA
policies, calendar, support addresses, chat sites) and secrets (API keys, webhook and provider secrets)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from helpdesk.admin.forms import (
    EMAIL_RE,
    LANGUAGE_RE,
    PREFIX_RE,
    Fields,
    Form,
    as_id,
    commit_change,
    get_or_404,
    log_change,
)
from helpdesk.channels.chat import conversations as chat
from helpdesk.client import clients
from helpdesk.client.models import ApiKey, Client, SupportAddress
from helpdesk.errors import NotFound
from helpdesk.extensions import db
from helpdesk.platform import security
from helpdesk.routing.models import Calendar, Region
from helpdesk.sla.models import PRIORITIES, SlaPolicy
from helpdesk.tickets.models import CHANNELS


@dataclass
class SavedClient:
    client: Client
    api_key: str | None = None  # a new client's first key, shown once


def _sla_values(fields: Fields) -> dict[str, dict | None]:
    policies: dict[str, dict | None] = {}
    for priority in PRIORITIES:
        minutes = {target: fields.number(f"sla_{priority}_{target}", low=1)
                   for target in ("first_response", "next_response", "resolution")}
        warning = fields.number(f"sla_{priority}_warning", low=1, high=100)
        if all(v is None for v in minutes.values()):
            policies[priority] = None
            continue
        policies[priority] = {**{f"{t}_minutes": v for t, v in minutes.items()},
                              "business_hours": fields.flag(f"sla_{priority}_business_hours"),
                              "warning_percent": warning or 75}
    return policies


def _client_values(fields: Fields, client: Client | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": fields.text("name", required=True),
        "slug": fields.text("slug", required=True, max_length=63).lower(),
        "ticket_prefix": fields.text("ticket_prefix", max_length=12).upper(),
        "active": fields.flag("active"),
        "channels": fields.choices("channels", CHANNELS),
        "languages": fields.words("languages"),
        "default_language": fields.text("default_language", max_length=16).lower(),
        "csat_enabled": fields.flag("csat_enabled"),
        "auto_ack_enabled": fields.flag("auto_ack_enabled"),
        "auto_ack_body": fields.text("auto_ack_body", max_length=10_000) or None,
        "default_phone_region": fields.text("default_phone_region", max_length=2).upper() or "US",
        "retention_days": fields.number("retention_days", low=1, high=36_500),
    }
    if values["slug"] and not clients.SLUG_RE.match(values["slug"]):
        fields.error("slug", "Use 2-63 lowercase letters, digits and dashes.")
    elif values["slug"] and db.session.scalar(select(Client.id).where(
            Client.slug == values["slug"], Client.id != (client.id if client else -1))):
        fields.error("slug", f"A client with slug {values['slug']!r} exists.")
    if values["ticket_prefix"] and not PREFIX_RE.match(values["ticket_prefix"]):
        fields.error("ticket_prefix", "Use 1-12 capital letters and digits.")
    if not values["channels"]:
        fields.error("channels", "Pick at least one channel.")
    for language in values["languages"]:
        if not LANGUAGE_RE.match(language):
            fields.error("languages", f"{language!r} is not a language code such as en or pt-BR.")
    if not values["languages"]:
        fields.error("languages", "Give at least one language.")
    values["default_language"] = values["default_language"] or (values["languages"] or ["en"])[0]
    if values["languages"] and values["default_language"] not in values["languages"]:
        fields.error("default_language", "The default language must be one of the contract's languages.")
    if values["default_phone_region"] not in phonenumbers.SUPPORTED_REGIONS:
        fields.error("default_phone_region", "Use an ISO country code such as US, PH or PL.")
    # Allowed regions (none = all of them) and the business calendar.
    region_ids = fields.ids("allowed_regions")
    values["allowed_regions"] = list(db.session.scalars(select(Region).where(Region.id.in_(region_ids)))) \
        if region_ids else []
    if len(values["allowed_regions"]) != len(region_ids):
        fields.error("allowed_regions", "Unknown region.")
    calendar_choice = fields.text("calendar_id", max_length=12)
    values["calendar"] = None
    if calendar_choice in ("", "new"):
        if client is not None:
            fields.error("calendar_id", "Pick a business calendar.")
        values["timezone"] = fields.timezone("timezone")
    elif as_id(calendar_choice) is None or db.session.get(Calendar, as_id(calendar_choice)) is None:
        fields.error("calendar_id", "Unknown calendar.")
    else:
        values["calendar"] = db.session.get(Calendar, as_id(calendar_choice))
    # Addresses customers write to (the first is the default sender) and chat sites.
    addresses = [a.lower() for a in fields.words("support_addresses")]
    for address in addresses:
        if not EMAIL_RE.match(address) or len(address) > 320:
            fields.error("support_addresses", f"{address!r} is not an email address.")
        elif db.session.scalar(select(SupportAddress.id).where(
                SupportAddress.email == address, SupportAddress.client_id != (client.id if client else -1))):
            fields.error("support_addresses", f"{address} is already another client's support address.")
    if not addresses and client is None and values["slug"] and db.session.scalar(select(SupportAddress.id).where(
            SupportAddress.email == f"support@{values['slug']}.example")):
        fields.error("support_addresses", "Give a support address (the default one is taken).")
    values["support_addresses"] = addresses
    origins = fields.words("chat_allowed_origins")
    cleaned = []
    for origin in origins:
        normal = chat.normalize_origin(origin)
        if normal is None:
            fields.error("chat_allowed_origins", f"{origin!r}: give origins as scheme://host[:port].")
        cleaned.append(normal)
    values["chat_allowed_origins"] = sorted(set(filter(None, cleaned)))
    values["sla"] = _sla_values(fields)
    return values


def save_client(client_id: int | None, data: Form) -> SavedClient:
    """Create (``client_id`` None) or update a client company and its contract."""
    client = None if client_id is None else get_or_404(Client, client_id, "client company")
    fields = Fields(data)
    values = _client_values(fields, client)
    fields.check()
    api_key = None
    if client is None:
        created = clients.create_client(values["name"], values["slug"], timezone=values.get("timezone") or "UTC",
                                        languages=values["languages"],
                                        support_email=(values["support_addresses"] or [None])[0])
        client, api_key = created.client, created.api_key
    client.name, client.slug, client.active = values["name"], values["slug"], values["active"]
    client.ticket_prefix = values["ticket_prefix"] or client.ticket_prefix
    for name in ("channels", "languages", "default_language", "csat_enabled", "auto_ack_enabled",
                 "auto_ack_body", "default_phone_region", "retention_days", "chat_allowed_origins"):
        setattr(client, name, values[name])
    client.allowed_regions = values["allowed_regions"]
    if values["calendar"] is not None:
        client.calendar = values["calendar"]
    _sync_addresses(client, values["support_addresses"])
    _sync_sla(client.id, values["sla"])
    commit_change("client saved", client=client.slug)
    return SavedClient(client, api_key)


def _sync_addresses(client: Client, addresses: list[str]) -> None:
    existing = {a.email: a for a in db.session.scalars(select(SupportAddress).where(
        SupportAddress.client_id == client.id))}
    if not addresses:
        return  # keep what there is: a client always has a support address
    for email, row in existing.items():
        if email not in addresses:
            db.session.delete(row)
    db.session.flush()
    for position, email in enumerate(addresses):
        row = existing.get(email) or SupportAddress(client_id=client.id, email=email)
        row.is_default = position == 0
        db.session.add(row)


def _sync_sla(client_id: int, policies: dict[str, dict | None]) -> None:
    existing = {p.priority: p for p in db.session.scalars(select(SlaPolicy).where(SlaPolicy.client_id == client_id))}
    for priority, values in policies.items():
        row = existing.get(priority)
        if values is None:
            if row is not None:
                db.session.delete(row)
            continue
        row = row or SlaPolicy(client_id=client_id, priority=priority)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.add(row)


def sla_policies(client_id: int) -> dict[str, SlaPolicy]:
    return {p.priority: p for p in db.session.scalars(select(SlaPolicy).where(SlaPolicy.client_id == client_id))}


def all_clients() -> list[Client]:
    return list(db.session.scalars(select(Client).options(selectinload(Client.allowed_regions),
                                                          selectinload(Client.calendar))
                                   .order_by(Client.name, Client.id)))


def get_client(client_id: int) -> Client:
    return get_or_404(Client, client_id, "client company")


def api_keys(client_id: int) -> list[ApiKey]:
    return list(db.session.scalars(select(ApiKey).where(ApiKey.client_id == client_id).order_by(ApiKey.id)))


def create_api_key(client_id: int, data: Form) -> str:
    """A new key for the client; the full key is returned once, only its hash is kept."""
    client = get_client(client_id)
    fields = Fields(data)
    name = fields.text("name", required=True, max_length=100)
    fields.check()
    key = clients.create_api_key(client.id, name)
    log_change("api key created", {"client": client.slug, "name": name})
    return key


def revoke_api_key(client_id: int, key_id: int) -> None:
    key = db.session.get(ApiKey, as_id(key_id)) if as_id(key_id) else None
    if key is None or key.client_id != client_id:
        raise NotFound("No such API key.")
    clients.revoke_api_key(client_id, key.prefix)
    log_change("api key revoked", {"client_id": client_id, "prefix": key.prefix})


def rotate_webhook_secret(client_id: int) -> str:
    """A new inbound webhook signing secret; the old one stops verifying at once (here) or within seconds."""
    client = get_client(client_id)
    client.inbound_webhook_secret = security.new_webhook_secret()
    commit_change("inbound webhook secret rotated", client=client.slug)
    return client.inbound_webhook_secret


def set_provider_secrets(client_id: int, data: Form) -> Client:
    """Twilio auth token, Mailgun signing key and SendGrid/Postmark basic auth; blank keeps, 'clear' empties."""
    client = get_client(client_id)
    fields = Fields(data)
    twilio = fields.text("twilio_auth_token", max_length=200)
    mailgun = fields.text("mailgun_signing_key", max_length=200)
    basic = fields.text("basic_auth", max_length=200)
    if basic and not re.fullmatch(r"[^:]+:.+", basic):
        fields.error("basic_auth", "Give basic auth as user:password.")
    fields.check()
    if twilio or fields.flag("clear_twilio"):
        clients.configure_phone(client.slug, twilio_auth_token=twilio)
    if mailgun or fields.flag("clear_mailgun"):
        clients.configure_email(client.slug, mailgun_signing_key=mailgun)
    if basic:
        clients.configure_email(client.slug, basic_auth=basic)
    elif fields.flag("clear_basic_auth"):
        client.inbound_basic_auth_sha256 = None
    commit_change("provider secrets set", client=client.slug)
    return client
