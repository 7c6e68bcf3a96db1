"""Admin-side set-up: client contracts, calendars, regions and shifts, staff, macros, secrets.

Form values come in as a mapping of field name to a list of strings (what an HTML
form posts, ``request.form.to_dict(flat=False)``). Every function validates all of
its fields first and raises ``ValidationFailed`` with a message per field, so a
half-valid form changes nothing; then it writes and commits. Creation and the
checks that already exist are reused from clients, agents, macros, chat and
security; the per-process caches those services keep are cleared after a change,
so it takes effect at once in this process (and within their few seconds in others).

There is no configuration audit trail in the schema (events are per-client ticket
history that clients read over the API), so changes are logged instead.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import phonenumbers
from flask import has_request_context
from flask_login import current_user
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from helpdesk.channels.chat import conversations as chat
from helpdesk.client import clients
from helpdesk.client.models import ApiKey, Client, SupportAddress
from helpdesk.errors import NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.platform import security
from helpdesk.platform.cache import app_cache
from helpdesk.routing.calendars import WEEKDAYS
from helpdesk.routing.models import Calendar, CalendarClosure, Region
from helpdesk.sla.models import PRIORITIES, OlaTarget, SlaPolicy
from helpdesk.staff import accounts as agents
from helpdesk.staff.models import ROLES, Agent
from helpdesk.tickets import macros
from helpdesk.tickets.models import CHANNELS, Macro

log = logging.getLogger(__name__)

Form = Mapping[str, Any]
PREFIX_RE = re.compile(r"^[A-Z0-9]{1,12}$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
INTERVAL_RE = re.compile(r"^(\d\d:\d\d)-(\d\d:\d\d)$")
HANDOFF_POLICIES = ("keep", "handoff")
MAX_MINUTES = 525_600  # a year
# Every per-process cache that holds set-up data (see routing, clients, chat, email_ingest, inbound).
CACHES = (("eligible_regions", 15), ("all_regions", 15), ("region_slugs", 15), ("api_keys", 10),
          ("inbound-clients", 10), ("support-addresses", 30), ("chat-clients", 10), ("chat-origins", 10))


# --- reading form values ------------------------------------------------------------

class Fields:
    """Reads a posted form, collecting one list of messages per field."""

    def __init__(self, data: Form) -> None:
        self.data = data
        self.errors: dict[str, list[str]] = {}

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def raw(self, name: str) -> list[str]:
        value = self.data.get(name)
        if value is None:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(v).replace("\x00", "") for v in values]  # PostgreSQL text cannot hold NUL

    def text(self, name: str, *, required: bool = False, max_length: int = 200) -> str:
        values = self.raw(name)
        value = values[0].strip() if values else ""
        if required and not value:
            self.error(name, "Required.")
        if len(value) > max_length:
            self.error(name, f"At most {max_length} characters.")
        return value

    def flag(self, name: str) -> bool:
        return any(v in ("1", "on", "true", "yes") for v in self.raw(name))

    def choices(self, name: str, allowed: tuple[str, ...] | list[str]) -> list[str]:
        chosen = [v for v in self.raw(name) if v]
        for value in chosen:
            if value not in allowed:
                self.error(name, f"Unknown value {value!r}.")
        return [v for v in allowed if v in chosen]

    def words(self, name: str) -> list[str]:
        """Comma-, space- or line-separated values, in order, without repeats."""
        text = " ".join(self.raw(name))
        return list(dict.fromkeys(w for w in re.split(r"[\s,]+", text) if w))

    def lines(self, name: str) -> list[str]:
        return [line.strip() for v in self.raw(name) for line in v.splitlines() if line.strip()]

    def number(self, name: str, *, low: int = 0, high: int = MAX_MINUTES, required: bool = False) -> int | None:
        value = self.text(name, max_length=12)
        if not value:
            if required:
                self.error(name, "Required.")
            return None
        if not re.fullmatch(r"-?[0-9]+", value):
            self.error(name, "Give a whole number.")
            return None
        number = int(value)
        if not low <= number <= high:
            self.error(name, f"Between {low} and {high}.")
            return None
        return number

    def ids(self, name: str) -> list[int]:
        result = []
        for value in self.raw(name):
            if not value:
                continue
            if as_id(value) is None:
                self.error(name, f"Unknown value {value!r}.")
                continue
            result.append(as_id(value))
        return list(dict.fromkeys(result))

    def timezone(self, name: str) -> str:
        value = self.text(name, required=True, max_length=64)
        if value:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                self.error(name, f"Unknown time zone {value!r}; use an IANA name such as Europe/Warsaw.")
        return value

    def check(self, message: str = "Please correct the marked fields.") -> None:
        if self.errors:
            raise ValidationFailed(message, self.errors)


MAX_ID = 2**31 - 1


def as_id(value: Any) -> int | None:
    """A row id from a form or URL, or None; never a number the database's integer cannot hold."""
    text = str(value or "")
    return int(text) if re.fullmatch(r"[0-9]{1,10}", text) and int(text) <= MAX_ID else None


