"""A client's tickets as its portal lists and exports them: filters, pages, CSV.

Only the client's own tickets (the scope), and only what the client may see: search never
looks into the BPO's internal notes, and the conversation leaves them out.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select

from helpdesk.extensions import db
from helpdesk.platform import pagination
from helpdesk.platform.tenancy import TenantScope
from helpdesk.sla.models import PRIORITIES
from helpdesk.spreadsheet import safe_cell
from helpdesk.tickets.models import CHANNELS, STATUSES, Message, Ticket
from helpdesk.tickets.search import search_tickets

PAGE_ROWS = 50
EXPORT_MAX_ROWS = 10_000
QUERY_MAX = 200


@dataclass
class TicketFilters:
    status: list[str] = field(default_factory=list)
    priority: list[str] = field(default_factory=list)
    channel: list[str] = field(default_factory=list)
    text: str = ""
    created_from: date | None = None
    created_to: date | None = None
    problems: dict[str, str] = field(default_factory=dict)

    def query_args(self) -> dict[str, Any]:
        """The filters as URL arguments (for the CSV link and the next page)."""
        args: dict[str, Any] = {name: getattr(self, name) for name in ("status", "priority", "channel")
                                if getattr(self, name)}
        if self.text:
            args["q"] = self.text
        for name in ("created_from", "created_to"):
            if getattr(self, name):
                args[name] = getattr(self, name).isoformat()
        return args


def parse_filters(args: Any) -> TicketFilters:
    """Read the filter form (a MultiDict); a value that is not allowed is named in ``problems``."""
    found = TicketFilters()
    for name, allowed in (("status", STATUSES), ("priority", PRIORITIES), ("channel", CHANNELS)):
        values = [value for value in args.getlist(name) if value]
        wrong = [value for value in values if value not in allowed]
        if wrong:
            found.problems[name] = f"Choose from: {', '.join(allowed)}."
        setattr(found, name, [value for value in values if value in allowed])
    found.text = (args.get("q") or "").strip()[:QUERY_MAX]
    for name in ("created_from", "created_to"):
        value = (args.get(name) or "").strip()
        if value:
            try:
                setattr(found, name, date.fromisoformat(value))
            except ValueError:
                found.problems[name] = "Give a date as YYYY-MM-DD."
    if found.created_from and found.created_to and found.created_to < found.created_from:
        found.problems["created_to"] = "The end date is before the start date."
    return found


def _filtered(scope: TenantScope, filters: TicketFilters, zone: ZoneInfo) -> Select:
    query = scope.select(Ticket, Ticket.merged_into_id.is_(None))
    for name in ("status", "priority", "channel"):
        if getattr(filters, name):
            query = query.where(getattr(Ticket, name).in_(getattr(filters, name)))
    if filters.created_from:
        query = query.where(Ticket.created_at >= datetime.combine(filters.created_from, time(), zone))
    if filters.created_to:
        query = query.where(Ticket.created_at < datetime.combine(filters.created_to + timedelta(days=1), time(), zone))
    if filters.text:
        ids = [ticket.id for ticket in search_tickets(scope, filters.text, include_notes=False, limit=200)]
        query = query.where(Ticket.id.in_(ids))
    return query


def find(scope: TenantScope, filters: TicketFilters, zone: ZoneInfo, cursor: str | None,
         limit: int = PAGE_ROWS) -> tuple[list[Ticket], str | None]:
    query = pagination.apply(_filtered(scope, filters, zone), Ticket, "-created_at", cursor, limit)
    return pagination.page(list(db.session.scalars(query)), "-created_at", limit)


CSV_COLUMNS = ("reference", "subject", "status", "priority", "channel", "language", "contact_email", "tags",
               "created_at", "first_responded_at", "solved_at", "sla_breached")


def export_csv(scope: TenantScope, filters: TicketFilters, zone: ZoneInfo) -> tuple[str, int]:
    """The filtered tickets as CSV (times in the client's zone), newest first, at most EXPORT_MAX_ROWS."""
    query = _filtered(scope, filters, zone).order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(EXPORT_MAX_ROWS)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for ticket in db.session.scalars(query):
        count += 1
        writer.writerow([safe_cell(value) for value in (
            ticket.reference, ticket.subject, ticket.status, ticket.priority, ticket.channel, ticket.language,
            ticket.contact.email if ticket.contact else None, " ".join(ticket.tags or []),
            _local(ticket.created_at, zone), _local(ticket.first_responded_at, zone), _local(ticket.solved_at, zone),
            "yes" if ticket.sla_breached else "no")])
    return out.getvalue(), count


def _local(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment else None


def conversation(scope: TenantScope, ticket_id: int) -> tuple[Ticket, list[Message]]:
    """One ticket and what the client may read of it: every message but the BPO's internal notes."""
    ticket = scope.get_or_404(Ticket, ticket_id, "ticket")
    messages = list(db.session.scalars(scope.select(Message, Message.ticket_id == ticket.id, Message.kind != "note")
                                       .order_by(Message.id)))
    return ticket, messages
