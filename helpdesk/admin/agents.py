"""Staff accounts as admins set them up: role, region, skills, capacity, dedication, password resets."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from helpdesk.admin.forms import EMAIL_RE, LANGUAGE_RE, Fields, Form, as_id, commit_change, get_or_404
from helpdesk.client.models import Client
from helpdesk.extensions import db
from helpdesk.platform import security
from helpdesk.routing.models import Region
from helpdesk.staff import accounts as agents
from helpdesk.staff.models import ROLES, Agent
from helpdesk.tickets.models import CHANNELS


def all_agents() -> list[Agent]:
    return list(db.session.scalars(select(Agent).options(selectinload(Agent.region), selectinload(Agent.clients))
                                   .order_by(Agent.active.desc(), Agent.name, Agent.id)))


def get_agent(agent_id: int) -> Agent:
    return get_or_404(Agent, agent_id, "agent")


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
    commit_change("agent created", agent=agent.email, role=agent.role)
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
    commit_change("agent updated", agent=agent.email, role=agent.role, active=agent.active)
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
    commit_change("agent password reset", agent=agent.email)
    return agent