def forget_caches() -> None:
    for name, seconds in CACHES:
        app_cache(name, seconds).clear()


def _actor() -> int | None:
    """The signed-in admin making the change, for the log line (None outside a request)."""
    if not has_request_context():
        return None
    return getattr(current_user, "id", None)


def _log(what: str, details: dict[str, Any]) -> None:
    log.info("admin: %s", what, extra={"admin_change": {**details, "by_agent_id": _actor()}})


def _commit(what: str, **details: Any) -> None:
    db.session.commit()
    forget_caches()
    _log(what, details)


def _get(model: type, object_id: int | None, label: str) -> Any:
    object_id = as_id(object_id)
    found = db.session.get(model, object_id) if object_id is not None else None
    if found is None:
        raise NotFound(f"No such {label}.")
    return found


# --- calendars --------------------------------------------------------------------

def format_weekly_hours(weekly: dict | None) -> str:
    return "\n".join(f"{day} " + ", ".join(f"{s}-{e}" for s, e in weekly[day])
                     for day in WEEKDAYS if (weekly or {}).get(day))


def format_closures(calendar: Calendar | None) -> str:
    if calendar is None:
        return ""
    return "\n".join(f"{c.day.isoformat()} {c.reason or ''}".strip() for c in sorted(calendar.closures,
                                                                                    key=lambda c: c.day))


def _weekly_hours(fields: Fields, name: str) -> dict:
    """``mon 09:00-17:00, 13:00-18:00`` per line; an end at or before the start runs past midnight."""
    weekly: dict[str, list[list[str]]] = {}
    for line in fields.lines(name):
        match = re.match(r"^([A-Za-z]+)[:\s]\s*(.*)$", line)
        day, rest = (match.group(1).lower()[:3], match.group(2)) if match else ("", "")
        if day not in WEEKDAYS:
            fields.error(name, f"{line!r}: start the line with a day ({', '.join(WEEKDAYS)}).")
            continue
        spans = [s for s in re.split(r"[\s,]+", rest) if s]
        if not spans:
            fields.error(name, f"{line!r}: give hours such as 09:00-17:00.")
        for span in spans:
            match = INTERVAL_RE.match(span)
            if not match or not all(TIME_RE.match(t) for t in match.groups()):
                fields.error(name, f"{span!r} is not an interval such as 09:00-17:00.")
                continue
            weekly.setdefault(day, []).append([match.group(1), match.group(2)])
    return {day: weekly[day] for day in WEEKDAYS if day in weekly}


def _closures(fields: Fields, name: str) -> list[tuple[date, str | None]]:
    result = []
    for line in fields.lines(name):
        day_text, _, reason = line.partition(" ")
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            fields.error(name, f"{line!r}: start the line with a date such as 2026-12-24.")
            continue
        result.append((day, reason.strip()[:200] or None))
    return result


def _holiday_country(fields: Fields, name: str, subdivision_name: str) -> tuple[str | None, str | None]:
    country = fields.text(name, max_length=8).upper() or None
    subdivision = fields.text(subdivision_name, max_length=16).upper() or None
    supported = holidays.list_supported_countries()
    if country and country not in supported:
        fields.error(name, f"No holiday calendar for {country!r}; use an ISO country code such as PL or PH.")
    elif subdivision and not country:
        fields.error(subdivision_name, "A subdivision needs a country.")
    elif country and subdivision and subdivision not in supported[country]:
        fields.error(subdivision_name, f"{country} has no subdivision {subdivision!r}.")
    return country, subdivision


