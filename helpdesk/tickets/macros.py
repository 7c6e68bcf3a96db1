"""Macros: canned replies with placeholders, and the ticket changes that go with them.

A macro belongs to one client company or, with no client, to every client. Its
body may name placeholders such as ``{{contact.first_name}}``; they are filled
by plain substitution from a fixed list (never a template engine: macro text is
written by staff and must not be able to reach anything else). Its actions set
the status or priority and add or remove tags, through the same path as any
other ticket change, so they are recorded as events and move the SLA clock.

Applying a macro changes the ticket and returns the filled-in text for the
agent's reply box: the agent reads it, edits it if needed, and sends it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_

from helpdesk.errors import NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.platform import outbox
from helpdesk.platform.events import Actor
from helpdesk.platform.tenancy import TenantScope
from helpdesk.sla.models import PRIORITIES
from helpdesk.staff.models import Agent
from helpdesk.tickets import service as tickets
from helpdesk.tickets.models import Macro, Ticket

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")
ACTION_KEYS = ("status", "priority", "add_tags", "remove_tags")
# What an agent may set from the workspace; "closed" and "new" belong to the system.
MACRO_STATUSES = ("open", "pending", "on_hold", "solved")


def _first_name(name: str | None) -> str:
    return (name or "").split()[0] if (name or "").strip() else ""


# What each placeholder reads, given the ticket and the agent applying the macro.
PLACEHOLDERS: dict[str, Callable[[Ticket, Agent], Any]] = {
    "ticket.reference": lambda t, a: t.reference,
    "ticket.number": lambda t, a: t.number,
    "ticket.subject": lambda t, a: t.subject,
    "ticket.status": lambda t, a: t.status,
    "ticket.priority": lambda t, a: t.priority,
    "contact.name": lambda t, a: t.contact.name if t.contact else "",
    "contact.first_name": lambda t, a: _first_name(t.contact.name) if t.contact else "",
    "contact.email": lambda t, a: t.contact.email if t.contact else "",
    "agent.name": lambda t, a: a.name,
    "agent.first_name": lambda t, a: _first_name(a.name),
    "client.name": lambda t, a: t.client.name,
}


@dataclass(frozen=True)
class Rendered:
    body: str
    unknown: tuple[str, ...]  # placeholders left as written: a typo the agent should see


def render(body: str, ticket: Ticket, agent: Agent) -> Rendered:
    unknown = []

    def fill(match: re.Match) -> str:
        reader = PLACEHOLDERS.get(match.group(1))
        if reader is None:
            unknown.append(match.group(1))
            return match.group(0)
        value = reader(ticket, agent)
        return "" if value is None else str(value)

    return Rendered(PLACEHOLDER.sub(fill, body), tuple(dict.fromkeys(unknown)))


def validate(body: str, actions: dict[str, Any] | None) -> dict[str, Any]:
    """Check a macro before it is saved: known placeholders, known actions with valid values."""
    errors: dict[str, list[str]] = {}
    unknown = sorted({name for name in PLACEHOLDER.findall(body or "") if name not in PLACEHOLDERS})
    if unknown:
        errors["body"] = [f"Unknown placeholder {{{{{name}}}}}." for name in unknown]
    actions = dict(actions or {})
    for key in set(actions) - set(ACTION_KEYS):
        errors.setdefault("actions", []).append(f"Unknown action {key!r}; use {', '.join(ACTION_KEYS)}.")
    if "status" in actions and actions["status"] not in MACRO_STATUSES:
        errors.setdefault("actions", []).append(f"status must be one of {', '.join(MACRO_STATUSES)}.")
    if "priority" in actions and actions["priority"] not in PRIORITIES:
        errors.setdefault("actions", []).append(f"priority must be one of {', '.join(PRIORITIES)}.")
    for key in ("add_tags", "remove_tags"):
        if key in actions and not (isinstance(actions[key], list) and all(isinstance(t, str) for t in actions[key])):
            errors.setdefault("actions", []).append(f"{key} must be a list of tags.")
    if errors:
        raise ValidationFailed("The macro is not valid.", errors)
    return actions


def available(scope: TenantScope, ticket_id: int) -> list[Macro]:
    """The macros an agent may use on this ticket: its client's and the global ones, by name."""
    ticket = tickets.get_ticket(scope, ticket_id)
    return list(db.session.scalars(
        db.select(Macro).where(or_(Macro.client_id.is_(None), Macro.client_id == ticket.client_id))
        .order_by(Macro.name, Macro.id)))


def _macro_for(ticket: Ticket, macro_id: int) -> Macro:
    macro = db.session.get(Macro, macro_id)
    if macro is None or macro.client_id not in (None, ticket.client_id):
        # Another client's macro answers exactly like a missing one.
        raise NotFound(f"No macro with id {macro_id}.", {"id": macro_id})
    return macro


def preview(scope: TenantScope, ticket_id: int, macro_id: int, agent: Agent) -> Rendered:
    ticket = tickets.get_ticket(scope, ticket_id)
    return render(_macro_for(ticket, macro_id).body, ticket, agent)


def apply(scope: TenantScope, ticket_id: int, macro_id: int, agent: Agent) -> tuple[Rendered, dict[str, list]]:
    """Make the macro's ticket changes (one recorded update) and return its filled-in reply text."""
    ticket = tickets.get_ticket(scope, ticket_id)
    macro = _macro_for(ticket, macro_id)
    diff = tickets.change_ticket(ticket, _changes(ticket, macro.actions or {}), Actor("agent", agent.id))
    outbox.commit()
    return render(macro.body, ticket, agent), diff


def _changes(ticket: Ticket, actions: dict[str, Any]) -> dict[str, Any]:
    changes = {key: actions[key] for key in ("status", "priority") if key in actions}
    if "add_tags" in actions or "remove_tags" in actions:
        tags = (set(ticket.tags or []) | set(actions.get("add_tags") or [])) - set(actions.get("remove_tags") or [])
        changes["tags"] = sorted(tags)
    return changes


def create(client_id: int | None, name: str, body: str, actions: dict[str, Any] | None = None) -> Macro:
    macro = Macro(client_id=client_id, name=name.strip(), body=body, actions=validate(body, actions))
    if not macro.name:
        raise ValidationFailed("The macro needs a name.", {"name": ["Required."]})
    db.session.add(macro)
    db.session.commit()
    return macro
