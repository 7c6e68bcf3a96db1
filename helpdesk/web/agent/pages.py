"""The agent workspace: the inbox and the ticket page (server-rendered, live over Socket.IO /agent).

The pages only read; every change goes through the staff JSON API (/agent/api), which
the pages' scripts call with the CSRF token of the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import and_, or_

from helpdesk import audit
from helpdesk.channels.models import CallLog
from helpdesk.client.models import Client
from helpdesk.extensions import db
from helpdesk.platform.models import Event
from helpdesk.platform.tenancy import TenantScope
from helpdesk.request_input import MAX_DB_INT
from helpdesk.routing import assignment, take
from helpdesk.sla.models import PRIORITIES
from helpdesk.staff.models import Agent
from helpdesk.tickets import merge
from helpdesk.tickets.models import CHANNELS, OPEN_STATUSES, STATUSES, Ticket

bp = Blueprint("agent", __name__, url_prefix="/agent")

INBOX_PAGE = 50
# The region queue is scanned this deep before the inbox filters apply (as GET /agent/api/queue does).
VIEWS = {"mine": "My tickets", "queue": "Queue", "open": "All open"}
HISTORY_TYPES = ("ticket.created", "ticket.assigned", "ticket.queued", "ticket.reassigned", "ticket.moved",
                 "ticket.updated", "ticket.merged", "ticket.sla_warning", "ticket.sla_breached", "call.logged",
                 "csat.sent", "csat.rated")
HISTORY_LIMIT = 200
OTHER_TICKETS_LIMIT = 10


# --- inbox ---------------------------------------------------------------------------

@dataclass
class InboxFilters:
    view: str = "mine"
    status: list[str] = field(default_factory=list)
    priority: str | None = None
    client_id: int | None = None
    channel: str | None = None
    sla_due_before: datetime | None = None
    offset: int = 0
    errors: dict[str, list[str]] = field(default_factory=dict)


def landing_view(agent: Any) -> str:
    """Where the inbox opens: an agent works their own tickets; a supervisor, who rarely holds
    any, watches all open tickets of their clients."""
    return "open" if agent.is_supervisor else "mine"


def parse_inbox_filters(args: Any, timezone: str, default_view: str = "mine") -> InboxFilters:
    """Read the inbox filters from a query string; a bad value is reported in ``errors`` and ignored."""
    found = InboxFilters(view=default_view)
    _choose(found, "view", args.get("view"), VIEWS)
    found.status = [s for s in args.getlist("status") if s]
    if any(s not in STATUSES for s in found.status):
        found.errors["status"] = [f"One of {', '.join(STATUSES)}."]
        found.status = [s for s in found.status if s in STATUSES]
    _choose(found, "priority", args.get("priority"), PRIORITIES)
    _choose(found, "channel", args.get("channel"), CHANNELS)
    found.client_id = _positive_int(found, "client_id", args.get("client_id"))
    found.offset = _positive_int(found, "offset", args.get("offset")) or 0
    found.sla_due_before = _local_instant(found, args.get("sla_due_before"), timezone)
    return found


def _choose(found: InboxFilters, name: str, value: str | None, allowed) -> None:
    if not value:
        return
    if value in allowed:
        setattr(found, name, value)
    else:
        found.errors[name] = [f"One of {', '.join(allowed)}."]


def _positive_int(found: InboxFilters, name: str, value: str | None) -> int | None:
    if not value:
        return None
    if value.isdigit() and int(value) <= MAX_DB_INT:
        return int(value)
    found.errors[name] = [f"A whole number from 0 to {MAX_DB_INT}."]
    return None


def _local_instant(found: InboxFilters, value: str | None, timezone: str) -> datetime | None:
    """A ``datetime-local`` input means the agent's wall clock; an explicit offset is kept."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        found.errors["sla_due_before"] = ["A date and time such as 2026-12-02T17:30."]
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.astimezone(ZoneInfo("UTC"))


def sla_due_before(moment: datetime):
    """Tickets with a running SLA target due before ``moment`` (first response only until answered)."""
    return or_(and_(Ticket.first_responded_at.is_(None), Ticket.first_response_due_at < moment),
               Ticket.next_response_due_at < moment, Ticket.resolution_due_at < moment)