@dataclass
class CalendarValues:
    timezone: str
    weekly_hours: dict
    holiday_country: str | None
    holiday_subdivision: str | None
    around_the_clock: bool
    closures: list[tuple[date, str | None]] = field(default_factory=list)


def _calendar_values(fields: Fields, prefix: str = "") -> CalendarValues:
    country, subdivision = _holiday_country(fields, f"{prefix}holiday_country", f"{prefix}holiday_subdivision")
    values = CalendarValues(
        timezone=fields.timezone(f"{prefix}timezone"), weekly_hours=_weekly_hours(fields, f"{prefix}weekly_hours"),
        holiday_country=country, holiday_subdivision=subdivision,
        around_the_clock=fields.flag(f"{prefix}around_the_clock"), closures=_closures(fields, f"{prefix}closures"))
    if not values.weekly_hours and not values.around_the_clock:
        fields.error(f"{prefix}weekly_hours", "Give opening hours, or mark the calendar open around the clock.")
    return values


def _apply_calendar(calendar: Calendar, values: CalendarValues) -> None:
    calendar.timezone = values.timezone
    calendar.weekly_hours = values.weekly_hours
    calendar.holiday_country = values.holiday_country
    calendar.holiday_subdivision = values.holiday_subdivision
    calendar.around_the_clock = values.around_the_clock
    calendar.closures = [CalendarClosure(day=day, reason=reason) for day, reason in values.closures]


def save_calendar(calendar_id: int | None, data: Form) -> Calendar:
    fields = Fields(data)
    name = fields.text("name", required=True)
    values = _calendar_values(fields)
    fields.check()
    calendar = Calendar(name=name) if calendar_id is None else _get(Calendar, calendar_id, "calendar")
    calendar.name = name
    _apply_calendar(calendar, values)
    db.session.add(calendar)
    _commit("calendar saved", calendar=calendar.name)
    return calendar


def get_calendar(calendar_id: int) -> Calendar:
    return _get(Calendar, calendar_id, "calendar")


def all_calendars() -> list[Calendar]:
    return list(db.session.scalars(select(Calendar).order_by(Calendar.name, Calendar.id)))


# --- clients ----------------------------------------------------------------------

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
    client = None if client_id is None else _get(Client, client_id, "client company")
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
    _commit("client saved", client=client.slug)
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
    return _get(Client, client_id, "client company")


# --- client secrets -----------------------------------------------------------------

def api_keys(client_id: int) -> list[ApiKey]:
    return list(db.session.scalars(select(ApiKey).where(ApiKey.client_id == client_id).order_by(ApiKey.id)))


def create_api_key(client_id: int, data: Form) -> str:
    """A new key for the client; the full key is returned once, only its hash is kept."""
    client = get_client(client_id)
    fields = Fields(data)
    name = fields.text("name", required=True, max_length=100)
    fields.check()
    key = clients.create_api_key(client.id, name)
    _log("api key created", {"client": client.slug, "name": name})
    return key


def revoke_api_key(client_id: int, key_id: int) -> None:
    key = db.session.get(ApiKey, as_id(key_id)) if as_id(key_id) else None
    if key is None or key.client_id != client_id:
        raise NotFound("No such API key.")
    clients.revoke_api_key(client_id, key.prefix)
    _log("api key revoked", {"client_id": client_id, "prefix": key.prefix})


def rotate_webhook_secret(client_id: int) -> str:
    """A new inbound webhook signing secret; the old one stops verifying at once (here) or within seconds."""
    client = get_client(client_id)
    client.inbound_webhook_secret = security.new_webhook_secret()
    _commit("inbound webhook secret rotated", client=client.slug)
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
    _commit("provider secrets set", client=client.slug)
    return client


# --- regions and shifts -------------------------------------------------------------

def all_regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.chain_order, Region.id)))


def get_region(region_id: int) -> Region:
    return _get(Region, region_id, "region")


def ola_targets(region_id: int) -> dict[str, OlaTarget]:
    return {t.priority: t for t in db.session.scalars(select(OlaTarget).where(OlaTarget.region_id == region_id))}


