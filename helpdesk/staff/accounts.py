"""BPO staff accounts and their sign-in."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from helpdesk.client.models import Client
from helpdesk.errors import Conflict, ValidationFailed
from helpdesk.extensions import db
from helpdesk.platform import security
from helpdesk.routing.models import Region
from helpdesk.staff.models import ROLES, Agent


def create_agent(email: str, name: str, password: str, *, role: str = "agent", region_slug: str | None = None,
                 timezone: str = "UTC", languages: list[str] | None = None,
                 client_slugs: list[str] | None = None, all_clients: bool = False) -> Agent:
    email = email.strip().lower()
    errors: dict[str, list[str]] = {}
    if role not in ROLES:
        errors["role"] = [f"One of {', '.join(ROLES)}."]
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["tz"] = [f"Unknown time zone {timezone!r}."]
    if len(password) < 8:
        errors["password"] = ["At least 8 characters."]
    region = None
    if region_slug:
        region = db.session.scalar(select(Region).where(Region.slug == region_slug))
        if region is None:
            errors["region"] = [f"No region {region_slug!r}."]
    if errors:
        raise ValidationFailed("Invalid agent.", errors)
    if db.session.scalar(select(Agent.id).where(Agent.email == email)):
        raise Conflict(f"An agent with email {email} exists.", {"email": [email]})
    agent = Agent(email=email, name=name, password_hash=security.hash_password(password), role=role,
                  region=region, timezone=timezone, languages=languages or ["en"],
                  all_clients=all_clients or role == "admin")
    if client_slugs:
        agent.clients = list(db.session.scalars(select(Client).where(Client.slug.in_(client_slugs))))
    db.session.add(agent)
    db.session.commit()
    return agent


def authenticate(email: str, password: str) -> Agent | None:
    agent = db.session.scalar(select(Agent).where(Agent.email == email.strip().lower()))
    if agent is None:
        # Same cost as a real check, so response time does not reveal which emails exist.
        security.verify_password(_dummy_hash(), password)
        return None
    if not agent.active or not security.verify_password(agent.password_hash, password):
        return None
    if security.needs_rehash(agent.password_hash):
        agent.password_hash = security.hash_password(password)
        db.session.commit()
    return agent


def load_session_user(user_id: str) -> Agent | None:
    agent_id, _, version = user_id.partition(":")
    if not agent_id.isdigit() or not version.isdigit():
        return None
    agent = db.session.get(Agent, int(agent_id))
    if agent is None or not agent.active or agent.session_version != int(version):
        return None
    return agent


def logout_everywhere(agent: Agent) -> None:
    agent.session_version += 1
    db.session.commit()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return security.hash_password("not-a-real-password")