def _filtered(query, filters: InboxFilters):
    if filters.priority:
        query = query.where(Ticket.priority == filters.priority)
    if filters.channel:
        query = query.where(Ticket.channel == filters.channel)
    if filters.client_id:
        query = query.where(Ticket.client_id == filters.client_id)
    if filters.sla_due_before:
        query = query.where(sla_due_before(filters.sla_due_before))
    return query


def inbox_tickets(agent: Any, filters: InboxFilters) -> tuple[list[Ticket], bool]:
    """One page of the chosen view, after the filters; returns (tickets, whether more follow)."""
    if filters.view == "queue":
        return _queue_page(agent, filters)
    scope = TenantScope.for_agent(agent)
    statuses = filters.status or OPEN_STATUSES
    query = _filtered(scope.select(Ticket, Ticket.status.in_(statuses)), filters)
    if filters.view == "mine":
        query = query.where(Ticket.assignee_id == agent.id)
    elif not agent.is_supervisor and agent.region_id:
        # Agents follow their own region; supervisors oversee every region of their clients.
        query = query.where(Ticket.region_id == agent.region_id)
    query = query.order_by(Ticket.updated_at.desc(), Ticket.id.desc()).offset(filters.offset).limit(INBOX_PAGE + 1)
    rows = list(db.session.scalars(query))
    return rows[:INBOX_PAGE], len(rows) > INBOX_PAGE


def _queue_page(agent: Any, filters: InboxFilters) -> tuple[list[Ticket], bool]:
    """The region's waiting tickets in the order "take next" serves them, one page read in index order."""
    if agent.region_id is None:
        return [], False
    query = TenantScope.for_agent(agent).select(Ticket, *assignment.in_queue(agent.region_id))
    if filters.status:
        query = query.where(Ticket.status.in_(filters.status))
    query = _filtered(query, filters).order_by(*assignment.QUEUE_ORDER)
    rows = list(db.session.scalars(query.offset(filters.offset).limit(INBOX_PAGE + 1)))
    return rows[:INBOX_PAGE], len(rows) > INBOX_PAGE


CAN_TAKE = "can take"


def for_you(agent: Any, tickets: list[Ticket], filters: InboxFilters) -> dict[int, str]:
    """Queue view: per ticket, "can take" or what stops this agent taking it (take next's checks)."""
    if filters.view != "queue" or agent.is_supervisor or not tickets:
        return {}
    return {ticket_id: obstacle.text if obstacle else CAN_TAKE
            for ticket_id, obstacle in take.obstacles(agent, tickets).items()}


def next_due(ticket: Ticket) -> datetime | None:
    """The earliest SLA target still running on the ticket."""
    if ticket.status not in OPEN_STATUSES:
        return None
    candidates = [ticket.next_response_due_at, ticket.resolution_due_at]
    if ticket.first_responded_at is None:
        candidates.append(ticket.first_response_due_at)
    return min((due for due in candidates if due is not None), default=None)


def visible_clients(agent: Any) -> list[Client]:
    """The clients the agent may see: the choices of the client filter."""
    scope = TenantScope.for_agent(agent)
    query = db.select(Client).order_by(Client.name)
    if not scope.all_clients:
        query = query.where(Client.id.in_(scope.client_ids or [-1]))
    return list(db.session.scalars(query))


@bp.get("")
@login_required
def home():
    filters = parse_inbox_filters(request.args, current_user.timezone, landing_view(current_user))
    tickets, has_more = inbox_tickets(current_user, filters)
    clients = visible_clients(current_user)
    return render_template(
        "agent/inbox.html", tickets=tickets, has_more=has_more, filters=filters, views=VIEWS,
        for_you=for_you(current_user, tickets, filters), can_take=CAN_TAKE,
        clients=clients, client_names={c.id: c.name for c in clients}, statuses=STATUSES,
        priorities=PRIORITIES, channels=CHANNELS, next_due=next_due, page_size=INBOX_PAGE,
        local_input=_local_input_value(filters.sla_due_before, current_user.timezone),
    )