def save_region(region_id: int | None, data: Form) -> Region:
    region = None if region_id is None else _get(Region, region_id, "region")
    fields = Fields(data)
    name = fields.text("name", required=True, max_length=100)
    slug = fields.text("slug", required=True, max_length=63).lower()
    if slug and not clients.SLUG_RE.match(slug):
        fields.error("slug", "Use 2-63 lowercase letters, digits and dashes.")
    elif slug and db.session.scalar(select(Region.id).where(Region.slug == slug,
                                                             Region.id != (region.id if region else -1))):
        fields.error("slug", f"A region with slug {slug!r} exists.")
    order = fields.number("chain_order", low=0, high=1000, required=True)
    handoff = fields.text("handoff_policy", max_length=16) or "keep"
    if handoff not in HANDOFF_POLICIES:
        fields.error("handoff_policy", f"One of {', '.join(HANDOFF_POLICIES)}.")
    calendar_values = _calendar_values(fields)
    ola = {p: (fields.number(f"ola_{p}_first_response", low=1), fields.number(f"ola_{p}_resolution", low=1))
           for p in PRIORITIES}
    fields.check()
    if region is None:
        region = Region(calendar=Calendar(name=f"{name} shifts"))
    region.name, region.slug, region.chain_order = name, slug, order
    region.handoff_policy, region.active = handoff, fields.flag("active")
    _apply_calendar(region.calendar, calendar_values)
    db.session.add(region)
    db.session.flush()
    existing = ola_targets(region.id)
    for priority, (first, resolution) in ola.items():
        row = existing.get(priority)
        if first is None and resolution is None:
            if row is not None:
                db.session.delete(row)
            continue
        row = row or OlaTarget(region_id=region.id, priority=priority)
        row.first_response_minutes, row.resolution_minutes = first, resolution
        db.session.add(row)
    _commit("region saved", region=region.slug)
    return region


# --- agents ------------------------------------------------------------------------

def all_agents() -> list[Agent]:
    return list(db.session.scalars(select(Agent).options(selectinload(Agent.region), selectinload(Agent.clients))
                                   .order_by(Agent.active.desc(), Agent.name, Agent.id)))


def get_agent(agent_id: int) -> Agent:
    return _get(Agent, agent_id, "agent")


def _agent_values(fields: Fields) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": fields.text("name", required=True),
        "role": fields.text("role", required=True, max_length=16),
        "timezone": fields.timezone("timezone"),
        "languages": fields.words("languages"),
        "channels": fields.choices("channels", CHANNELS),
        "capacity": {channel: fields.number(f"capacity_{channel}", low=0, high=100) or 0 for channel in CHANNELS},
        "all_clients": fields.flag("all_clients"),
        "active": fields.flag("active"),
    }
    if values["role"] and values["role"] not in ROLES:
        fields.error("role", f"One of {', '.join(ROLES)}.")
    for language in values["languages"]:
        if not LANGUAGE_RE.match(language):
            fields.error("languages", f"{language!r} is not a language code such as en or pt-BR.")
    if not values["languages"]:
        fields.error("languages", "Give at least one language.")
    region_id = fields.text("region_id", max_length=12)
    values["region"] = None
    if region_id:
        values["region"] = db.session.get(Region, as_id(region_id)) if as_id(region_id) else None
        if values["region"] is None:
            fields.error("region_id", "Unknown region.")
    client_ids = fields.ids("clients")
    values["clients"] = list(db.session.scalars(select(Client).where(Client.id.in_(client_ids)))) \
        if client_ids else []
    if len(values["clients"]) != len(client_ids):
        fields.error("clients", "Unknown client company.")
    return values


def create_agent(data: Form) -> Agent:
    fields = Fields(data)
    email = fields.text("email", required=True, max_length=320).lower()
    if email and not EMAIL_RE.match(email):
        fields.error("email", "Not an email address.")
    elif email and db.session.scalar(select(Agent.id).where(Agent.email == email)):
        fields.error("email", f"An agent with email {email} exists.")
    password = "".join(fields.raw("password")[:1])
    if len(password) < 8:
        fields.error("password", "At least 8 characters.")
    values = _agent_values(fields)
    fields.check()
    agent = agents.create_agent(email, values["name"], password, role=values["role"],
                                region_slug=values["region"].slug if values["region"] else None,
                                timezone=values["timezone"], languages=values["languages"],
                                all_clients=values["all_clients"])
    _apply_agent(agent, values)
    _commit("agent created", agent=agent.email, role=agent.role)
    return agent