def _local_input_value(moment: datetime | None, timezone: str) -> str:
    """Back into the agent's wall clock for the ``datetime-local`` input."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%dT%H:%M") if moment else ""


# --- ticket page -------------------------------------------------------------------------

@dataclass
class SlaTarget:
    label: str
    due_at: datetime
    done: bool


def sla_targets(ticket: Ticket) -> list[SlaTarget]:
    targets = [
        ("First response", ticket.first_response_due_at, ticket.first_responded_at is not None),
        ("Next response", ticket.next_response_due_at, False),
        ("Resolution", ticket.resolution_due_at, ticket.status in ("solved", "closed")),
    ]
    return [SlaTarget(label, due, done) for label, due, done in targets if due is not None]


def client_timezone(ticket: Ticket) -> str:
    calendar = ticket.client.calendar if ticket.client else None
    return calendar.timezone if calendar is not None else "UTC"


def ticket_history(scope: TenantScope, ticket_id: int) -> list[Event]:
    """Routing, handoff and change events of the ticket, oldest first."""
    query = scope.select(Event, Event.ticket_id == ticket_id, Event.type.in_(HISTORY_TYPES))
    return list(db.session.scalars(query.order_by(Event.seq).limit(HISTORY_LIMIT)))


def other_tickets(scope: TenantScope, ticket: Ticket) -> list[Ticket]:
    if ticket.contact_id is None:
        return []
    query = scope.select(Ticket, Ticket.contact_id == ticket.contact_id, Ticket.id != ticket.id)
    return list(db.session.scalars(query.order_by(Ticket.created_at.desc()).limit(OTHER_TICKETS_LIMIT)))


def staff_names(ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return dict(db.session.execute(db.select(Agent.id, Agent.name).where(Agent.id.in_(wanted))).all())


def safe_link(url: str | None) -> str | None:
    """Recording links come from providers and agents: only http(s) becomes a link (never javascript:)."""
    if url and url.lower().startswith(("https://", "http://")):
        return url
    return None


def describe_event(event: Event) -> str:
    """One readable line for the history: the routing reason, a handoff note, or the changed fields."""
    data = event.data or {}
    if data.get("reason"):
        return data["reason"]
    if event.type == "ticket.updated":
        changes = data.get("changes") or {}
        return "; ".join(f"{name}: {_shown(old)} → {_shown(new)}" for name, (old, new) in changes.items())
    if event.type in ("csat.sent", "csat.rated"):
        survey = data.get("csat") or {}
        if event.type == "csat.sent":
            return f"satisfaction survey sent ({survey.get('channel', '')})"
        comment = survey.get("comment")
        return f"customer rated {survey.get('rating')}/5" + (f": {comment[:200]}" if comment else "")
    if event.type == "call.logged":
        call = data.get("call") or {}
        return f"{call.get('direction', '')} call {call.get('status', '')}".strip()
    return ""


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    return "none" if value is None else str(value)


@bp.get("/tickets/<int:ticket_id>")
@login_required
def ticket_page(ticket_id: int):
    scope = TenantScope.for_agent(current_user)
    ticket = scope.get_or_404(Ticket, ticket_id, "ticket")  # another client's ticket is a 404, not a 403
    audit.record_read("ticket.viewed", client_id=ticket.client_id, object_type="ticket", object_id=ticket.id)
    merged_from = merge.merged_sources(scope, ticket)
    messages = merge.conversation(scope, ticket, merged_from)
    history = ticket_history(scope, ticket.id)
    calls = list(db.session.scalars(scope.select(CallLog, CallLog.ticket_id == ticket.id).order_by(CallLog.id)))
    names = staff_names({m.author_agent_id for m in messages} | {e.actor_id for e in history if e.actor_type == "agent"}
                        | {c.agent_id for c in calls} | {ticket.assignee_id})
    return render_template(
        "agent/ticket.html", ticket=ticket, messages=messages, history=history, calls=calls, names=names,
        others=other_tickets(scope, ticket), targets=sla_targets(ticket), client_tz=client_timezone(ticket),
        priorities=PRIORITIES, safe_link=safe_link, describe_event=describe_event,
        history_types=HISTORY_TYPES, merged_from={t.id: t for t in merged_from},
        merged_into=scope.get(Ticket, ticket.merged_into_id) if ticket.merged_into_id else None,
    )