def update_agent(agent_id: int, data: Form, *, acting: Agent | None = None) -> Agent:
    """Role, region, skills, dedication and active flag. Deactivating (or taking access away)
    ends the agent's sessions and sockets: see Agent.active and realtime.watch_access."""
    agent = get_agent(agent_id)
    fields = Fields(data)
    values = _agent_values(fields)
    if acting is not None and acting.id == agent.id and (not values["active"] or values["role"] != "admin"):
        fields.error("role" if values["active"] else "active",
                     "You cannot remove your own admin access; ask another admin.")
    fields.check()
    _apply_agent(agent, values)
    _commit("agent updated", agent=agent.email, role=agent.role, active=agent.active)
    return agent


def _apply_agent(agent: Agent, values: dict[str, Any]) -> None:
    agent.name, agent.role, agent.timezone = values["name"], values["role"], values["timezone"]
    agent.region = values["region"]
    agent.languages, agent.channels, agent.capacity = values["languages"], values["channels"], values["capacity"]
    agent.all_clients = values["all_clients"] or values["role"] == "admin"
    agent.clients = values["clients"]
    agent.active = values["active"]


def reset_password(agent_id: int, data: Form) -> Agent:
    """A new password (argon2id); the agent's other sessions end, as after 'sign out everywhere'."""
    agent = get_agent(agent_id)
    fields = Fields(data)
    password = "".join(fields.raw("password")[:1])
    if len(password) < 8:
        fields.error("password", "At least 8 characters.")
    fields.check()
    agent.password_hash = security.hash_password(password)
    agent.session_version = (agent.session_version or 1) + 1
    _commit("agent password reset", agent=agent.email)
    return agent


# --- macros ------------------------------------------------------------------------

def all_macros() -> list[Macro]:
    return list(db.session.scalars(select(Macro).order_by(Macro.client_id.is_not(None), Macro.name, Macro.id)))


def get_macro(macro_id: int) -> Macro:
    return _get(Macro, macro_id, "macro")


def _macro_values(fields: Fields) -> tuple[int | None, str, str, dict]:
    name = fields.text("name", required=True)
    body = "".join(fields.raw("body")[:1]).replace("\r\n", "\n")
    if len(body) > 20_000:
        fields.error("body", "At most 20000 characters.")
    client_choice = fields.text("client_id", max_length=12)
    client_id = None
    if client_choice:
        if as_id(client_choice) is None or db.session.get(Client, as_id(client_choice)) is None:
            fields.error("client_id", "Unknown client company.")
        else:
            client_id = as_id(client_choice)
    actions: dict[str, Any] = {}
    for key in ("status", "priority"):
        value = fields.text(key, max_length=16)
        if value:
            actions[key] = value
    for key in ("add_tags", "remove_tags"):
        tags = fields.words(key)
        if tags:
            actions[key] = tags
    try:
        actions = macros.validate(body, actions)
    except ValidationFailed as error:
        for name_, messages in error.details.items():
            for message in messages:
                fields.error(name_, message)
    if not body.strip() and not actions:
        fields.error("body", "Give a reply text or at least one action.")
    return client_id, name, body, actions


def save_macro(macro_id: int | None, data: Form) -> Macro:
    fields = Fields(data)
    client_id, name, body, actions = _macro_values(fields)
    fields.check()
    if macro_id is None:
        macro = macros.create(client_id, name, body, actions)
    else:
        macro = get_macro(macro_id)
        macro.client_id, macro.name, macro.body, macro.actions = client_id, name, body, actions
    _commit("macro saved", macro=macro.name, client_id=macro.client_id)
    return macro


def delete_macro(macro_id: int) -> None:
    db.session.execute(delete(Macro).where(Macro.id == get_macro(macro_id).id))
    _commit("macro deleted", macro_id=macro_id)
